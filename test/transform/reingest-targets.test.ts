import { PutRecordBatchCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { sourceTarget } from '../../transform/handler.ts';
import { firehoseTarget, kinesisTarget } from '../../transform/reingest-targets.ts';

/** A client double that records the commands it is sent and answers with `output`. */
function recordingClient<T>(output: unknown): { client: T; sent: unknown[] } {
  const sent: unknown[] = [];
  const client = { send: async (command: unknown) => (sent.push(command), output) } as unknown as T;
  return { client, sent };
}

const entries = [
  { data: Buffer.from('a'), partitionKey: 'pk-1' },
  { data: Buffer.from('b'), partitionKey: 'pk-2' },
];

describe('firehoseTarget (Direct PUT delivery streams)', () => {
  it('puts the payloads with PutRecordBatch into the delivery stream named by the ARN and maps entry errors', async () => {
    const { client, sent } = recordingClient<FirehoseClient>({
      FailedPutCount: 1,
      RequestResponses: [{ RecordId: 'r1' }, { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }],
    });
    const target = firehoseTarget('arn:aws:firehose:eu-west-1:123456789012:deliverystream/meters', client);
    expect(target).toMatchObject({ maxBatchRecords: 500, maxBatchBytes: 4_000_000 });
    expect(await target.send(entries)).toEqual([undefined, 'ServiceUnavailableException']);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(PutRecordBatchCommand);
    expect((sent[0] as PutRecordBatchCommand).input).toEqual({ DeliveryStreamName: 'meters', Records: [{ Data: entries[0]!.data }, { Data: entries[1]!.data }] });
  });

  it('counts an entry the service did not answer for as failed', async () => {
    const { client } = recordingClient<FirehoseClient>({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'r1' }] });
    const target = firehoseTarget('arn:aws:firehose:eu-west-1:123456789012:deliverystream/meters', client);
    expect(await target.send(entries)).toEqual([undefined, 'MissingResult']);
  });
});

describe('kinesisTarget', () => {
  it('puts the payloads with PutRecords by stream name, keeping each partition key', async () => {
    const { client, sent } = recordingClient<KinesisClient>({ Records: [{ SequenceNumber: '1' }, { ErrorCode: 'InternalFailure' }] });
    const target = kinesisTarget('arn:aws:kinesis:eu-west-1:123456789012:stream/meter-records', client);
    expect(await target.send(entries)).toEqual([undefined, 'InternalFailure']);
    expect((sent[0] as PutRecordsCommand).input).toEqual({
      StreamName: 'meter-records',
      Records: [
        { Data: entries[0]!.data, PartitionKey: 'pk-1' },
        { Data: entries[1]!.data, PartitionKey: 'pk-2' },
      ],
    });
  });
});

describe('sourceTarget', () => {
  const deliveryStreamArn = 'arn:aws:firehose:us-east-1:123456789012:deliverystream/meters';
  const event = { invocationId: 'i', deliveryStreamArn, region: 'us-east-1', records: [] };

  it('re-ingests into the Kinesis source stream when Firehose reads one, else into the delivery stream', async () => {
    const targetFor = sourceTarget();
    const viaKinesis = await targetFor({ ...event, sourceKinesisStreamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/meter-records' });
    expect(viaKinesis.description).toBe('Kinesis stream meter-records');
    expect((await targetFor(event)).description).toBe('Firehose stream meters');
  });

  it('builds each target once', async () => {
    const targetFor = sourceTarget();
    expect(await targetFor(event)).toBe(await targetFor(event));
  });
});

import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceTarget } from '../../transform/handler.ts';
import { firehoseTarget, kinesisTarget, reingestRequestHandler } from '../../transform/reingest-targets.ts';
import { startSilentServer, type SilentServer } from '../support/silent-server.ts';
import { startStallingServer } from '../support/stalling-server.ts';

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

describe('the re-ingest clients against an endpoint that accepts connections and never answers', () => {
  const entry = [{ data: Buffer.from('a'), partitionKey: 'pk-1' }];
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const timeouts = { connectionTimeoutMs: 200, requestTimeoutMs: 400 };
  let silent: SilentServer;

  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(async () => {
    await silent.close();
  });

  it.each([
    ['Kinesis', () => kinesisTarget('arn:aws:kinesis:us-east-1:123456789012:stream/s', new KinesisClient({ region: 'us-east-1', endpoint: silent.endpoint, credentials, maxAttempts: 1, requestHandler: reingestRequestHandler(timeouts) }))],
    ['Firehose', () => firehoseTarget('arn:aws:firehose:us-east-1:123456789012:deliverystream/d', new FirehoseClient({ region: 'us-east-1', endpoint: silent.endpoint, credentials, maxAttempts: 1, requestHandler: reingestRequestHandler(timeouts) }))],
  ])('%s: a call fails with a TimeoutError at the request timeout', async (_service, targetFor) => {
    const started = Date.now();
    await expect(targetFor().send(entry)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(silent.connections()).toBeGreaterThan(0);
  });

  it.each([
    ['Kinesis', (endpoint: string) => kinesisTarget('arn:aws:kinesis:us-east-1:123456789012:stream/s', new KinesisClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1, requestHandler: reingestRequestHandler(timeouts) }))],
    ['Firehose', (endpoint: string) => firehoseTarget('arn:aws:firehose:us-east-1:123456789012:deliverystream/d', new FirehoseClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1, requestHandler: reingestRequestHandler(timeouts) }))],
  ])('%s: a response that stalls after its headers fails at the request timeout (as an idle socket)', async (_service, targetFor) => {
    const stalling = await startStallingServer();
    try {
      const started = Date.now();
      await expect(targetFor(stalling.endpoint).send(entry)).rejects.toThrow(/timed out/);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(stalling.requests()).toBe(1);
    } finally {
      await stalling.close();
    }
  });

  it('stops a call when its signal aborts', async () => {
    const client = new KinesisClient({ region: 'us-east-1', endpoint: silent.endpoint, credentials, maxAttempts: 1, requestHandler: reingestRequestHandler() });
    const target = kinesisTarget('arn:aws:kinesis:us-east-1:123456789012:stream/s', client);
    const started = Date.now();
    await expect(target.send(entry, AbortSignal.timeout(200))).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(3_000);
    client.destroy();
  });
});

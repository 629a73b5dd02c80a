/**
 * The re-ingest path against a real Kinesis API (kinesalite on loopback, started here): the handler's own
 * lazily created SDK client, configured only through AWS_ENDPOINT_URL_KINESIS, writes to the stream; what it
 * wrote is read back and transformed again, as Firehose would.
 */
// @ts-nocheck

import { PutRecordsCommand, type KinesisClient, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import type { FirehoseTransformationResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../transform/config.ts';
import { createHandler, sourceTarget } from '../../transform/handler.ts';
import { reingest } from '../../transform/reingest.ts';
import { kinesisTarget } from '../../transform/reingest-targets.ts';
import { firehoseEvent, formatLogLine, gzipPayload, meterLogEvents, nextLogEventId, subscriptionPayload } from '../../tools/lib/cloudwatch/payloads.ts';
import { createKinesisClient, ensureStream, StreamReader, type StreamRecord } from '../../tools/lib/aws/kinesis.ts';
import { EMULATOR_CREDENTIALS, startLocalKinesis, type LocalKinesis } from '../../tools/lib/local-pipeline/local-kinesis.ts';

const REGION = 'us-east-1';
let kinesis: LocalKinesis;
let client: KinesisClient;
const savedEnv = { ...process.env };

beforeAll(async () => {
  kinesis = await startLocalKinesis();
  process.env.AWS_ENDPOINT_URL_KINESIS = kinesis.endpoint;
  process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
  client = createKinesisClient({ region: REGION, endpoint: kinesis.endpoint, credentials: EMULATOR_CREDENTIALS });
});

afterAll(async () => {
  process.env = savedEnv;
  client?.destroy();
  await kinesis?.close();
});

async function stream(name: string) {
  const info = await ensureStream(client, name, 1);
  return { arn: info.streamArn, reader: new StreamReader(client, name, info.shardIds) };
}

function okLines(result: FirehoseTransformationResult): string[] {
  return result.records.flatMap((r) => (r.result === 'Ok' ? Buffer.from(r.data ?? '', 'base64').toString().split('\n').filter(Boolean) : []));
}

function asFirehoseEvent(records: readonly StreamRecord[], streamArn: string) {
  const event = firehoseEvent(records.map((r) => r.data), { sourceKinesisStreamArn: streamArn });
  event.records.forEach((record, i) => {
    if (record.kinesisRecordMetadata) record.kinesisRecordMetadata.partitionKey = records[i]?.partitionKey ?? '';
  });
  return event;
}

describe('re-ingest into Kinesis', () => {
  it('puts rejects and oversized records back into the source stream and they come back right', async () => {
    const { arn, reader } = await stream('reingest-roundtrip');
    const handler = createHandler({ ...DEFAULT_CONFIG, responseBudgetBytes: 200_000, splitTargetBytes: 50_000 }, { reingestTarget: sourceTarget() }, () => {});
    const bad = { id: nextLogEventId(1), timestamp: 1663094105062, message: formatLogLine('node-text', { meterApiName: 'a', customerId: 'c', meterValue: 'abc' }, { prefix: DEFAULT_CONFIG.prefix, timestamp: 1663094105062 }) };
    const large = meterLogEvents(3000, { seed: 9 });
    const first = asFirehoseEvent(
      [
        { data: gzipPayload(subscriptionPayload([...meterLogEvents(5, { seed: 8 }), bad])), partitionKey: 'pk-small', sequenceNumber: '', shardId: '' },
        { data: gzipPayload(subscriptionPayload(large)), partitionKey: 'pk-large', sequenceNumber: '', shardId: '' },
      ],
      arn,
    );
    const firstResult = await handler(first);
    expect(firstResult.records.map((r) => r.result)).toEqual(['Ok', 'Dropped']);
    expect(okLines(firstResult)).toHaveLength(5);

    const reingested = await reader.readNew();
    expect(reingested.length).toBeGreaterThan(2);
    expect(new Set(reingested.map((r) => r.partitionKey))).toEqual(new Set(['pk-small', 'pk-large']));

    // Firehose reads them again: the split pieces deliver the large record, the rejects payload fails for the error prefix.
    let lines: string[] = [];
    let pending = reingested;
    let rejectsFailed = 0;
    for (let pass = 0; pending.length > 0 && pass < 10; pass++) {
      const result = await handler(asFirehoseEvent(pending, arn));
      lines = lines.concat(okLines(result));
      rejectsFailed += result.records.filter((r) => r.result === 'ProcessingFailed').length;
      pending = await reader.readNew();
    }
    expect(pending).toHaveLength(0);
    expect(rejectsFailed).toBe(1);
    expect(lines).toHaveLength(3000);
    expect(new Set(lines.map((l) => JSON.parse(l).uniqueId))).toEqual(new Set(large.map((e) => e.id)));
  });

  it('retries throttling and partial failures against the real API until every entry lands once', async () => {
    const { arn, reader } = await stream('reingest-flaky');
    let call = 0;
    // Throttles the first call outright, then lets only every other entry through once.
    const flaky = {
      send: async (command: PutRecordsCommand): Promise<PutRecordsCommandOutput> => {
        call++;
        if (call === 1) {
          throw Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException', $fault: 'client' });
        }
        const records = command.input.Records ?? [];
        if (call > 2) return client.send(command);
        const accepted = records.filter((_, i) => i % 2 === 0);
        const output = await client.send(new PutRecordsCommand({ ...command.input, Records: accepted }));
        let next = 0;
        return {
          ...output,
          FailedRecordCount: records.length - accepted.length,
          Records: records.map((_, i) =>
            i % 2 === 0 ? (output.Records?.[next++] ?? {}) : { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' },
          ),
        };
      },
    } as unknown as KinesisClient;

    const target = kinesisTarget(arn, flaky);
    const sent = Array.from({ length: 7 }, (_, i) => ({ data: Buffer.from(`payload-${i}`), partitionKey: `pk-${i}` }));
    const report = await reingest(sent, target, { maxAttempts: 5, baseDelayMs: 1 });
    expect(report.delivered.every(Boolean)).toBe(true);
    expect(call).toBe(3);
    expect(report.retriedEntries).toBe(7 + 3);

    const landed = await reader.readNew();
    expect(landed.map((r) => `${r.partitionKey}:${r.data.toString()}`).sort()).toEqual(sent.map((e) => `${e.partitionKey}:${e.data.toString()}`).sort());
  });

  it('fails the records whose re-ingest target does not exist, so Firehose keeps them', async () => {
    const handler = createHandler(DEFAULT_CONFIG, { reingestTarget: sourceTarget() }, () => {});
    const bad = { id: nextLogEventId(1), timestamp: 1663094105062, message: `${DEFAULT_CONFIG.prefix} {"meterApiName":"a"}` };
    const event = firehoseEvent([gzipPayload(subscriptionPayload([bad]))], {
      sourceKinesisStreamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/does-not-exist',
    });
    const result = await handler(event);
    expect(result.records.map((r) => r.result)).toEqual(['ProcessingFailed']);
  });
});

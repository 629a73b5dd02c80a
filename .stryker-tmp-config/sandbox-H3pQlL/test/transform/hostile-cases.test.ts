/**
 * Hostile but legal input, one case per finding of issue 9: every record reaches a terminal outcome in a
 * bounded number of passes, rejects share one copy of their log event, deep nesting fails only its record,
 * and meter times (given or derived) are checked against the window Amberflo accepts.
 */
// @ts-nocheck

import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { transformBatch } from '../../transform/batch.ts';
import { DEFAULT_CONFIG, largestSplitTarget, type TransformConfig } from '../../transform/config.ts';
import type { ReingestEntry } from '../../transform/reingest.ts';
import type { CloudWatchLogsPayload, RejectsPayload } from '../../transform/types.ts';
import { firehoseEvent, formatLogLine, gzipPayload, subscriptionPayload, TRAFFIC_ARRIVAL, TRAFFIC_START } from '../../tools/lib/cloudwatch/payloads.ts';

const PREFIX = DEFAULT_CONFIG.prefix;
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/meter-records';
const DAY_MS = 86_400_000;
const valid = { meterApiName: 'api-calls', customerId: 'c-1', meterValue: 1 };

async function run(datas: readonly Buffer[], config: TransformConfig = DEFAULT_CONFIG) {
  const sent: ReingestEntry[] = [];
  const event = firehoseEvent(datas, { sourceKinesisStreamArn: STREAM_ARN });
  const output = await transformBatch(event, config, {
    reingestTarget: async () => ({ description: 'accept', maxBatchRecords: 500, maxBatchBytes: 5_000_000, send: async (e) => (sent.push(...e), e.map(() => undefined)) }),
    sleep: async () => {},
  });
  return { ...output, results: output.result.records.map((r) => r.result), sent: sent.map((e) => Buffer.from(e.data)) };
}

function event(record: unknown, id: string, timestamp = TRAFFIC_START) {
  return { id, timestamp, message: formatLogLine('node-text', record, { prefix: PREFIX, timestamp: TRAFFIC_START }) };
}

describe('bounded re-ingest passes', () => {
  it('fails a single log event whose output alone exceeds the budget instead of re-ingesting it forever', async () => {
    const huge = event({ ...valid, dimensions: { blob: 'a'.repeat(7_000_000) } }, '1');
    const { results, stats, sent } = await run([gzipPayload(subscriptionPayload([huge]))]);
    expect(results).toEqual(['ProcessingFailed']);
    expect(stats.failedByReason).toEqual({ OUTPUT_TOO_LARGE: 1 });
    expect(sent).toHaveLength(0);
  });

  it('at RESPONSE_BUDGET_BYTES=100000, delivers a 200 KB record of many events within the pass bound and fails a 200 KB single event', async () => {
    const config = { ...DEFAULT_CONFIG, responseBudgetBytes: 100_000, splitTargetBytes: largestSplitTarget(100_000) };
    const many = Array.from({ length: 1_300 }, (_, i) => event({ ...valid, customerId: `c-${i}` }, String(i)));
    const first = await run([gzipPayload(subscriptionPayload(many))], config);
    expect(first.results).toEqual(['Dropped']);
    // The pieces come back together and crowd each other out of the response: each pass delivers some.
    let pending = first.sent;
    let delivered = 0;
    let passes = 1;
    while (pending.length > 0) {
      const pass = await run(pending, config);
      passes++;
      expect(pass.stats.recordsFailed).toBe(0);
      delivered += pass.stats.meterRecordsOut;
      pending = pass.sent;
    }
    expect(delivered).toBe(1_300);
    expect(passes).toBeLessThanOrEqual(config.maxReingestGenerations + 1);

    const oneEvent = event(Array.from({ length: 1_300 }, (_, i) => ({ ...valid, customerId: `c-${i}` })), 'x');
    const single = await run([gzipPayload(subscriptionPayload([oneEvent]))], config);
    expect(single.stats.failedByReason).toEqual({ OUTPUT_TOO_LARGE: 1 });
    expect(single.sent).toHaveLength(0);
  });

  it('marks pieces with their generation and fails a piece at MAX_REINGEST_GENERATIONS that still does not fit', async () => {
    const config = { ...DEFAULT_CONFIG, responseBudgetBytes: 20_000, splitTargetBytes: 8_000, maxReingestGenerations: 3 };
    const events = Array.from({ length: 200 }, (_, i) => event({ ...valid, customerId: `c-${i}` }, String(i)));
    const pieces = await run([gzipPayload({ ...subscriptionPayload(events), reingestGeneration: 2 })], config);
    expect(pieces.results).toEqual(['Dropped']);
    expect(pieces.sent.map((data) => (JSON.parse(gunzipSync(data).toString()) as CloudWatchLogsPayload).reingestGeneration)).toEqual(pieces.sent.map(() => 3));
    const capped = await run([gzipPayload({ ...subscriptionPayload(events), reingestGeneration: 3 })], config);
    expect(capped.stats.failedByReason).toEqual({ REINGEST_GENERATIONS_EXCEEDED: 1 });
  });

  it('gives the budget to pieces that went round before fresh records', async () => {
    const events = (n: number) => Array.from({ length: n }, (_, i) => event({ ...valid, customerId: `c-${i}` }, String(i)));
    const config = { ...DEFAULT_CONFIG, responseBudgetBytes: 60_000, splitTargetBytes: largestSplitTarget(60_000) };
    const fresh = gzipPayload(subscriptionPayload(events(200)));
    const piece = gzipPayload({ ...subscriptionPayload(events(200)), reingestGeneration: 1 });
    expect((await run([fresh, piece], config)).results).toEqual(['Dropped', 'Ok']);
  });

  it('halves a piece whose events weigh less than the target but whose bytes exceed the budget', async () => {
    const config = { ...DEFAULT_CONFIG, responseBudgetBytes: 100_000, splitTargetBytes: largestSplitTarget(100_000) };
    // '€' is one UTF-16 unit (the weight) but three UTF-8 bytes (what the budget counts).
    const wide = [event({ ...valid, dimensions: { note: '€'.repeat(20_000) } }, '1'), event({ ...valid, dimensions: { note: '€'.repeat(20_000) } }, '2')];
    const first = await run([gzipPayload(subscriptionPayload(wide))], config);
    expect(first.results).toEqual(['Dropped']);
    expect(first.sent).toHaveLength(2);
    for (const piece of first.sent) expect((await run([piece], config)).results).toEqual(['Ok']);
  });
});

describe('rejects of one log event', () => {
  it('carry the event once: a 220 KB event of 3,000 rejected records makes one small rejects payload', async () => {
    const records = Array.from({ length: 3_000 }, (_, i) => ({ ...valid, customerId: `c-${i}`, meterVaule: 1 }));
    const big = event(records, '1');
    expect(big.message.length).toBeGreaterThan(200_000);
    const { results, sent, stats } = await run([gzipPayload(subscriptionPayload([big]))]);
    expect(results).toEqual(['Dropped']);
    expect(stats.rejectedMeterRecords).toBe(3_000);
    expect(sent).toHaveLength(1);
    const rejects = JSON.parse(gunzipSync(sent[0] as Buffer).toString()) as RejectsPayload;
    expect(rejects.logEvents).toEqual([big]);
    expect(rejects.rejects).toHaveLength(3_000);
    expect(rejects.rejects.every((r, i) => r.event === 0 && r.index === i && r.reason === 'UNKNOWN_FIELD')).toBe(true);
  });
});

describe('deep nesting in copied fields', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const rejected = JSON.stringify(event({ ...valid, meterValue: 'x' }, '1'));

  it('fails only the record whose rejects payload would copy it; other records keep their result', async () => {
    const deepFilters = `{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":${nested(100_000)},"logEvents":[${rejected}]}`;
    const { results, stats } = await run([gzipSync(deepFilters), gzipPayload(subscriptionPayload([event(valid, '2')]))]);
    expect(results).toEqual(['ProcessingFailed', 'Ok']);
    expect(stats.failedByReason).toEqual({ UNSERIALIZABLE: 1 });
  });

  it('fails a record to split whose unknown envelope field nests deep', async () => {
    const events = Array.from({ length: 300 }, (_, i) => JSON.stringify(event({ ...valid, customerId: `c-${i}` }, String(i))));
    const payload = `{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":[],"extra":${nested(100_000)},"logEvents":[${events.join(',')}]}`;
    const { results, stats } = await run([gzipSync(payload)], { ...DEFAULT_CONFIG, responseBudgetBytes: 20_000, splitTargetBytes: 8_000 });
    expect(results).toEqual(['ProcessingFailed']);
    expect(stats.failedByReason).toEqual({ UNSERIALIZABLE: 1 });
  });

  it('leaves out deep extra fields of a log event from its rejects', async () => {
    const payload = `{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":[],"logEvents":[${rejected.slice(0, -1)},"extra":${nested(100_000)}}]}`;
    const { results, sent } = await run([gzipSync(payload)]);
    expect(results).toEqual(['Dropped']);
    expect((JSON.parse(gunzipSync(sent[0] as Buffer).toString()) as RejectsPayload).logEvents[0]).toEqual(JSON.parse(rejected));
  });
});

describe('meter times', () => {
  const reasonsFor = async (record: object, timestamp = TRAFFIC_START, config = DEFAULT_CONFIG) => {
    const { stats, result } = await run([gzipPayload(subscriptionPayload([event(record, '1', timestamp)]))], config);
    return { rejected: stats.rejectedByReason, ok: result.records[0]?.result === 'Ok' };
  };

  it.each([1.5, 1_795_597_200, -1, 1e21, 4_200_000_000_000])('checks a log event timestamp (%d) taken as meterTimeInMillis', async (timestamp) => {
    expect(await reasonsFor(valid, timestamp)).toEqual({ rejected: { INVALID_METER_TIME: 1 }, ok: false });
  });

  it('rejects a time older than MAX_METER_AGE_DAYS before arrival, and one later than MAX_FUTURE_SKEW_SECONDS after it', async () => {
    const window = { earliest: TRAFFIC_ARRIVAL - 60 * DAY_MS, latest: TRAFFIC_ARRIVAL + 300_000 };
    expect(await reasonsFor({ ...valid, meterTimeInMillis: window.earliest })).toMatchObject({ ok: true });
    expect(await reasonsFor({ ...valid, meterTimeInMillis: window.earliest - 1 })).toEqual({ rejected: { INVALID_METER_TIME: 1 }, ok: false });
    expect(await reasonsFor({ ...valid, meterTimeInMillis: window.latest })).toMatchObject({ ok: true });
    expect(await reasonsFor({ ...valid, meterTimeInMillis: window.latest + 1 })).toEqual({ rejected: { INVALID_METER_TIME: 1 }, ok: false });
    expect(await reasonsFor({ ...valid, meterTimeInMillis: window.earliest - 1 }, TRAFFIC_START, { ...DEFAULT_CONFIG, maxMeterAgeDays: 0 })).toMatchObject({ ok: true });
  });

  it('says why in the reject detail', async () => {
    const old = event({ ...valid, meterTimeInMillis: TRAFFIC_ARRIVAL - 61 * DAY_MS }, '1');
    const { sent } = await run([gzipPayload(subscriptionPayload([old]))]);
    const detail = (JSON.parse(gunzipSync(sent[0] as Buffer).toString()) as RejectsPayload).rejects[0]?.detail;
    expect(detail).toMatch(/is more than 60 days before the record reached the pipeline \(2026-11-25T10:00:00.000Z\): Amberflo would drop it/);
  });
});

/**
 * Hostile but legal input, one case per finding of issue 9: every record reaches a terminal outcome in a
 * bounded number of passes, rejects share one copy of their log event, deep nesting fails only its record,
 * and meter times (given or derived) are checked against the window Amberflo accepts.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { transformBatch } from '../../transform/batch.ts';
import { DEFAULT_CONFIG, largestSplitTarget, type TransformConfig } from '../../transform/config.ts';
import type { ReingestEntry } from '../../transform/reingest.ts';
import { failedEventsOf } from '../../tools/lib/error-prefix/failures.ts';
import { planReplay } from '../../tools/lib/replay/replay-plan.ts';
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
    // A different unknown field each, so no two records share a reject entry.
    const records = Array.from({ length: 3_000 }, (_, i) => ({ ...valid, customerId: `c-${i}`, [`meterVaule${i}`]: 1 }));
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

  it('are packed in pieces of bounded JSON text that together name every rejected record once', async () => {
    // No two neighbours are rejected alike, so every record makes an entry: about 17 MB of JSON text in all.
    const records = 300_000;
    const dense = { id: '1', timestamp: TRAFFIC_START, message: `${PREFIX} [${Array.from({ length: records }, (_, i) => (i % 2 === 0 ? '{}' : '0')).join(',')}]` };
    const { results, sent, stats } = await run([gzipPayload(subscriptionPayload([dense]))]);
    expect(results).toEqual(['Dropped']);
    expect(stats.rejectedMeterRecords).toBe(records);
    expect(sent.length).toBeGreaterThan(1);
    const indexes: number[] = [];
    for (const data of sent) {
      const text = gunzipSync(data).toString();
      expect(text.length).toBeLessThan(8_000_000 + dense.message.length + 1_000);
      const piece = JSON.parse(text) as RejectsPayload;
      expect(piece.logEvents).toEqual([dense]);
      expect(piece.details).toHaveLength(2);
      for (const entry of piece.rejects) indexes.push(entry.index as number);
    }
    expect(indexes).toEqual(Array.from({ length: records }, (_, i) => i));
  });

  it('write one entry per run of consecutive records of one array with the same reason and detail, read back record by record', async () => {
    const array = event([{}, {}, { meterApiName: 'x' }, {}, {}, valid, {}, {}, { meterApiName: 1 }, {}], '1');
    const pair = event([{}, {}], '2');
    const singles = [event({}, '3'), event({}, '4')];
    const { results, sent, stats } = await run([gzipPayload(subscriptionPayload([array, pair, ...singles]))]);
    expect(results).toEqual(['Ok']);
    expect(stats).toMatchObject({ meterRecordsOut: 1, rejectedMeterRecords: 13, rejectedByReason: { INVALID_METER_API_NAME: 12, INVALID_CUSTOMER_ID: 1 } });
    const rejects = JSON.parse(gunzipSync(sent[0] as Buffer).toString()) as RejectsPayload;
    expect(rejects.version).toBe(3);
    expect(rejects.logEvents).toEqual([array, pair, ...singles]);
    // Runs end at another reason (2), a valid record (5), another detail of the same reason (8), and the end of
    // an event's array (the pair is its own run); records without an index never merge.
    expect(rejects.rejects.map(({ reason, index, count, event }) => [reason, index, count, event])).toEqual([
      ['INVALID_METER_API_NAME', 0, 2, 0],
      ['INVALID_CUSTOMER_ID', 2, undefined, 0],
      ['INVALID_METER_API_NAME', 3, 2, 0],
      ['INVALID_METER_API_NAME', 6, 2, 0],
      ['INVALID_METER_API_NAME', 8, undefined, 0],
      ['INVALID_METER_API_NAME', 9, undefined, 0],
      ['INVALID_METER_API_NAME', 0, 2, 1],
      ['INVALID_METER_API_NAME', undefined, undefined, 2],
      ['INVALID_METER_API_NAME', undefined, undefined, 3],
    ]);
    // Each distinct detail is carried once: the entries name it by position.
    expect(rejects.rejects.map((entry) => entry.detail)).toEqual([0, 1, 0, 0, 2, 0, 0, 0, 0]);
    expect(rejects.details).toHaveLength(3);
    expect(rejects.details[0]).toMatch(/^meterApiName must be a non-empty string, got /);
    expect(rejects.details[2]).toMatch(/^meterApiName must be a non-empty string, got /);
    expect(rejects.details[2]).not.toBe(rejects.details[0]);
    expect(rejects.details[1]).toMatch(/^customerId must be a non-empty string/);

    // inspect's reader gives each rejected record back with its index and event; replay re-sends each event once.
    const errorRecord = {
      record: {
        attemptsMade: 1,
        arrivalTimestamp: TRAFFIC_ARRIVAL,
        errorCode: 'Lambda.ProcessingFailedStatus',
        errorMessage: 'rejected',
        attemptEndingTimestamp: TRAFFIC_ARRIVAL,
        rawData: (sent[0] as Buffer).toString('base64'),
        lambdaArn: 'fn',
      },
      objectKey: 'errors/a',
      recordIndex: 0,
    };
    const failed = failedEventsOf(errorRecord);
    expect(failed.map(({ reason, index, logEvent }) => [reason === 'INVALID_METER_API_NAME' ? 'name' : reason, index, logEvent?.id])).toEqual([
      ['name', 0, '1'],
      ['name', 1, '1'],
      ['INVALID_CUSTOMER_ID', 2, '1'],
      ['name', 3, '1'],
      ['name', 4, '1'],
      ['name', 6, '1'],
      ['name', 7, '1'],
      ['name', 8, '1'],
      ['name', 9, '1'],
      ['name', 0, '2'],
      ['name', 1, '2'],
      ['name', undefined, '3'],
      ['name', undefined, '4'],
    ]);
    expect(failed.map((f) => f.detail)).toEqual([0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0].map((detail) => rejects.details[detail]));
    const plan = planReplay([errorRecord], {});
    expect(plan).toMatchObject({ failedEvents: 13, chosenEvents: 4, duplicateEvents: 9 });
    expect(plan.payloads.flatMap((payload) => payload.events)).toEqual([array, pair, ...singles]);
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
    const rejects = JSON.parse(gunzipSync(sent[0] as Buffer).toString()) as RejectsPayload;
    const detail = rejects.details[rejects.rejects[0]?.detail ?? -1];
    expect(detail).toMatch(/is more than 60 days before the record reached the pipeline \(2026-11-25T10:00:00.000Z\): Amberflo would drop it/);
  });
});

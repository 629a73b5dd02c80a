/**
 * Property: whatever bytes and JSON shapes sit in any field of the envelope and of its log events (JSON nested
 * thousands of levels deep, wrong types, times outside the window, records too large for a response), every
 * invocation returns one result per record without throwing, and everything it re-ingests reaches a terminal
 * outcome within MAX_REINGEST_GENERATIONS + 2 passes.
 */
// @ts-nocheck

import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transformBatch } from '../../transform/batch.ts';
import { DEFAULT_CONFIG, largestSplitTarget, type TransformConfig } from '../../transform/config.ts';
import type { ReingestEntry } from '../../transform/reingest.ts';
import { MAX_REINGEST_RECORD_BYTES } from '../../transform/repack.ts';
import { responseLength } from '../../transform/respond.ts';
import { firehoseEvent, formatLogLine, LOG_FORMS, TRAFFIC_ARRIVAL } from '../../tools/lib/cloudwatch/payloads.ts';

const PREFIX = DEFAULT_CONFIG.prefix;
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/meter-records';
const DAY_MS = 86_400_000;

/** Stands for JSON nested `depth` levels deep, which JSON.stringify cannot write (see toJson). */
const deepMarker = (depth: number): string => `\u0000deep:${depth}`;

/** JSON text of `value`, with each deepMarker replaced by arrays and objects nested that deep. */
function toJson(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000deep:(\d+)"/g, (_, depth: string) => {
    const n = Number(depth);
    return `${'[{"a":'.repeat(n)}1${'}]'.repeat(n)}`;
  });
}

const deep = fc.integer({ min: 1_000, max: 12_000 }).map(deepMarker);
const anyValue = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: deep },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(1e308, -1, 1.5, Number.MAX_SAFE_INTEGER, 0, '', '1795597200000') },
);

/** Meter times in and around the default window, in milliseconds and in seconds. */
const meterTime = fc.oneof(
  fc.integer({ min: TRAFFIC_ARRIVAL - 61 * DAY_MS, max: TRAFFIC_ARRIVAL + 600_000 }),
  fc.constantFrom(TRAFFIC_ARRIVAL - 60 * DAY_MS, TRAFFIC_ARRIVAL - 60 * DAY_MS - 1, TRAFFIC_ARRIVAL + 300_000, TRAFFIC_ARRIVAL + 300_001),
  fc.integer({ min: 1_700_000_000, max: 1_800_000_000 }),
  anyValue,
);

/** A meter record in the window: these make outputs large enough to split or to exceed the budget. */
const validRecord = fc.record(
  {
    meterApiName: fc.constantFrom('api-calls', 'tokens'),
    customerId: fc.string({ minLength: 1, maxLength: 12 }).filter((id) => id.trim() !== ''),
    meterValue: fc.integer(),
    meterTimeInMillis: fc.integer({ min: TRAFFIC_ARRIVAL - 59 * DAY_MS, max: TRAFFIC_ARRIVAL }),
    dimensions: fc.dictionary(fc.constantFrom('region', 'plan', 'note'), fc.string({ maxLength: 2_000, unit: 'grapheme' }), { maxKeys: 3 }),
  },
  { requiredKeys: ['meterApiName', 'customerId', 'meterValue'] },
);

const meterRecord = fc.oneof(
  { weight: 2, arbitrary: validRecord },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        meterApiName: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('api-calls', 'tokens') }, { weight: 1, arbitrary: anyValue }),
        customerId: fc.oneof({ weight: 5, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) }, { weight: 1, arbitrary: anyValue }),
        meterValue: fc.oneof({ weight: 5, arbitrary: fc.integer() }, { weight: 1, arbitrary: anyValue }),
        meterTimeInMillis: meterTime,
        uniqueId: fc.oneof(fc.string({ maxLength: 12 }), anyValue),
        dimensions: fc.oneof(fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 200 }), { maxKeys: 3 }), anyValue),
        meterVaule: anyValue,
      },
      { requiredKeys: ['meterApiName', 'customerId', 'meterValue'] },
    ),
  },
);

const message = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...LOG_FORMS), meterRecord).map(([form, record]) => formatLogLine(form, record, { prefix: PREFIX, timestamp: TRAFFIC_ARRIVAL })) },
  { weight: 2, arbitrary: fc.array(meterRecord, { maxLength: 300, size: 'medium' }).map((records) => `${PREFIX} ${toJson(records)}`) },
  { weight: 1, arbitrary: anyValue.map((value) => `${PREFIX} ${toJson(value)}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((text) => `${PREFIX}${text}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

/** A log event as CloudWatch Logs writes it, but for any fields it may carry besides. */
const wellFormedEvent = fc.record(
  {
    id: fc.stringMatching(/^\d{1,56}$/),
    timestamp: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: TRAFFIC_ARRIVAL - 61 * DAY_MS, max: TRAFFIC_ARRIVAL + 600_000 }) },
      { weight: 1, arbitrary: fc.oneof(fc.double(), fc.integer({ min: 1_700_000_000, max: 1_800_000_000 })) },
    ),
    message,
    extra: anyValue,
  },
  { requiredKeys: ['id', 'timestamp', 'message'] },
);
const anyEvent = fc.oneof(fc.record({ id: anyValue, timestamp: anyValue, message: fc.oneof(message, anyValue) }, { requiredKeys: [] }), anyValue);

/** Mostly what CloudWatch Logs writes, else any value in any field. */
const usually = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 10, arbitrary: value }, { weight: 1, arbitrary: anyValue });

const envelope = fc.record(
  {
    messageType: fc.oneof({ weight: 10, arbitrary: fc.constant('DATA_MESSAGE') }, { weight: 1, arbitrary: fc.constantFrom('CONTROL_MESSAGE', 'METER_REJECTS') }, { weight: 1, arbitrary: anyValue }),
    owner: usually(fc.constant('123456789012')),
    logGroup: usually(fc.constant('/aws/lambda/api')),
    logStream: usually(fc.constant('2026/11/25/[$LATEST]0a1b')),
    subscriptionFilters: fc.oneof({ weight: 3, arbitrary: fc.constant(['meter-records']) }, { weight: 1, arbitrary: anyValue }),
    policyLevel: anyValue,
    somethingElse: anyValue,
    reingestGeneration: fc.oneof(fc.integer({ min: 0, max: 6 }), anyValue),
    logEvents: fc.oneof(
      { weight: 8, arbitrary: fc.array(wellFormedEvent, { maxLength: 40 }) },
      { weight: 1, arbitrary: fc.array(fc.oneof({ weight: 10, arbitrary: wellFormedEvent }, { weight: 1, arbitrary: anyEvent }), { maxLength: 40 }) },
      { weight: 1, arbitrary: anyValue },
    ),
  },
  { requiredKeys: ['messageType', 'owner', 'logGroup', 'logStream', 'logEvents'] },
);

/** Record data: mostly gzipped payloads, else the payload's JSON as is, arbitrary bytes, or broken gzip. */
const recordData = fc.oneof(
  { weight: 8, arbitrary: envelope.map((payload) => gzipSync(toJson(payload))) },
  { weight: 1, arbitrary: envelope.map((payload) => Buffer.from(toJson(payload))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => gzipSync(bytes).subarray(0, Math.max(2, bytes.length))) },
);

const config = fc
  .record({
    responseBudgetBytes: fc.integer({ min: 2_000, max: 100_000 }),
    targetFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    maxReingestGenerations: fc.integer({ min: 1, max: 4 }),
    maxMeterAgeDays: fc.constantFrom(0, 60),
    unknownFields: fc.constantFrom('reject' as const, 'drop' as const),
  })
  .map(({ targetFraction, ...settings }): TransformConfig => {
    const largest = largestSplitTarget(settings.responseBudgetBytes);
    return { ...DEFAULT_CONFIG, ...settings, splitTargetBytes: 1_024 + Math.floor(targetFraction * (largest - 1_024)) };
  });

/**
 * Runs what Firehose would: the first batch, then whatever was re-ingested, until nothing is. Checks every
 * invocation's response and returns the number of passes.
 */
async function runUntilTerminal(datas: readonly Buffer[], settings: TransformConfig): Promise<number> {
  let batch = datas;
  let passes = 0;
  while (batch.length > 0) {
    passes++;
    if (passes > settings.maxReingestGenerations + 2) return passes;
    const event = firehoseEvent(batch, { sourceKinesisStreamArn: STREAM_ARN });
    const sent: ReingestEntry[] = [];
    const { result } = await transformBatch(event, settings, {
      reingestTarget: async () => ({
        description: 'accepts everything',
        maxBatchRecords: 500,
        maxBatchBytes: 5_000_000,
        send: async (entries) => {
          sent.push(...entries);
          return entries.map(() => undefined);
        },
      }),
      sleep: async () => {},
    });
    expect(result.records.map((record) => record.recordId)).toEqual(event.records.map((record) => record.recordId));
    for (const record of result.records) {
      expect(['Ok', 'Dropped', 'ProcessingFailed']).toContain(record.result);
      expect(record.data === undefined).toBe(record.result !== 'Ok');
    }
    expect(responseLength(result.records)).toBeLessThanOrEqual(settings.responseBudgetBytes);
    for (const entry of sent) expect(entry.data.length).toBeLessThanOrEqual(MAX_REINGEST_RECORD_BYTES);
    batch = sent.map((entry) => Buffer.from(entry.data));
  }
  return passes;
}

describe('hostile input', () => {
  it('always gets one result per record, never throws, and ends within MAX_REINGEST_GENERATIONS + 2 passes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordData, { minLength: 1, maxLength: 6 }), config, async (datas, settings) => {
        const passes = await runUntilTerminal(datas, settings);
        expect(passes).toBeLessThanOrEqual(settings.maxReingestGenerations + 2);
      }),
      { numRuns: 80 },
    );
  });
});

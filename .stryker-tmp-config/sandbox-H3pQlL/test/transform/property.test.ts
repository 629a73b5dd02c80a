/**
 * Property: any valid meter records, logged in any supported form, come out of the transform exactly once,
 * with equal content, whatever the batch layout.
 */
// @ts-nocheck

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transformBatch } from '../../transform/batch.ts';
import { DEFAULT_CONFIG } from '../../transform/config.ts';
import type { LogEvent } from '../../transform/types.ts';
import { meterTimeWindow } from '../../transform/validate.ts';
import { firehoseEvent, formatLogLine, gzipPayload, LOG_FORMS, subscriptionPayload, TRAFFIC_ARRIVAL, TRAFFIC_START } from '../../tools/lib/cloudwatch/payloads.ts';

const nonBlank = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((s) => s.trim().length > 0);
const dimensionName = nonBlank.filter((s) => !['__proto__', 'constructor', 'prototype'].includes(s));

/** Any time the default configuration accepts for records that reach the pipeline at TRAFFIC_ARRIVAL. */
const acceptedTimes = meterTimeWindow(TRAFFIC_ARRIVAL, DEFAULT_CONFIG);

const meterRecord = fc.record(
  {
    meterApiName: nonBlank,
    customerId: nonBlank,
    meterTimeInMillis: fc.integer({ min: acceptedTimes.earliest, max: acceptedTimes.latest }),
    meterValue: fc.double({ noNaN: true, noDefaultInfinity: true }),
    uniqueId: nonBlank,
    dimensions: fc.dictionary(dimensionName, fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxKeys: 5 }),
  },
  { requiredKeys: ['meterApiName', 'customerId', 'meterValue'] },
);

const loggedEvent = fc.record({
  records: fc.array(meterRecord, { minLength: 1, maxLength: 4 }),
  form: fc.constantFrom(...LOG_FORMS),
  separator: fc.constantFrom(' ', '\t', ':', ': '),
  trailer: fc.constantFrom('', ' done', ' (3 ms) {x}'),
});

type Expected = { meterApiName: string; customerId: string; meterTimeInMillis: number; meterValue: number; uniqueId: string; dimensions?: Record<string, string> };

type Generated = typeof meterRecord extends fc.Arbitrary<infer T> ? T : never;

function expectedRecord(r: Generated, event: LogEvent, index: number | undefined): Expected {
  const dims = r.dimensions;
  const expected: Expected = {
    meterApiName: r.meterApiName,
    customerId: r.customerId,
    meterTimeInMillis: r.meterTimeInMillis ?? event.timestamp,
    // JSON has no negative zero.
    meterValue: Object.is(r.meterValue, -0) ? 0 : r.meterValue,
    uniqueId: r.uniqueId ?? (index === undefined ? event.id : `${event.id}-${index}`),
  };
  if (dims !== undefined && Object.keys(dims).length > 0) {
    expected.dimensions = Object.fromEntries(Object.entries(dims).map(([k, v]) => [k, String(v)]));
  }
  return expected;
}

describe('transform properties', () => {
  it('delivers every valid record exactly once with equal content, in any log form', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(loggedEvent, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }), async (batches) => {
        const expected: Expected[] = [];
        let n = 0;
        const payloads = batches.map((batch) => {
          const logEvents = batch.flatMap(({ records, form, separator, trailer }) => {
            // Forms other than `array` carry one record per log event.
            const groups = form === 'array' ? [records] : records.map((r) => [r]);
            return groups.map((group) => {
              n++;
              const timestamp = TRAFFIC_START + n;
              const value = form === 'array' ? group : group[0];
              const event = { id: `3701542${String(n).padStart(49, '0')}`, timestamp, message: formatLogLine(form, value, { prefix: DEFAULT_CONFIG.prefix, timestamp, separator, trailer }) };
              group.forEach((record, i) => expected.push(expectedRecord(record, event, form === 'array' ? i : undefined)));
              return event;
            });
          });
          return gzipPayload(subscriptionPayload(logEvents));
        });
        const { result, stats } = await transformBatch(firehoseEvent(payloads), DEFAULT_CONFIG, {
          reingestTarget: async () => {
            throw new Error('nothing should be re-ingested');
          },
        });
        const delivered = result.records.flatMap((r) =>
          r.result === 'Ok' ? Buffer.from(r.data ?? '', 'base64').toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Expected) : [],
        );
        expect(stats.rejectedMeterRecords).toBe(0);
        expect(delivered).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('never returns more than the budget and always returns each recordId once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 2_000, max: 60_000 }),
        async (eventsPerRecord, budget) => {
          const payloads = eventsPerRecord.map((count, r) =>
            gzipPayload(
              subscriptionPayload(
                Array.from({ length: count }, (_, i) => ({
                  id: `${r}-${i}`,
                  timestamp: TRAFFIC_START,
                  message: formatLogLine('node-text', { meterApiName: 'api', customerId: `c-${i}`, meterValue: i }, { prefix: DEFAULT_CONFIG.prefix, timestamp: 1 }),
                })),
              ),
            ),
          );
          const event = firehoseEvent(payloads);
          const { result } = await transformBatch(event, { ...DEFAULT_CONFIG, responseBudgetBytes: budget, splitTargetBytes: 1_000 }, {
            reingestTarget: async () => ({ description: 'accept', maxBatchRecords: 500, maxBatchBytes: 5_000_000, send: async (e) => e.map(() => undefined) }),
          });
          expect(JSON.stringify(result).length).toBeLessThanOrEqual(budget);
          expect(result.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
        },
      ),
      { numRuns: 100 },
    );
  });
});

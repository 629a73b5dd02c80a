/**
 * Property: in any log form, every record that breaks one rule is rejected with that rule's reason and
 * re-ingested for the error prefix, and every valid record beside it is delivered; nothing is lost or billed
 * by mistake.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transformBatch } from '../../transform/batch.ts';
import { DEFAULT_CONFIG } from '../../transform/config.ts';
import type { RejectReason } from '../../transform/types.ts';
import { MAX_METER_TIME, meterTimeWindow, MIN_METER_TIME } from '../../transform/validate.ts';
import { firehoseEvent, formatLogLine, gzipPayload, LOG_FORMS, subscriptionPayload, TRAFFIC_ARRIVAL, TRAFFIC_START } from '../../tools/lib/cloudwatch/payloads.ts';
import { recordingTarget } from '../support/recording-target.ts';
import { readRejectsPayload, rejectKeys, rejectsOf } from '../support/rejects.ts';

/** The meter times the default configuration accepts for records that reach the pipeline at TRAFFIC_ARRIVAL. */
const acceptedTimes = meterTimeWindow(TRAFFIC_ARRIVAL, DEFAULT_CONFIG);

const nonBlank = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim().length > 0);

const validRecord = fc.record(
  {
    meterApiName: nonBlank,
    customerId: nonBlank,
    meterValue: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    meterTimeInMillis: fc.integer({ min: acceptedTimes.earliest, max: acceptedTimes.latest }),
    uniqueId: nonBlank,
    dimensions: fc.dictionary(fc.constantFrom('region', 'tier', 'zone'), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxKeys: 2 }),
  },
  { requiredKeys: ['meterApiName', 'customerId', 'meterValue'] },
);

const notANonBlankString = fc.constantFrom(undefined, null, '', ' \t', 7, false, ['a'], { a: 1 });
const timeOutsideRange = fc.oneof(
  fc.integer({ min: -1e15, max: MIN_METER_TIME - 1 }),
  fc.integer({ min: MAX_METER_TIME, max: 1e15 }),
  fc.integer({ min: MIN_METER_TIME, max: MAX_METER_TIME - 1 }).map((t) => t + 0.5),
  // Within 2000..2100 but older than the maximum age or later than the future skew allow.
  fc.integer({ min: MIN_METER_TIME, max: acceptedTimes.earliest - 1 }),
  fc.integer({ min: acceptedTimes.latest + 1, max: MAX_METER_TIME - 1 }),
  fc.constantFrom('2022-09-13T18:35:05Z', '+1663094105062', '1.663094105062e12', '', true, [1663094105062], {}),
);

/** One broken rule: the fields that break it, and the reason it must be rejected with. */
const brokenRule: fc.Arbitrary<readonly [RejectReason, Record<string, unknown>]> = fc.oneof(
  notANonBlankString.map((v) => ['INVALID_METER_API_NAME', { meterApiName: v }] as const),
  notANonBlankString.map((v) => ['INVALID_CUSTOMER_ID', { customerId: v }] as const),
  fc
    .oneof(
      fc.constantFrom(undefined, null, '', 'abc', '0x10', '+5', ' 5', '5 ', '01', '.5', '1e999', true, [1], {}),
      fc.string().map((s) => `${s}x`),
    )
    .map((v) => ['INVALID_METER_VALUE', { meterValue: v }] as const),
  timeOutsideRange.map((v) => ['INVALID_METER_TIME', { meterTimeInMillis: v }] as const),
  fc.constantFrom('', ' ', 5, true, ['u'], {}).map((v) => ['INVALID_UNIQUE_ID', { uniqueId: v }] as const),
  fc
    .constantFrom('eu', 5, true, ['eu'], { region: null }, { region: {} }, { region: ['eu'] }, { ' ': 'eu' })
    .map((v) => ['INVALID_DIMENSIONS', { dimensions: v }] as const),
  fc.constantFrom('requestId', 'meter_value', 'MeterValue', 'value').map((k) => ['UNKNOWN_FIELD', { [k]: 1 }] as const),
  fc.constantFrom('__proto__', 'constructor', 'prototype').map((k) => ['FORBIDDEN_KEY', { [k]: { polluted: true } }] as const),
);

interface Entry {
  readonly value: unknown;
  /** Undefined for a valid record. */
  readonly reason?: RejectReason;
}

const entry: fc.Arbitrary<Entry> = fc.oneof(
  validRecord.map((value) => ({ value })),
  fc.tuple(validRecord, brokenRule).map(([record, [reason, fields]]) => ({ value: { ...record, ...fields }, reason })),
);

/** Array elements may also be no object at all. */
const arrayEntry: fc.Arbitrary<Entry> = fc.oneof(
  entry,
  fc.constantFrom(1, 'text', null, true, [{}]).map((value) => ({ value, reason: 'NOT_AN_OBJECT' as const })),
);

const loggedEvent = fc.oneof(
  fc.record({ form: fc.constantFrom(...LOG_FORMS.filter((f) => f !== 'array')), entries: fc.array(entry, { minLength: 1, maxLength: 3 }) }),
  fc.record({ form: fc.constant('array' as const), entries: fc.array(arrayEntry, { minLength: 1, maxLength: 4 }) }),
);

interface ExpectedReject {
  readonly reason: RejectReason;
  readonly id: string;
  readonly index?: number;
}

describe('transform properties with invalid records', () => {
  it('rejects each record that breaks a rule with its reason, and delivers every valid record beside it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(loggedEvent, { minLength: 1, maxLength: 8 }), async (loggedEvents) => {
        const delivered: unknown[] = [];
        const rejected: ExpectedReject[] = [];
        const logEvents = loggedEvents.flatMap(({ form, entries }, n) => {
          const groups = form === 'array' ? [entries] : entries.map((e) => [e]);
          return groups.map((group, g) => {
            const id = `${n}-${g}`;
            const value = form === 'array' ? group.map((e) => e.value) : group[0]?.value;
            group.forEach(({ value: record, reason }, i) => {
              const index = form === 'array' ? i : undefined;
              if (reason === undefined) delivered.push((record as { meterApiName: string }).meterApiName);
              else rejected.push(index === undefined ? { reason, id } : { reason, id, index });
            });
            return { id, timestamp: TRAFFIC_START, message: formatLogLine(form, value, { prefix: DEFAULT_CONFIG.prefix, timestamp: TRAFFIC_START }) };
          });
        });
        const { target, sent } = recordingTarget();
        const { result } = await transformBatch(firehoseEvent([gzipPayload(subscriptionPayload(logEvents))]), DEFAULT_CONFIG, {
          reingestTarget: async () => target,
        });
        const lines = result.records.flatMap((r) => (r.result === 'Ok' ? Buffer.from(r.data ?? '', 'base64').toString('utf8').split('\n').filter(Boolean) : []));
        expect(lines.map((line) => (JSON.parse(line) as { meterApiName: string }).meterApiName)).toEqual(delivered);
        const payloads = sent.map((e) => readRejectsPayload(e.data));
        expect(payloads.flatMap(rejectKeys)).toEqual(rejected);
        for (const reject of payloads.flatMap(rejectsOf)) expect(reject.detail.length).toBeGreaterThan(0);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });
});

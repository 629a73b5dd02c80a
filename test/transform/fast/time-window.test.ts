/**
 * The fast path must keep to the meter time rules: a time (given, or the log event's timestamp taken for a
 * missing one) outside the record's window is never encoded by it, and whatever it encodes is what the general
 * path encodes. Windows, times around their edges and malformed event timestamps are generated.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transformRecordData } from '../../../transform/batch.ts';
import { DEFAULT_CONFIG } from '../../../transform/config.ts';
import { encodeMeterRecord } from '../../../transform/encode.ts';
import { parseRecordText } from '../../../transform/extract.ts';
import { fastEncodeRecord } from '../../../transform/fast/scanner.ts';
import { transformPayload } from '../../../transform/payload.ts';
import { meterTimeWindow, normalizeMeterRecord, type MeterTimeWindow } from '../../../transform/validate.ts';
import { formatLogLine, gzipPayload, LOG_FORMS, subscriptionPayload, TRAFFIC_ARRIVAL } from '../../../tools/lib/cloudwatch/payloads.ts';

const EVENT_ID = '37015421234567890123456789012345678901234567890123456789';
const DAY_MS = 86_400_000;

const window = fc
  .record({ arrival: fc.integer({ min: TRAFFIC_ARRIVAL - 400 * DAY_MS, max: TRAFFIC_ARRIVAL }), maxMeterAgeDays: fc.constantFrom(0, 1, 60), maxFutureSkewSeconds: fc.constantFrom(0, 300) })
  .map(({ arrival, ...limits }) => meterTimeWindow(arrival, limits));

/** Times at and around the window's edges, anywhere in range, and malformed ones. */
const timeFor = (w: MeterTimeWindow) =>
  fc.oneof(
    fc.constantFrom(w.earliest - 1, w.earliest, w.earliest + 1, w.latest - 1, w.latest, w.latest + 1, w.arrival),
    fc.integer({ min: w.earliest - 2 * DAY_MS, max: w.latest + 2 * DAY_MS }),
    fc.constantFrom(1.5, -1, 0, 1_795_597_200, 1e21, 12_345_678_901_234, 4_200_000_000_000),
  );

function generalLine(text: string, eventTime: number, timeWindow: MeterTimeWindow): string | undefined {
  const found = parseRecordText(text, 0);
  if (found.kind !== 'record') return undefined;
  const result = normalizeMeterRecord(found.value, { defaultTimeInMillis: eventTime, derivedUniqueId: EVENT_ID, unknownFields: 'reject', timeWindow });
  return result.ok ? encodeMeterRecord(result.record) : undefined;
}

describe('meter time window on the fast path', () => {
  it('fastEncodeRecord encodes only what the general path accepts, and the same bytes', () => {
    fc.assert(
      fc.property(
        window.chain((w) => fc.tuple(fc.constant(w), timeFor(w), timeFor(w), fc.boolean())),
        ([w, recordTime, eventTime, withTime]) => {
          const record = { meterApiName: 'api-calls', customerId: 'c-1', ...(withTime ? { meterTimeInMillis: recordTime } : {}), meterValue: 1 };
          const text = JSON.stringify(record);
          const fast = fastEncodeRecord(text, 0, JSON.stringify(EVENT_ID), eventTime, w);
          const general = generalLine(text, eventTime, w);
          if (fast !== undefined) expect(fast).toBe(general);
          if (general === undefined) expect(fast).toBeUndefined();
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('transformRecordData (whole payloads, read from their bytes) agrees with the general path', () => {
    fc.assert(
      fc.property(
        window.chain((w) =>
          fc.tuple(
            fc.constant(w),
            fc.array(fc.tuple(fc.constantFrom(...LOG_FORMS), timeFor(w), fc.option(timeFor(w), { nil: undefined })), { minLength: 1, maxLength: 8 }),
          ),
        ),
        ([w, specs]) => {
          const logEvents = specs.map(([form, eventTime, recordTime], i) => ({
            id: `${EVENT_ID.slice(0, 50)}${String(i).padStart(6, '0')}`,
            timestamp: eventTime,
            message: formatLogLine(form, { meterApiName: 'api-calls', customerId: `c-${i}`, ...(recordTime === undefined ? {} : { meterTimeInMillis: recordTime }), meterValue: i }, { prefix: DEFAULT_CONFIG.prefix, timestamp: TRAFFIC_ARRIVAL }),
          }));
          const payload = subscriptionPayload(logEvents);
          const outcome = transformRecordData(gzipPayload(payload).toString('base64'), DEFAULT_CONFIG, w);
          const general = transformPayload(JSON.parse(JSON.stringify(payload)), DEFAULT_CONFIG, w);
          const ndjson = outcome.kind === 'transformed' ? outcome.result.ndjson.toString() : '';
          const rejects = outcome.kind === 'transformed' ? outcome.result.rejects.map((r) => [r.reason, r.detail, r.index, r.logEvent.id]) : [];
          expect(ndjson).toBe(general.ndjson.toString());
          expect(rejects).toEqual(general.rejects.map((r) => [r.reason, r.detail, r.index, r.logEvent.id]));
        },
      ),
      { numRuns: 300 },
    );
  });
});

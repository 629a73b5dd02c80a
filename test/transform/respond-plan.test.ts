/**
 * planResponse on outcomes built by hand: what a record becomes when its rejects or its pieces cannot be
 * re-ingested, and how failed re-ingests turn planned results into ProcessingFailed.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../transform/config.ts';
import type { PayloadResult } from '../../transform/payload.ts';
import { MAX_REINGEST_RECORD_BYTES } from '../../transform/repack.ts';
import { applyReingestFailures, planResponse, responseLength, type RecordOutcome } from '../../transform/respond.ts';
import type { LogEvent, Reject } from '../../transform/types.ts';
import { subscriptionPayload } from '../../tools/lib/cloudwatch/payloads.ts';

const payload = subscriptionPayload([]);
/** A log event too large to re-ingest: its message alone gzips to more than one Kinesis record. */
const hugeEvent: LogEvent = { id: 'huge', timestamp: 1663094105062, message: randomBytes(MAX_REINGEST_RECORD_BYTES).toString('base64') };
const smallEvent: LogEvent = { id: 'small', timestamp: 1663094105062, message: 'x' };
const ndjson = Buffer.from('{"meterApiName":"a"}\n');

function transformed(result: Partial<PayloadResult>, events: readonly LogEvent[] = []): RecordOutcome {
  return {
    kind: 'transformed',
    payload,
    result: {
      ndjson: Buffer.alloc(0),
      meterRecords: 0,
      rejects: [],
      meterEvents: () => ({ events, outputLengths: events.map(() => ndjson.length) }),
      ...result,
    },
  };
}

const rejectOf = (logEvent: LogEvent): Reject => ({ reason: 'INVALID_JSON', detail: 'd', logEvent });

describe('planResponse', () => {
  it('fails a record whose rejects cannot be re-ingested, and returns none of its data', () => {
    const plan = planResponse(['r0'], [transformed({ ndjson, meterRecords: 1, rejects: [rejectOf(hugeEvent)] })], DEFAULT_CONFIG);
    expect(plan).toEqual({ records: [{ recordId: 'r0', result: 'ProcessingFailed' }], jobs: [], failures: new Map([[0, 'REINGEST_FAILED']]) });
  });

  it('fails a record with only rejects that cannot be re-ingested', () => {
    const plan = planResponse(['r0', 'r1'], [{ kind: 'dropped', cause: 'NO_METER_RECORDS' }, transformed({ rejects: [rejectOf(hugeEvent)] })], DEFAULT_CONFIG);
    expect(plan.records).toEqual([
      { recordId: 'r0', result: 'Dropped' },
      { recordId: 'r1', result: 'ProcessingFailed' },
    ]);
    expect(plan.failures).toEqual(new Map([[1, 'REINGEST_FAILED']]));
  });

  it('drops a record with only rejects, and plans their re-ingest', () => {
    const plan = planResponse(['r0'], [transformed({ rejects: [rejectOf(smallEvent)] })], DEFAULT_CONFIG);
    expect(plan.records).toEqual([{ recordId: 'r0', result: 'Dropped' }]);
    expect(plan.jobs).toEqual([{ recordIndex: 0, purpose: 'rejects', payloads: [expect.any(Buffer)] }]);
    expect(plan.failures.size).toBe(0);
  });

  it('fails a record too large for the response whose pieces cannot be re-ingested', () => {
    const outcome = transformed({ ndjson, meterRecords: 1 }, [hugeEvent]);
    const plan = planResponse(['r0'], [outcome], { ...DEFAULT_CONFIG, responseBudgetBytes: 50, splitTargetBytes: 1_000 });
    expect(plan).toEqual({ records: [{ recordId: 'r0', result: 'ProcessingFailed' }], jobs: [], failures: new Map([[0, 'REINGEST_FAILED']]) });
  });

  it('returns the data of a record that fits the budget, base64-encoded', () => {
    const plan = planResponse(['r0'], [transformed({ ndjson, meterRecords: 1 })], DEFAULT_CONFIG);
    expect(plan.records).toEqual([{ recordId: 'r0', result: 'Ok', data: ndjson.toString('base64') }]);
    expect(plan.jobs).toEqual([]);
  });

  it.each([1, 2, 3, 4])('counts the base64 length of %i bytes of output exactly against the budget', (bytes) => {
    const data = Buffer.alloc(bytes, 0x61);
    const config = (responseBudgetBytes: number) => ({ ...DEFAULT_CONFIG, responseBudgetBytes, splitTargetBytes: 1_000 });
    // Alone in the response: it fits to the byte, or, one byte over, it is one log event no split can make fit.
    const alone = responseLength([{ recordId: 'r0', result: 'Ok', data: data.toString('base64') }]);
    const outcome = transformed({ ndjson: data, meterRecords: 1 }, [smallEvent]);
    expect(planResponse(['r0'], [outcome], config(alone)).records[0]?.result).toBe('Ok');
    const tooLarge = planResponse(['r0'], [outcome], config(alone - 1));
    expect(tooLarge).toEqual({ records: [{ recordId: 'r0', result: 'ProcessingFailed' }], jobs: [], failures: new Map([[0, 'OUTPUT_TOO_LARGE']]) });
    // After another record: one byte over what is left, it is split for re-ingest instead. (Up to 3 bytes of
    // output cost no more than the ProcessingFailed entry reserved for every record, so 30 more bytes here.)
    const longer = Buffer.alloc(30 + bytes, 0x61);
    const outcomes = [transformed({ ndjson, meterRecords: 1 }), transformed({ ndjson: longer, meterRecords: 1 }, [smallEvent])];
    const both = responseLength([
      { recordId: 'r0', result: 'Ok', data: ndjson.toString('base64') },
      { recordId: 'r1', result: 'Ok', data: longer.toString('base64') },
    ]);
    expect(planResponse(['r0', 'r1'], outcomes, config(both)).records.map((r) => r.result)).toEqual(['Ok', 'Ok']);
    const over = planResponse(['r0', 'r1'], outcomes, config(both - 1));
    expect(over.records.map((r) => r.result)).toEqual(['Ok', 'Dropped']);
    expect(over.jobs).toEqual([{ recordIndex: 1, purpose: 'split', payloads: [expect.any(Buffer)] }]);
  });
});

describe('applyReingestFailures', () => {
  it('returns the plan as it is when every re-ingest succeeded', () => {
    const plan = planResponse(['r0'], [transformed({ rejects: [rejectOf(smallEvent)] })], DEFAULT_CONFIG);
    expect(applyReingestFailures(plan, new Set())).toBe(plan);
  });

  it('turns the records of failed jobs into ProcessingFailed and keeps the others and earlier failures', () => {
    const outcomes: RecordOutcome[] = [
      transformed({ ndjson, meterRecords: 1, rejects: [rejectOf(smallEvent)] }),
      transformed({ rejects: [rejectOf(smallEvent)] }),
      { kind: 'failed', reason: 'INVALID_ENVELOPE', detail: 'd' },
    ];
    const plan = planResponse(['r0', 'r1', 'r2'], outcomes, DEFAULT_CONFIG);
    const failed = new Set([plan.jobs[0] as (typeof plan.jobs)[number]]);
    const applied = applyReingestFailures(plan, failed);
    expect(applied.records).toEqual([
      { recordId: 'r0', result: 'ProcessingFailed' },
      { recordId: 'r1', result: 'Dropped' },
      { recordId: 'r2', result: 'ProcessingFailed' },
    ]);
    expect(applied.failures).toEqual(new Map([[2, 'INVALID_ENVELOPE'], [0, 'REINGEST_FAILED']]));
    expect(applied.jobs).toBe(plan.jobs);
    expect(plan.records[0]?.result).toBe('Ok');
  });
});

/**
 * The differential check of the fast path: transformRecordData's outcome for some bytes against the general rules,
 * event by event, with no fast path at all (extractRecord, normalizeMeterRecord, encodeMeterRecord).
 */
import { Buffer } from 'node:buffer';
import { expect } from 'vitest';
import { transformRecordData } from '../../../transform/batch.ts';
import { DEFAULT_CONFIG, type TransformConfig } from '../../../transform/config.ts';
import { parseRecordJson } from '../../../transform/decode.ts';
import { encodeMeterRecord } from '../../../transform/encode.ts';
import { extractRecord } from '../../../transform/extract.ts';
import { transformDataMessage } from '../../../transform/fast/fast-payload.ts';
import type { RecordOutcome } from '../../../transform/respond.ts';
import type { LogEvent, Reject } from '../../../transform/types.ts';
import { deriveUniqueId, normalizeMeterRecord, uniqueIdPrefix } from '../../../transform/validate.ts';

export const PREFIX = DEFAULT_CONFIG.prefix;

interface Expected {
  readonly ndjson: string;
  readonly meterRecords: number;
  readonly rejects: readonly Reject[];
  readonly events: readonly LogEvent[];
  readonly outputLengths: readonly number[];
}

/** The general rules, event by event, with no fast path at all, for the log events of a payload from `owner`. */
export function generalPath(logEvents: readonly LogEvent[], config: TransformConfig, owner: string): Expected {
  const idPrefix = uniqueIdPrefix(owner, config.homeAccountId);
  let ndjson = '';
  let meterRecords = 0;
  const rejects: Reject[] = [];
  const events: LogEvent[] = [];
  const outputLengths: number[] = [];
  for (const logEvent of logEvents) {
    const extraction = extractRecord(logEvent.message, config.prefix);
    if (extraction.kind === 'none') continue;
    events.push(logEvent);
    const before = ndjson.length;
    if (extraction.kind === 'error') {
      rejects.push({ reason: extraction.reason, detail: extraction.detail, logEvent });
    } else {
      const { value } = extraction;
      const values: readonly unknown[] = Array.isArray(value) ? value : [value];
      values.forEach((item, i) => {
        const index = values === value ? i : undefined;
        const validation = normalizeMeterRecord(item, {
          defaultTimeInMillis: logEvent.timestamp,
          derivedUniqueId: deriveUniqueId(logEvent.id, index, idPrefix),
          unknownFields: config.unknownFields,
        });
        if (validation.ok) {
          ndjson += encodeMeterRecord(validation.record);
          meterRecords++;
        } else {
          const base = { reason: validation.reason, detail: validation.detail };
          rejects.push(index === undefined ? { ...base, logEvent } : { ...base, index, logEvent });
        }
      });
    }
    outputLengths.push(ndjson.length - before);
  }
  return { ndjson, meterRecords, rejects, events, outputLengths };
}

/** The rejects a reject stands for, one per record (a run of `count` records becomes `count` rejects). */
export function eachRejectedRecord({ count, index, ...reject }: Reject): Reject[] {
  if (index === undefined) return [reject];
  return Array.from({ length: count ?? 1 }, (_, i) => ({ ...reject, index: index + i }));
}

/** transformRecordData's outcome must be the one the general path implies for the same bytes. */
export function expectSameOutcome(json: string | Buffer, config: TransformConfig = DEFAULT_CONFIG): RecordOutcome {
  const bytes = Buffer.from(json);
  const outcome = transformRecordData(bytes.toString('base64'), config);
  const decoded = parseRecordJson(bytes);
  if (decoded.kind !== 'cloudwatch' || decoded.payload.messageType !== 'DATA_MESSAGE') {
    expect(transformDataMessage(bytes, config)).toBeUndefined();
    expect(outcome.kind).not.toBe('transformed');
    return outcome;
  }
  const expected = generalPath(decoded.payload.logEvents, config, decoded.payload.owner);
  if (expected.meterRecords === 0 && expected.rejects.length === 0) {
    expect(outcome).toEqual({ kind: 'dropped', cause: 'NO_METER_RECORDS' });
    return outcome;
  }
  expect(outcome.kind).toBe('transformed');
  if (outcome.kind !== 'transformed') return outcome;
  const { payload, result } = outcome;
  // Bytes, not text: a byte that is not UTF-8 would decode to the same replacement character.
  expect(result.ndjson.toString('latin1')).toBe(Buffer.from(expected.ndjson, 'utf8').toString('latin1'));
  expect(result.meterRecords).toBe(expected.meterRecords);
  expect(result.rejects.flatMap(eachRejectedRecord)).toEqual(expected.rejects);
  expect(result.meterEvents()).toEqual({ events: expected.events, outputLengths: expected.outputLengths });
  expect({ ...payload, logEvents: [] }).toEqual({ ...decoded.payload, logEvents: [] });
  return outcome;
}

/** Validates one extracted value and normalizes it into an Amberflo ingest record. */
import type { TransformConfig, UnknownFieldPolicy } from './config.ts';
import { describe } from './decode.ts';
import type { MeterRecord, RejectReason } from './types.ts';

export type Validation =
  | { readonly ok: true; readonly record: MeterRecord }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

export interface RecordContext {
  /** Used when the record has no meterTimeInMillis: the log event's timestamp (validated as a given time is). */
  readonly defaultTimeInMillis: number;
  /** Used when the record has no uniqueId: derived from the log event, so retries never double-bill. */
  readonly derivedUniqueId: string;
  readonly unknownFields: UnknownFieldPolicy;
  /** The meter times accepted for this record; by default any in MIN_METER_TIME..MAX_METER_TIME. */
  readonly timeWindow?: MeterTimeWindow;
}

/** Keys that could reach an object's prototype if a consumer copied the record naively. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Epoch-millisecond range accepted for meterTimeInMillis: 2000-01-01 to 2100-01-01 (UTC). */
export const MIN_METER_TIME = Date.UTC(2000, 0, 1);
export const MAX_METER_TIME = Date.UTC(2100, 0, 1);
const DAY_MS = 86_400_000;

/**
 * The meterTimeInMillis a record may carry, both bounds included: within MIN_METER_TIME..MAX_METER_TIME, no
 * older than the maximum age and no later than the future skew allow, counted from `arrival`, when the record
 * reached the pipeline.
 */
export interface MeterTimeWindow {
  readonly arrival: number;
  readonly earliest: number;
  readonly latest: number;
}

/** Any time in MIN_METER_TIME..MAX_METER_TIME: the window when the record's arrival is not known. */
export const WHOLE_METER_TIME_RANGE: MeterTimeWindow = { arrival: Number.NaN, earliest: MIN_METER_TIME, latest: MAX_METER_TIME - 1 };

/**
 * The window for a record that reached the pipeline at `arrival` (Firehose's approximateArrivalTimestamp, so
 * the same record always gets the same verdict). Amberflo drops records older than its backfill window (60 days
 * by default) without telling anyone; rejecting them here keeps them visible and replayable.
 */
export function meterTimeWindow(arrival: number, limits: Pick<TransformConfig, 'maxMeterAgeDays' | 'maxFutureSkewSeconds'>): MeterTimeWindow {
  const earliest = limits.maxMeterAgeDays === 0 ? MIN_METER_TIME : Math.max(MIN_METER_TIME, arrival - limits.maxMeterAgeDays * DAY_MS);
  const latest = Math.min(MAX_METER_TIME - 1, arrival + limits.maxFutureSkewSeconds * 1000);
  return { arrival, earliest, latest };
}

const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INTEGER = /^\d+$/;

function fail(reason: RejectReason, detail: string): Validation {
  return { ok: false, reason, detail };
}

/**
 * The uniqueId of a record that has none: the CloudWatch Logs event id (unique per log event), and the
 * record's position when the event carries an array; `ownerPrefix` (uniqueIdPrefix) goes before both.
 */
export function deriveUniqueId(eventId: string, index: number | undefined, ownerPrefix = ''): string {
  return index === undefined ? `${ownerPrefix}${eventId}` : `${ownerPrefix}${eventId}-${index}`;
}

/**
 * What the derived uniqueIds of a payload from `owner` start with. Event ids are unique within one account's log
 * groups only, so a record sent from another account (a cross-account subscription) starts with `<owner>-`. The
 * pipeline's own account, and every account when no home account is configured, get no prefix: the ids they were
 * always given stay the same.
 */
export function uniqueIdPrefix(owner: string, homeAccountId: string): string {
  return homeAccountId === '' || owner === homeAccountId ? '' : `${owner}-`;
}

export function normalizeMeterRecord(value: unknown, context: RecordContext): Validation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('NOT_AN_OBJECT', `a meter record must be a JSON object, got ${describe(value)}`);
  }
  const input = value as Record<string, unknown>;
  let meterApiName: unknown;
  let customerId: unknown;
  let meterTimeInMillis: unknown;
  let meterValue: unknown;
  let uniqueId: unknown;
  let dimensions: unknown;
  for (const key in input) {
    const field = input[key];
    switch (key) {
      case 'meterApiName': meterApiName = field; break;
      case 'customerId': customerId = field; break;
      case 'meterTimeInMillis': meterTimeInMillis = field; break;
      case 'meterValue': meterValue = field; break;
      case 'uniqueId': uniqueId = field; break;
      case 'dimensions': dimensions = field; break;
      default:
        if (FORBIDDEN_KEYS.has(key)) return fail('FORBIDDEN_KEY', `field name "${key}" is not allowed`);
        if (context.unknownFields === 'reject') {
          return fail('UNKNOWN_FIELD', `unknown field "${truncate(key)}" (set UNKNOWN_FIELDS=drop to ignore unknown fields)`);
        }
    }
  }
  if (!isNonBlankString(meterApiName)) {
    return fail('INVALID_METER_API_NAME', `meterApiName must be a non-empty string, got ${describe(meterApiName)}`);
  }
  if (!isNonBlankString(customerId)) {
    return fail('INVALID_CUSTOMER_ID', `customerId must be a non-empty string, got ${describe(customerId)}`);
  }
  const normalizedValue = toMeterValue(meterValue);
  if (normalizedValue === undefined) {
    return fail('INVALID_METER_VALUE', `meterValue must be a finite number, got ${describeNumberLike(meterValue)}`);
  }
  const given = meterTimeInMillis !== undefined && meterTimeInMillis !== null;
  const time = toMeterTime(
    given ? meterTimeInMillis : context.defaultTimeInMillis,
    given ? 'meterTimeInMillis' : 'the log event timestamp (taken as meterTimeInMillis)',
    context.timeWindow ?? WHOLE_METER_TIME_RANGE,
  );
  if (typeof time === 'string') return fail('INVALID_METER_TIME', time);
  let id = context.derivedUniqueId;
  if (uniqueId !== undefined && uniqueId !== null) {
    if (!isNonBlankString(uniqueId)) {
      return fail('INVALID_UNIQUE_ID', `uniqueId must be a non-empty string, got ${describe(uniqueId)}`);
    }
    id = uniqueId;
  }
  const record = { meterApiName, customerId, meterTimeInMillis: time, meterValue: normalizedValue, uniqueId: id };
  if (dimensions === undefined || dimensions === null) return { ok: true, record };
  const normalized = toDimensions(dimensions);
  if (!normalized.ok) return normalized;
  return { ok: true, record: normalized.dimensions === undefined ? record : { ...record, dimensions: normalized.dimensions } };
}

function isNonBlankString(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function truncate(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

function toMeterValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && DECIMAL.test(value)) {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

function describeNumberLike(value: unknown): string {
  return typeof value === 'string' && value !== '' ? `the string "${truncate(value)}"` : describe(value);
}

/** The epoch-millisecond time `value` (named `what` in details) within `window`, or the reason it is not one. */
function toMeterTime(value: unknown, what: string, window: MeterTimeWindow): number | string {
  let millis: number;
  if (typeof value === 'number') millis = value;
  else if (typeof value === 'string' && INTEGER.test(value)) millis = Number(value);
  else return `${what} must be an integer epoch time in milliseconds, got ${describeNumberLike(value)}`;
  if (!Number.isInteger(millis)) {
    return `${what} must be an integer epoch time in milliseconds, got ${millis}`;
  }
  if (millis >= MIN_METER_TIME / 1000 && millis < MAX_METER_TIME / 1000) {
    return `${what} ${millis} looks like seconds: multiply by 1000`;
  }
  if (millis < MIN_METER_TIME || millis >= MAX_METER_TIME) {
    return `${what} ${millis} is outside 2000-01-01..2100-01-01 in epoch milliseconds`;
  }
  if (millis < window.earliest) {
    const days = Math.round((window.arrival - window.earliest) / DAY_MS);
    return (
      `${what} ${millis} (${isoTime(millis)}) is more than ${days} days before the record reached the pipeline ` +
      `(${isoTime(window.arrival)}): Amberflo would drop it as outside its backfill window (MAX_METER_AGE_DAYS)`
    );
  }
  if (millis > window.latest) {
    const seconds = Math.round((window.latest - window.arrival) / 1000);
    return (
      `${what} ${millis} (${isoTime(millis)}) is more than ${seconds} s after the record reached the pipeline ` +
      `(${isoTime(window.arrival)}): a time in the future (MAX_FUTURE_SKEW_SECONDS)`
    );
  }
  return millis;
}

function isoTime(millis: number): string {
  return new Date(millis).toISOString();
}

type Failure = Extract<Validation, { ok: false }>;

/**
 * A flat string→string map, in the record's own key order; numbers and booleans become strings. Returns the
 * failure when it is not one.
 */
function toDimensions(value: unknown): { readonly ok: true; readonly dimensions?: Record<string, string> } | Failure {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'INVALID_DIMENSIONS', detail: `dimensions must be an object of strings, got ${describe(value)}` };
  }
  const input = value as Record<string, unknown>;
  const keys = Object.keys(input);
  if (keys.length === 0) return { ok: true };
  // A plain object is safe (and fast to serialize): `__proto__` is refused before anything is assigned.
  const output: Record<string, string> = {};
  for (const key of keys) {
    if (FORBIDDEN_KEYS.has(key)) return { ok: false, reason: 'FORBIDDEN_KEY', detail: `field name "dimensions.${key}" is not allowed` };
    if (key.trim() === '') return { ok: false, reason: 'INVALID_DIMENSIONS', detail: 'dimension names must be non-empty strings' };
    const dimension = input[key];
    if (typeof dimension === 'string') output[key] = dimension;
    else if ((typeof dimension === 'number' && Number.isFinite(dimension)) || typeof dimension === 'boolean') {
      output[key] = String(dimension);
    } else {
      const detail = `dimension "${truncate(key)}" must be a string, number or boolean, got ${describe(dimension)}`;
      return { ok: false, reason: 'INVALID_DIMENSIONS', detail };
    }
  }
  return { ok: true, dimensions: output };
}

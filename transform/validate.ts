/** Validates one extracted value and normalizes it into an Amberflo ingest record. */
import type { UnknownFieldPolicy } from './config.ts';
import { describe } from './decode.ts';
import type { MeterRecord, RejectReason } from './types.ts';

export type Validation =
  | { readonly ok: true; readonly record: MeterRecord }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

export interface RecordContext {
  /** Used when the record has no meterTimeInMillis: the log event's timestamp. */
  readonly defaultTimeInMillis: number;
  /** Used when the record has no uniqueId: derived from the log event, so retries never double-bill. */
  readonly derivedUniqueId: string;
  readonly unknownFields: UnknownFieldPolicy;
}

/** Keys that could reach an object's prototype if a consumer copied the record naively. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Epoch-millisecond range accepted for meterTimeInMillis: 2000-01-01 to 2100-01-01 (UTC). */
export const MIN_METER_TIME = Date.UTC(2000, 0, 1);
export const MAX_METER_TIME = Date.UTC(2100, 0, 1);
const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INTEGER = /^\d+$/;

function fail(reason: RejectReason, detail: string): Validation {
  return { ok: false, reason, detail };
}

/**
 * The uniqueId of a record that has none: the CloudWatch Logs event id (unique per log event), and the
 * record's position when the event carries an array.
 */
export function deriveUniqueId(eventId: string, index: number | undefined): string {
  return index === undefined ? eventId : `${eventId}-${index}`;
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
  let time = context.defaultTimeInMillis;
  if (meterTimeInMillis !== undefined && meterTimeInMillis !== null) {
    const normalizedTime = toEpochMillis(meterTimeInMillis);
    if (typeof normalizedTime === 'string') return fail('INVALID_METER_TIME', normalizedTime);
    time = normalizedTime;
  }
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

/** The epoch-millisecond time, or the reason it is not one. */
function toEpochMillis(value: unknown): number | string {
  let millis: number;
  if (typeof value === 'number') millis = value;
  else if (typeof value === 'string' && INTEGER.test(value)) millis = Number(value);
  else return `meterTimeInMillis must be an integer epoch time in milliseconds, got ${describeNumberLike(value)}`;
  if (!Number.isInteger(millis)) {
    return `meterTimeInMillis must be an integer epoch time in milliseconds, got ${millis}`;
  }
  if (millis >= MIN_METER_TIME / 1000 && millis < MAX_METER_TIME / 1000) {
    return `meterTimeInMillis ${millis} looks like seconds: multiply by 1000`;
  }
  if (millis < MIN_METER_TIME || millis >= MAX_METER_TIME) {
    return `meterTimeInMillis ${millis} is outside 2000-01-01..2100-01-01 in epoch milliseconds`;
  }
  return millis;
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

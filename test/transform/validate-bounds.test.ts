/**
 * The edges of each validation rule: exact time bounds, the number formats a string may use, and the values
 * that look close enough to pass a loose check (`'0x10'`, `' 5'`, `true` as a time).
 */
import { describe, expect, it } from 'vitest';
import { MAX_METER_TIME, MIN_METER_TIME, normalizeMeterRecord, type RecordContext } from '../../transform/validate.ts';

const context: RecordContext = { defaultTimeInMillis: 1663094100000, derivedUniqueId: 'event-1', unknownFields: 'reject' };
const valid = { meterApiName: 'api-calls', customerId: 'c-1', meterTimeInMillis: 1663094105062, meterValue: 1 };

const normalize = (fields: Record<string, unknown>, ctx = context) => normalizeMeterRecord({ ...valid, ...fields }, ctx);

function rejected(fields: Record<string, unknown>, ctx = context) {
  const result = normalize(fields, ctx);
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.record)}`);
  return { reason: result.reason, detail: result.detail };
}

describe('meterTimeInMillis', () => {
  it('accepts both ends of 2000-01-01..2100-01-01 (end exclusive), as numbers and as strings', () => {
    for (const time of [MIN_METER_TIME, MAX_METER_TIME - 1]) {
      expect(normalize({ meterTimeInMillis: time })).toMatchObject({ ok: true, record: { meterTimeInMillis: time } });
      expect(normalize({ meterTimeInMillis: String(time) })).toMatchObject({ ok: true, record: { meterTimeInMillis: time } });
    }
  });

  it.each([MIN_METER_TIME - 1, MAX_METER_TIME, 0, -1663094105062])('refuses %i as outside the range', (time) => {
    expect(rejected({ meterTimeInMillis: time })).toEqual({
      reason: 'INVALID_METER_TIME',
      detail: `meterTimeInMillis ${time} is outside 2000-01-01..2100-01-01 in epoch milliseconds`,
    });
  });

  it.each([MIN_METER_TIME / 1000, MAX_METER_TIME / 1000 - 1])('refuses %i as seconds, at both ends of the range', (time) => {
    expect(rejected({ meterTimeInMillis: time })).toEqual({
      reason: 'INVALID_METER_TIME',
      detail: `meterTimeInMillis ${time} looks like seconds: multiply by 1000`,
    });
  });

  it.each([MIN_METER_TIME / 1000 - 1, MAX_METER_TIME / 1000])('refuses %i, just outside the seconds range, as outside the range', (time) => {
    expect(rejected({ meterTimeInMillis: time }).detail).toBe(
      `meterTimeInMillis ${time} is outside 2000-01-01..2100-01-01 in epoch milliseconds`,
    );
  });

  it.each([
    ['+1663094105062', 'the string "+1663094105062"'],
    [' 1663094105062', 'the string " 1663094105062"'],
    ['1663094105062 ', 'the string "1663094105062 "'],
    ['1.663094105062e12', 'the string "1.663094105062e12"'],
    ['0x18336FE2B26', 'the string "0x18336FE2B26"'],
    ['1663094105062.0', 'the string "1663094105062.0"'],
    ['-1', 'the string "-1"'],
    ['', 'an empty string'],
    [true, 'a boolean'],
    [[1663094105062], 'an array'],
    [{ millis: 1663094105062 }, 'an object'],
  ])('refuses %j as not an integer epoch time', (time, got) => {
    expect(rejected({ meterTimeInMillis: time })).toEqual({
      reason: 'INVALID_METER_TIME',
      detail: `meterTimeInMillis must be an integer epoch time in milliseconds, got ${got}`,
    });
  });

  it('names the fraction it refuses', () => {
    expect(rejected({ meterTimeInMillis: 1663094105062.5 }).detail).toBe(
      'meterTimeInMillis must be an integer epoch time in milliseconds, got 1663094105062.5',
    );
  });
});

describe('meterValue', () => {
  it.each([
    ['3', 3],
    ['0', 0],
    ['-7', -7],
    ['10.25', 10.25],
    ['1e3', 1000],
    ['1E3', 1000],
    ['2.5e-3', 0.0025],
    ['-4e+2', -400],
  ])('reads the decimal string %j as %d', (value, expected) => {
    expect(normalize({ meterValue: value })).toMatchObject({ ok: true, record: { meterValue: expected } });
  });

  it.each(['0x10', '+5', ' 5', '5 ', 'abc123', '123abc', '01', '.5', '5.', '1e', '1_000', 'Infinity', '-', '1e999'])(
    'refuses the string %j, which Number() or a looser pattern would read',
    (value) => {
      expect(rejected({ meterValue: value })).toEqual({
        reason: 'INVALID_METER_VALUE',
        detail: `meterValue must be a finite number, got the string "${value}"`,
      });
    },
  );

  it.each([
    [Number.POSITIVE_INFINITY, 'a number'],
    [Number.NaN, 'a number'],
    ['', 'an empty string'],
    [true, 'a boolean'],
    [undefined, 'nothing (the field is missing)'],
  ])('refuses %s', (value, got) => {
    expect(rejected({ meterValue: value })).toEqual({ reason: 'INVALID_METER_VALUE', detail: `meterValue must be a finite number, got ${got}` });
  });

  it('shortens a long string in the detail to 64 characters', () => {
    expect(rejected({ meterValue: 'x'.repeat(65) }).detail).toBe(`meterValue must be a finite number, got the string "${'x'.repeat(64)}…"`);
    expect(rejected({ meterValue: 'x'.repeat(64) }).detail).toBe(`meterValue must be a finite number, got the string "${'x'.repeat(64)}"`);
  });
});

describe('uniqueId', () => {
  it('falls back to the derived id when null or absent', () => {
    expect(normalize({ uniqueId: null })).toMatchObject({ ok: true, record: { uniqueId: 'event-1' } });
    expect(normalize({ uniqueId: undefined })).toMatchObject({ ok: true, record: { uniqueId: 'event-1' } });
  });

  it.each([
    [' ', 'a string'],
    [true, 'a boolean'],
    [['u'], 'an array'],
  ])('refuses %j', (uniqueId, got) => {
    expect(rejected({ uniqueId })).toEqual({ reason: 'INVALID_UNIQUE_ID', detail: `uniqueId must be a non-empty string, got ${got}` });
  });
});

describe('the order of the checks', () => {
  it('reports the first failing field: name, customer, value, time, id', () => {
    const allWrong = { meterApiName: '', customerId: '', meterValue: 'x', meterTimeInMillis: 'x', uniqueId: '' };
    expect(rejected(allWrong).reason).toBe('INVALID_METER_API_NAME');
    expect(rejected({ ...allWrong, meterApiName: 'a' }).reason).toBe('INVALID_CUSTOMER_ID');
    expect(rejected({ ...allWrong, meterApiName: 'a', customerId: 'c' }).reason).toBe('INVALID_METER_VALUE');
    expect(rejected({ ...allWrong, meterApiName: 'a', customerId: 'c', meterValue: 1 }).reason).toBe('INVALID_METER_TIME');
    expect(rejected({ ...allWrong, meterApiName: 'a', customerId: 'c', meterValue: 1, meterTimeInMillis: null }).reason).toBe('INVALID_UNIQUE_ID');
  });

  it('states the reasons of the identity fields exactly', () => {
    expect(rejected({ meterApiName: ' ' })).toEqual({ reason: 'INVALID_METER_API_NAME', detail: 'meterApiName must be a non-empty string, got a string' });
    expect(rejected({ customerId: ' ' })).toEqual({ reason: 'INVALID_CUSTOMER_ID', detail: 'customerId must be a non-empty string, got a string' });
  });
});

describe('field names', () => {
  it('refuses "prototype" as a forbidden key, before the unknown-field policy', () => {
    const value = { ...valid, prototype: {} };
    expect(normalizeMeterRecord(value, context)).toEqual({ ok: false, reason: 'FORBIDDEN_KEY', detail: 'field name "prototype" is not allowed' });
    expect(normalizeMeterRecord(value, { ...context, unknownFields: 'drop' })).toMatchObject({ ok: false, reason: 'FORBIDDEN_KEY' });
  });

  it('shortens a long unknown field name to 64 characters', () => {
    const name = 'f'.repeat(100);
    expect(rejected({ [name]: 1 })).toEqual({
      reason: 'UNKNOWN_FIELD',
      detail: `unknown field "${'f'.repeat(64)}…" (set UNKNOWN_FIELDS=drop to ignore unknown fields)`,
    });
  });
});

describe('dimensions', () => {
  it.each([
    [{ constructor: 'x' }, 'FORBIDDEN_KEY', 'field name "dimensions.constructor" is not allowed'],
    [{ prototype: 'x' }, 'FORBIDDEN_KEY', 'field name "dimensions.prototype" is not allowed'],
    [{ ' ': 'x' }, 'INVALID_DIMENSIONS', 'dimension names must be non-empty strings'],
    [{ n: Number.NaN }, 'INVALID_DIMENSIONS', 'dimension "n" must be a string, number or boolean, got a number'],
    [{ n: Number.POSITIVE_INFINITY }, 'INVALID_DIMENSIONS', 'dimension "n" must be a string, number or boolean, got a number'],
    [{ ['d'.repeat(65)]: [] }, 'INVALID_DIMENSIONS', `dimension "${'d'.repeat(64)}…" must be a string, number or boolean, got an array`],
    [true, 'INVALID_DIMENSIONS', 'dimensions must be an object of strings, got a boolean'],
  ])('refuses %j', (dimensions, reason, detail) => {
    expect(rejected({ dimensions })).toEqual({ reason, detail });
  });

  it('keeps zero, false and the empty string as strings', () => {
    expect(normalize({ dimensions: { a: 0, b: false, c: '' } })).toMatchObject({ ok: true, record: { dimensions: { a: '0', b: 'false', c: '' } } });
  });
});

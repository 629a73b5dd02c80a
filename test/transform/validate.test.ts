import { describe, expect, it } from 'vitest';
import { encodeMeterRecord } from '../../transform/encode.ts';
import { deriveUniqueId, normalizeMeterRecord, uniqueIdPrefix, type RecordContext } from '../../transform/validate.ts';

const context: RecordContext = { defaultTimeInMillis: 1663094100000, derivedUniqueId: 'event-1', unknownFields: 'reject' };
const valid = { meterApiName: 'api-calls', customerId: 'c-1', meterTimeInMillis: 1663094105062, meterValue: 1 };

function rejection(value: unknown, ctx: RecordContext = context) {
  const result = normalizeMeterRecord(value, ctx);
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.record)}`);
  return result;
}

function accepted(value: unknown, ctx: RecordContext = context) {
  const result = normalizeMeterRecord(value, ctx);
  if (!result.ok) throw new Error(`expected a record, got ${result.reason}: ${result.detail}`);
  return result.record;
}

describe('normalizeMeterRecord', () => {
  it('keeps a valid record and derives its uniqueId', () => {
    expect(accepted(valid)).toEqual({ ...valid, uniqueId: 'event-1' });
  });

  it('keeps a given uniqueId', () => {
    expect(accepted({ ...valid, uniqueId: 'order-42' }).uniqueId).toBe('order-42');
  });

  it('defaults meterTimeInMillis to the log event time when absent or null', () => {
    const { meterTimeInMillis: _omitted, ...withoutTime } = valid;
    expect(accepted(withoutTime).meterTimeInMillis).toBe(1663094100000);
    expect(accepted({ ...valid, meterTimeInMillis: null }).meterTimeInMillis).toBe(1663094100000);
  });

  it('accepts integer strings for the time and decimal strings for the value', () => {
    expect(accepted({ ...valid, meterTimeInMillis: '1663094105062', meterValue: '2.5' })).toMatchObject({
      meterTimeInMillis: 1663094105062,
      meterValue: 2.5,
    });
  });

  it('accepts negative and fractional meter values', () => {
    expect(accepted({ ...valid, meterValue: -0.25 }).meterValue).toBe(-0.25);
  });

  it.each([
    [{ ...valid, meterApiName: '' }, 'INVALID_METER_API_NAME', 'non-empty string, got an empty string'],
    [{ ...valid, meterApiName: '   ' }, 'INVALID_METER_API_NAME', 'non-empty string'],
    [{ ...valid, meterApiName: 7 }, 'INVALID_METER_API_NAME', 'got a number'],
    [{ customerId: 'c', meterValue: 1 }, 'INVALID_METER_API_NAME', 'got nothing (the field is missing)'],
    [{ ...valid, customerId: 123 }, 'INVALID_CUSTOMER_ID', 'got a number'],
    [{ ...valid, customerId: null }, 'INVALID_CUSTOMER_ID', 'got null'],
    [{ ...valid, meterValue: 'abc' }, 'INVALID_METER_VALUE', 'the string "abc"'],
    [{ ...valid, meterValue: '1e999' }, 'INVALID_METER_VALUE', 'finite'],
    [{ ...valid, meterValue: null }, 'INVALID_METER_VALUE', 'got null'],
    [{ ...valid, meterValue: [1] }, 'INVALID_METER_VALUE', 'an array'],
    [{ ...valid, meterTimeInMillis: 1663094105.5 }, 'INVALID_METER_TIME', 'integer'],
    [{ ...valid, meterTimeInMillis: 1663094105 }, 'INVALID_METER_TIME', 'looks like seconds'],
    [{ ...valid, meterTimeInMillis: 1663094105062000 }, 'INVALID_METER_TIME', 'outside 2000-01-01..2100-01-01'],
    [{ ...valid, meterTimeInMillis: '2022-09-13T18:35:05Z' }, 'INVALID_METER_TIME', 'integer epoch time'],
    [{ ...valid, uniqueId: '' }, 'INVALID_UNIQUE_ID', 'non-empty string'],
    [{ ...valid, uniqueId: 5 }, 'INVALID_UNIQUE_ID', 'got a number'],
    [{ ...valid, dimensions: 'eu' }, 'INVALID_DIMENSIONS', 'object of strings, got a string'],
    [{ ...valid, dimensions: ['eu'] }, 'INVALID_DIMENSIONS', 'got an array'],
    [{ ...valid, dimensions: { region: { name: 'eu' } } }, 'INVALID_DIMENSIONS', 'dimension "region" must be a string, number or boolean, got an object'],
    [{ ...valid, dimensions: { region: null } }, 'INVALID_DIMENSIONS', 'got null'],
    [{ ...valid, dimensions: { '': 'x' } }, 'INVALID_DIMENSIONS', 'non-empty'],
    [{ ...valid, extra: 1 }, 'UNKNOWN_FIELD', 'unknown field "extra" (set UNKNOWN_FIELDS=drop'],
    ['text', 'NOT_AN_OBJECT', 'got a string'],
    [[valid], 'NOT_AN_OBJECT', 'got an array'],
  ])('rejects %j as %s', (value, reason, detail) => {
    const result = rejection(value);
    expect(result.reason).toBe(reason);
    expect(result.detail).toContain(detail);
  });

  it('turns number and boolean dimensions into strings and keeps their order', () => {
    const record = accepted({ ...valid, dimensions: { zone: 'b', count: 3, beta: true } });
    expect(record.dimensions).toEqual({ beta: 'true', count: '3', zone: 'b' });
    expect(Object.keys(record.dimensions ?? {})).toEqual(['zone', 'count', 'beta']);
  });

  it('omits empty or null dimensions', () => {
    expect(accepted({ ...valid, dimensions: {} })).not.toHaveProperty('dimensions');
    expect(accepted({ ...valid, dimensions: null })).not.toHaveProperty('dimensions');
  });

  it('drops unknown fields when the policy says so', () => {
    expect(accepted({ ...valid, requestId: 'r-1' }, { ...context, unknownFields: 'drop' })).toEqual({ ...valid, uniqueId: 'event-1' });
  });

  it.each(['{"__proto__":{"polluted":true},"meterApiName":"a","customerId":"c","meterValue":1}', '{"constructor":{"prototype":{"polluted":true}},"meterApiName":"a","customerId":"c","meterValue":1}'])(
    'rejects prototype keys at the top level even when unknown fields are dropped: %s',
    (json) => {
      const result = rejection(JSON.parse(json), { ...context, unknownFields: 'drop' });
      expect(result.reason).toBe('FORBIDDEN_KEY');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('rejects prototype keys in dimensions', () => {
    const value = JSON.parse('{"meterApiName":"a","customerId":"c","meterValue":1,"dimensions":{"__proto__":"x"}}');
    expect(rejection(value)).toMatchObject({ reason: 'FORBIDDEN_KEY', detail: expect.stringContaining('dimensions.__proto__') });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('deriveUniqueId', () => {
  it('is the event id for a single record and adds the position for an array element', () => {
    expect(deriveUniqueId('3701542', undefined)).toBe('3701542');
    expect(deriveUniqueId('3701542', 2)).toBe('3701542-2');
  });

  it('puts the owner prefix before both', () => {
    expect(deriveUniqueId('3701542', undefined, '111111111111-')).toBe('111111111111-3701542');
    expect(deriveUniqueId('3701542', 2, '111111111111-')).toBe('111111111111-3701542-2');
  });
});

describe('uniqueIdPrefix', () => {
  it('is empty for the home account and when no home account is configured, `<owner>-` for any other owner', () => {
    expect(uniqueIdPrefix('999999999999', '999999999999')).toBe('');
    expect(uniqueIdPrefix('111111111111', '')).toBe('');
    expect(uniqueIdPrefix('111111111111', '999999999999')).toBe('111111111111-');
  });
});

describe('encodeMeterRecord', () => {
  it('writes one line in a fixed key order', () => {
    const line = encodeMeterRecord({ meterApiName: 'a', customerId: 'c', meterTimeInMillis: 1, meterValue: 2.5, uniqueId: 'u', dimensions: { k: 'v' } });
    expect(line).toBe('{"meterApiName":"a","customerId":"c","meterTimeInMillis":1,"meterValue":2.5,"uniqueId":"u","dimensions":{"k":"v"}}\n');
  });

  it('escapes strings so every line parses back to the same record', () => {
    const record = {
      meterApiName: 'quote " backslash \\ newline \n',
      customerId: 'ünïcødé 🚀 \u2028',
      meterTimeInMillis: 1663094105062,
      meterValue: 1e21,
      uniqueId: '\u0000ctrl',
      dimensions: { 'k"ey': 'v\tal' },
    };
    const line = encodeMeterRecord(record);
    expect(line.endsWith('}\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(record);
  });
});

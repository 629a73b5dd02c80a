/**
 * The hot path (fastEncodeRecord) must agree byte for byte with the general path (parse, normalize, encode)
 * on every record it accepts, and leave every record the general path would reject to the general path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeMeterRecord } from '../../../transform/encode.ts';
import { parseRecordText } from '../../../transform/extract.ts';
import { fastEncodeRecord } from '../../../transform/fast/scanner.ts';
import { MAX_METER_TIME, MIN_METER_TIME, normalizeMeterRecord } from '../../../transform/validate.ts';

const EVENT_ID = '37015421234567890123456789012345678901234567890123456789';
const EVENT_TIME = 1663094105062;

function generalPath(text: string): string | undefined {
  const found = parseRecordText(text, 0);
  if (found.kind !== 'record') return undefined;
  const result = normalizeMeterRecord(found.value, { defaultTimeInMillis: EVENT_TIME, derivedUniqueId: EVENT_ID, unknownFields: 'reject' });
  return result.ok ? encodeMeterRecord(result.record) : undefined;
}

function fastPath(text: string): string | undefined {
  return fastEncodeRecord(text, 0, JSON.stringify(EVENT_ID), EVENT_TIME);
}

function expectAgreement(text: string): void {
  const fast = fastPath(text);
  if (fast !== undefined) expect(fast).toBe(generalPath(text));
}

const text = fc.oneof(
  fc.constantFrom('api-calls', 'c-1', ' ', '', 'a b', '0', '__proto__', 'constructor', '10', 'é', 'tab\there', 'quote"', 'back\\slash', '\u2028'),
  fc.string({ maxLength: 12 }),
  fc.string({ maxLength: 12, unit: 'binary' }),
);
const numberValue = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constantFrom(0, -0, 1e21, 1e-7, 0.000001, 123456789012345680, 2 ** 53 + 1, MIN_METER_TIME, MAX_METER_TIME, MAX_METER_TIME - 1, MIN_METER_TIME - 1, 1663094105),
);
const fieldValue = fc.oneof(text, numberValue, fc.boolean(), fc.constant(null), fc.dictionary(text, fc.oneof(text, numberValue, fc.boolean(), fc.constant(null)), { maxKeys: 4 }));
const fieldName = fc.constantFrom('meterApiName', 'customerId', 'meterTimeInMillis', 'meterValue', 'uniqueId', 'dimensions', 'extra', '__proto__');
const nearlyValid = fc.record(
  {
    meterApiName: fc.oneof(fc.constant('api-calls'), text),
    customerId: fc.oneof(fc.constant('c-1'), text),
    meterTimeInMillis: fc.oneof(fc.integer({ min: MIN_METER_TIME, max: MAX_METER_TIME - 1 }), numberValue),
    meterValue: numberValue,
    uniqueId: text,
    dimensions: fc.dictionary(text, fc.oneof(text, numberValue, fc.boolean()), { maxKeys: 5 }),
  },
  { requiredKeys: [] },
);

/** JSON text for `entries` in the given order, compact or spaced, with duplicate keys if listed twice. */
function serialize(entries: readonly (readonly [string, unknown])[], spaced: boolean): string {
  const separator = spaced ? ', ' : ',';
  const colon = spaced ? ' : ' : ':';
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}${colon}${JSON.stringify(v, null, spaced ? 1 : undefined)}`).join(separator)}}`;
}

describe('fastEncodeRecord', () => {
  it('encodes a plain record exactly as the general path does', () => {
    const plain = '{"meterApiName":"api-calls","customerId":"c-1","meterTimeInMillis":1663094105062,"meterValue":1,"dimensions":{"region":"eu","n":3,"beta":true}}';
    expect(fastPath(plain)).toBeDefined();
    expect(fastPath(plain)).toBe(generalPath(plain));
  });

  it.each([
    ['an escaped string', '{"meterApiName":"a\\"b","customerId":"c","meterValue":1}'],
    ['non-ASCII text', '{"meterApiName":"é","customerId":"c","meterValue":1}'],
    ['a non-canonical number', '{"meterApiName":"a","customerId":"c","meterValue":1.50}'],
    ['an exponent', '{"meterApiName":"a","customerId":"c","meterValue":1e3}'],
    ['a time in seconds', '{"meterApiName":"a","customerId":"c","meterValue":1,"meterTimeInMillis":1663094105}'],
    ['a duplicate field', '{"meterApiName":"a","customerId":"c","meterValue":1,"meterValue":2}'],
    ['a duplicate dimension', '{"meterApiName":"a","customerId":"c","meterValue":1,"dimensions":{"k":"1","k":"2"}}'],
    ['an integer-like dimension name', '{"meterApiName":"a","customerId":"c","meterValue":1,"dimensions":{"b":"1","10":"2"}}'],
    ['a forbidden dimension name', '{"meterApiName":"a","customerId":"c","meterValue":1,"dimensions":{"__proto__":"x"}}'],
    ['an unknown field', '{"meterApiName":"a","customerId":"c","meterValue":1,"requestId":"r"}'],
    ['a missing field', '{"meterApiName":"a","meterValue":1}'],
    ['a blank name', '{"meterApiName":"  ","customerId":"c","meterValue":1}'],
    ['null', '{"meterApiName":"a","customerId":"c","meterValue":1,"uniqueId":null}'],
    ['a string cut off by the end of the line', '{"meterApiName":"a","customerId":"c'],
  ])('leaves %s to the general path', (_name, json) => {
    expect(fastPath(json)).toBeUndefined();
  });

  it('agrees with the general path on generated records in any key order and spacing', () => {
    fc.assert(
      fc.property(nearlyValid, fc.boolean(), fc.func(fc.integer()), (record, spaced, order) => {
        const entries = Object.entries(record).sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b));
        expectAgreement(serialize(entries, spaced));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with the general path on arbitrary fields, duplicates included', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 8 }), fc.boolean(), (entries, spaced) => {
        expectAgreement(serialize(entries, spaced));
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts most realistic records', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.record({
          meterApiName: fc.constantFrom('api-calls', 'tokens'),
          customerId: fc.stringMatching(/^[a-z0-9-]{1,20}$/),
          meterTimeInMillis: fc.integer({ min: MIN_METER_TIME, max: MAX_METER_TIME - 1 }),
          meterValue: fc.oneof(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 1e6 }).map((n) => n / 100)),
          dimensions: fc.dictionary(
            fc.stringMatching(/^[a-z][a-z_]{0,10}$/),
            fc.oneof(fc.stringMatching(/^[a-z0-9/-]{0,12}$/), fc.integer({ min: -1000, max: 1000 }), fc.boolean()),
            { maxKeys: 4 },
          ),
        }),
        fc.boolean(),
        (record, spaced) => {
          const json = spaced ? JSON.stringify(record, null, 2) : JSON.stringify(record);
          if (fastPath(json) !== undefined) accepted++;
          expectAgreement(json);
        },
      ),
      { numRuns: 500 },
    );
    expect(accepted).toBe(500);
  });
});

/**
 * The byte-level hot path over whole payloads (transformDataMessage, used by transformRecordData) must give
 * exactly what the general path gives: the payload parsed, and every log event through extractRecord,
 * normalizeMeterRecord and encodeMeterRecord. Generated payloads cover every log form, plain and odd records,
 * and envelopes CloudWatch Logs never writes (other key orders, whitespace, escapes, invalid JSON).
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG, type TransformConfig } from '../../../transform/config.ts';
import { transformDataMessage } from '../../../transform/fast/fast-payload.ts';
import type { LogEvent } from '../../../transform/types.ts';
import { MAX_METER_TIME, MIN_METER_TIME } from '../../../transform/validate.ts';
import { formatLogLine, LOG_FORMS, meterLogEvents, subscriptionPayload } from '../../../tools/lib/cloudwatch/payloads.ts';
import { PREFIX, expectSameOutcome } from './differential.ts';

// --- Records, in every shape the general path distinguishes.

const text = fc.oneof(
  fc.constantFrom('api-calls', 'c-1', ' ', '', 'a b', '0', '__proto__', 'constructor', '10', 'é', 'tab\there', 'quote"', 'back\\slash', '\u2028', '/v1/x', 'a\nb'),
  fc.string({ maxLength: 10 }),
  fc.string({ maxLength: 10, unit: 'binary' }),
);
const numberValue = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constantFrom(0, -0, 1.5, 1e21, 1e-7, 123456789012345680, MIN_METER_TIME, MAX_METER_TIME, MAX_METER_TIME - 1, 1663094105),
);
const plainRecord = fc.record(
  {
    meterApiName: fc.constantFrom('api-calls', 'tokens'),
    customerId: fc.stringMatching(/^[a-z0-9-]{1,12}$/),
    meterTimeInMillis: fc.integer({ min: MIN_METER_TIME, max: MAX_METER_TIME - 1 }),
    meterValue: fc.oneof(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 1e6 }).map((n) => n / 100)),
    uniqueId: fc.stringMatching(/^[a-z0-9-]{1,12}$/),
    dimensions: fc.dictionary(fc.stringMatching(/^[a-z][a-z_]{0,8}$/), fc.oneof(fc.stringMatching(/^[a-z0-9/ -]{0,10}$/), fc.integer(), fc.boolean()), {
      maxKeys: 4,
    }),
  },
  { requiredKeys: ['meterApiName', 'customerId', 'meterValue'] },
);
const oddRecord = fc.record(
  {
    meterApiName: fc.oneof(fc.constant('api-calls'), text, numberValue),
    customerId: fc.oneof(fc.constant('c-1'), text),
    meterTimeInMillis: fc.oneof(fc.integer({ min: MIN_METER_TIME, max: MAX_METER_TIME - 1 }), numberValue, text, fc.constant(null)),
    meterValue: fc.oneof(numberValue, text),
    uniqueId: fc.oneof(text, fc.constant(null)),
    dimensions: fc.oneof(fc.dictionary(text, fc.oneof(text, numberValue, fc.boolean(), fc.constant(null)), { maxKeys: 4 }), fc.constant(null)),
    extra: text,
  },
  { requiredKeys: [] },
);
const fieldName = fc.constantFrom('meterApiName', 'customerId', 'meterTimeInMillis', 'meterValue', 'uniqueId', 'dimensions', 'extra', '__proto__');
/** JSON text of a record: compact or spaced, in any key order, with duplicate keys and non-canonical numbers. */
const recordText = fc.oneof(
  fc.tuple(plainRecord, fc.constantFrom(undefined, 2)).map(([record, space]) => JSON.stringify(record, null, space)),
  oddRecord.map((record) => JSON.stringify(record)),
  fc.tuple(fc.array(fc.tuple(fieldName, fc.oneof(text, numberValue, fc.boolean())), { maxLength: 7 }), fc.boolean()).map(([entries, spaced]) =>
    `{${entries.map(([k, v]) => `${JSON.stringify(k)}${spaced ? ' : ' : ':'}${JSON.stringify(v)}`).join(spaced ? ', ' : ',')}}`,
  ),
  fc.constantFrom(
    '{"meterApiName":"a","customerId":"c","meterValue":1.50}',
    '{"meterApiName":"a","customerId":"c","meterValue":1e3,"meterTimeInMillis":1663094105062}',
    '{"meterApiName":"a","customerId":"c","meterValue":1,"dimensions":{}}',
    '{"meterApiName":"a","customerId":"c","meterValue":1,"dimensions":{"k":"1","k":"2"}}',
    '{"meterApiName":"a","customerId":"c","meterTimeInMillis":1663094105062,"meterValue":1,"dimensions":{"k":"1","j":"0","k":"2"}}',
    '{"meterApiName":"a","customerId":"c","meterTimeInMillis":1663094105062,"meterValue":1,"dimensions":{"k":"1","k":"1"}}',
    '{"meterApiName":"a","customerId":"c","meterTimeInMillis":1663094105062,"meterValue":1,"dimensions":{"10":"x","b":"y"}}',
    '{"meterApiName":"a","customerId":"c","meterTimeInMillis":1663094105062,"meterValue":-0,"uniqueId":"u"}',
    '{"meterApiName":"a","customerId":"c","meterTimeInMillis":1663094105062,"meterValue":1,"uniqueId":"u","dimensions":{"a":"x"}}',
    '{"meterApiName":"a","customerId":"c","meterTimeInMillis":1663094105062,"meterValue":1,"dimensions":{"__proto__":"x"}}',
    '{ meterApiName: \'a\' }',
    '[{"meterApiName":"a","customerId":"c","meterValue":1}]',
    '{"meterApiName":"a"',
    '42',
    '',
  ),
);

// --- Log lines carrying them, in every form.

const separator = fc.constantFrom(' ', '\t', ':', ': ', '=', '\n', '');
const trailer = fc.constantFrom('', ' done', ' (3 ms) {x}', '\n', '"quoted"', '\\', 'é');
const textLine = fc.tuple(recordText, separator, trailer, fc.constantFrom('', 'x', '_v2')).map(
  ([record, sep, tail, glued]) => `2026-11-25T09:00:00.000Z\t8f5c3b1e\tINFO\t${PREFIX}${glued}${sep}${record}${tail}\n`,
);
const jsonLine = fc
  .tuple(recordText, separator, trailer, fc.constantFrom('message', 'msg'), fc.boolean(), fc.constantFrom(undefined, { nested: true }, 7))
  .map(([record, sep, tail, field, before, extra]) => {
    const line: Record<string, unknown> = before ? { [field]: `${PREFIX}${sep}${record}${tail}`, timestamp: 'now' } : { timestamp: 'now', level: 'INFO' };
    if (extra !== undefined) line.extra = extra;
    line[field] = `${PREFIX}${sep}${record}${tail}`;
    return JSON.stringify(line);
  });
/** Structured lines with the record in a field of its own, where the message is the prefix alone (or is not). */
const fieldLine = fc
  .tuple(
    fc.oneof(plainRecord, oddRecord, fc.constantFrom<unknown>([], 'x', null, 7)),
    fc.constantFrom(PREFIX, `${PREFIX} `, `${PREFIX}:`, `${PREFIX}\t`, `x ${PREFIX}`, `${PREFIX}_v2`, 'hello', `${PREFIX} {}`),
    fc.constantFrom('message', 'msg'),
    fc.boolean(),
    fc.constantFrom(0, 1, 2),
  )
  .map(([record, text, field, recordFirst, records]) => {
    const recordFields = Array.from({ length: records }, () => `"meterRecord":${JSON.stringify(record)}`);
    const fields = [`"level":"INFO"`, `"${field}":${JSON.stringify(text)}`, `"cold_start":false`];
    return `{${(recordFirst ? [...recordFields, ...fields] : [...fields, ...recordFields]).join(',')}}`;
  });
const formLine = fc.tuple(fc.constantFrom(...LOG_FORMS), plainRecord, separator, trailer).map(([form, record, sep, tail]) =>
  formatLogLine(form, form === 'array' ? [record, record] : record, { prefix: PREFIX, timestamp: 1663094105062, separator: sep, trailer: tail }),
);
const message = fc.oneof(
  { weight: 3, arbitrary: formLine },
  { weight: 3, arbitrary: textLine },
  { weight: 3, arbitrary: jsonLine },
  { weight: 3, arbitrary: fieldLine },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'START RequestId: 1',
      `${PREFIX}`,
      `x ${PREFIX}_v2 {}`,
      '{"level":"INFO","message":"hello"}',
      '',
      ' {',
      // A second message field overrides the first.
      `{"message":"${PREFIX} {\\"meterApiName\\":\\"a\\",\\"customerId\\":\\"c\\",\\"meterTimeInMillis\\":1663094105062,\\"meterValue\\":1}","message":"hello"}`,
      `{"message":"${PREFIX} {\\"meterApiName\\":\\"a\\",\\"customerId\\":\\"c\\",\\"meterTimeInMillis\\":1663094105062,\\"meterValue\\":1}","message":"${PREFIX} {\\"meterApiName\\":\\"a\\",\\"customerId\\":\\"d\\",\\"meterTimeInMillis\\":1663094105062,\\"meterValue\\":2}"}`,
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30, unit: 'binary' }) },
);
const logEvent = fc.record({
  id: fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[0-9]{56}$/) }, { weight: 1, arbitrary: text }),
  timestamp: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: MIN_METER_TIME, max: MAX_METER_TIME - 1 }) }, { weight: 1, arbitrary: numberValue }),
  message,
});

// --- Envelopes: as CloudWatch Logs writes them, and as it does not.

type Rewrite = (json: string) => string;
const REWRITES: Record<string, Rewrite> = {
  asWritten: (json) => json,
  prettyPrinted: (json) => JSON.stringify(JSON.parse(json), null, 1),
  logEventsFirst: (json) => {
    const { logEvents, ...rest } = JSON.parse(json) as Record<string, unknown>;
    return JSON.stringify({ logEvents, ...rest });
  },
  policyLevel: (json) => JSON.stringify({ ...(JSON.parse(json) as object), policyLevel: 'ACCOUNT_LEVEL_POLICY' }),
  policyLevelFirst: (json) => JSON.stringify({ policyLevel: 'ACCOUNT_LEVEL_POLICY', ...(JSON.parse(json) as object) }),
  messageFirst: (json) => {
    const payload = JSON.parse(json) as { logEvents: LogEvent[] };
    return JSON.stringify({ ...payload, logEvents: payload.logEvents.map(({ id, timestamp, message: m }) => ({ message: m, id, timestamp })) });
  },
  extraEventField: (json) => json.replace('"message":', '"extra":1,"message":'),
  renamedEventId: (json) => json.replaceAll('"id":', '"ix":'),
  longTimestamp: (json) => json.replace(/"timestamp":\d+/, '"timestamp":12345678901234567890'),
  leadingZeroTimestamp: (json) => json.replace('"timestamp":', '"timestamp":0'),
  escapedUnderscores: (json) => json.replaceAll('_', '\\u005f'),
  escapedSlashes: (json) => json.replaceAll('/', '\\/'),
  escapedLetter: (json) => json.replace('meterApiName', 'meterApiN\\u0061me'),
  duplicateLogEvents: (json) => json.replace('"logEvents":', '"logEvents":[],"logEvents":'),
  logEventsInAString: (json) => json.replace('"owner":"', '"owner":"\\"logEvents\\":['),
  trailingWhitespace: (json) => `${json}\n`,
  rawControlCharacter: (json) => json.replace('\\t', '\t'),
  invalidEscape: (json) => json.replace('\\t', '\\x'),
  truncated: (json) => json.slice(0, Math.floor(json.length * 0.8)),
  controlMessage: (json) => json.replace('DATA_MESSAGE', 'CONTROL_MESSAGE'),
  rejectsPayload: (json) => json.replace('DATA_MESSAGE', 'METER_REJECTS'),
  numberOwner: (json) => json.replace(/"owner":"[^"]*"/, '"owner":12'),
  senderOwner: (json) => json.replace(/"owner":"[^"]*"/, '"owner":"111111111111"'),
  // An owner no account has, with characters JSON escapes: the derived uniqueIds carry it escaped.
  escapedOwner: (json) => json.replace(/"owner":"[^"]*"/, '"owner":"1\\"\\u00e9\\t/\\u2028"'),
};

const CONFIGS: Record<string, TransformConfig> = {
  default: DEFAULT_CONFIG,
  dropUnknown: { ...DEFAULT_CONFIG, unknownFields: 'drop' },
  dottedPrefix: { ...DEFAULT_CONFIG, prefix: 'meter.v2' },
  slashPrefix: { ...DEFAULT_CONFIG, prefix: 'meter/record' },
  // subscriptionPayload's owner (123456789012) is the home account here, a sender account in `otherHome`.
  homeAccount: { ...DEFAULT_CONFIG, homeAccountId: '123456789012' },
  otherHome: { ...DEFAULT_CONFIG, homeAccountId: '999999999999' },
};

describe('transformDataMessage', () => {
  it('reads a payload as CloudWatch Logs writes it without decoding any event, for the Lambda TEXT, JSON and record-field forms', () => {
    const spaced = meterLogEvents(50).map((event) => ({ ...event, message: event.message.replace(`\t${PREFIX}`, ` ${PREFIX}`) }));
    const forms = ['node-text', 'python-text', 'lambda-json', 'lambda-json-field', 'powertools'] as const;
    for (const logEvents of [...forms.map((form) => meterLogEvents(50, { forms: [form] })), spaced]) {
      const json = Buffer.from(JSON.stringify(subscriptionPayload(logEvents)));
      const parse = vi.spyOn(JSON, 'parse');
      const fast = transformDataMessage(json, DEFAULT_CONFIG);
      // The header alone is parsed: no event took the general path.
      expect(parse).toHaveBeenCalledTimes(1);
      parse.mockRestore();
      expect(fast?.result.meterRecords).toBe(50);
      expectSameOutcome(json);
    }
  });

  it('agrees with the general path on generated payloads, envelopes and configurations', () => {
    let fastPayloads = 0;
    fc.assert(
      fc.property(
        fc.array(logEvent, { maxLength: 8 }),
        fc.constantFrom(...Object.keys(REWRITES)),
        fc.constantFrom(...Object.keys(CONFIGS)),
        (logEvents, rewrite, configName) => {
          const json = (REWRITES[rewrite] as Rewrite)(JSON.stringify(subscriptionPayload(logEvents)));
          const config = CONFIGS[configName] as TransformConfig;
          if (transformDataMessage(Buffer.from(json), config) !== undefined) fastPayloads++;
          expectSameOutcome(json, config);
        },
      ),
      { numRuns: 4000 },
    );
    // The comparison is not vacuous: payloads as CloudWatch Logs writes them (a fifth of the rewrites keep that
    // shape) take the fast path.
    expect(fastPayloads).toBeGreaterThan(400);
  });

  it('agrees on single events of every kind, in payloads as CloudWatch Logs writes them', () => {
    fc.assert(
      fc.property(fc.array(logEvent, { minLength: 1, maxLength: 3 }), (logEvents) => {
        expectSameOutcome(JSON.stringify(subscriptionPayload(logEvents)));
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees on CONTROL_MESSAGE, empty logEvents and envelopes that are not DATA_MESSAGEs', () => {
    expect(expectSameOutcome(JSON.stringify(subscriptionPayload([])))).toEqual({ kind: 'dropped', cause: 'NO_METER_RECORDS' });
    const events = meterLogEvents(3);
    for (const json of [
      JSON.stringify({ ...subscriptionPayload(events), messageType: 'CONTROL_MESSAGE' }),
      JSON.stringify({ ...subscriptionPayload(events), logGroup: 7 }),
      JSON.stringify({ ...subscriptionPayload(events), logEvents: [{ id: 1, timestamp: 2, message: 'x' }] }),
      '[]',
      '{}',
      '{"logEvents":[]}',
      // The first `"logEvents":[` is inside the key `x"logEvents`; the payload's logEvents is a number.
      `{"messageType":"DATA_MESSAGE","owner":"o","logGroup":"g","logStream":"s","logEvents":5,"x\\"logEvents":[${JSON.stringify(events[0])}]}`,
    ]) {
      expect(transformDataMessage(Buffer.from(json), DEFAULT_CONFIG)).toBeUndefined();
      expectSameOutcome(json);
    }
  });

  it('agrees where the prefix of a TEXT line meets escapes, partial prefixes and every word alignment', () => {
    const record = '{"meterApiName":"a","customerId":"c","meterTimeInMillis":1663094105062,"meterValue":1}';
    // In the payload, JSON.stringify writes these as `\t`, `\n`, `\\`, `\"` and `\u0001`.
    const befores = ['', 'm', 'mm', `${PREFIX.slice(0, -1)} `, PREFIX.slice(0, 5), '\t', '\n\t', '\\', '\u0001', 'é', '"', '\t\t\t', `\\${PREFIX}`];
    const messages: string[] = [];
    for (const before of befores) {
      for (let pad = 0; pad < 8; pad++) {
        const text = `${'x'.repeat(pad)}${before}`;
        messages.push(`${text}${PREFIX} ${record}`, `${text}${PREFIX.slice(0, 4)}\n${PREFIX.slice(4)} ${record}`, `${text}\t${PREFIX}`, text);
      }
    }
    const logEvents = messages.map((message, i) => ({ id: String(i).padStart(56, '0'), timestamp: 1663094105062 + i, message }));
    // One payload of them all (a prefix in a later event) and each alone (a prefix at the payload's end).
    expectSameOutcome(JSON.stringify(subscriptionPayload(logEvents)));
    for (const logEvent of logEvents) expectSameOutcome(JSON.stringify(subscriptionPayload([logEvent])));
  });

  it('agrees on bytes that are not UTF-8, in event ids and messages', () => {
    const logEvents = meterLogEvents(2, { forms: ['node-text', 'lambda-json'] }).map((event) => ({ ...event, id: `${event.id.slice(0, 50)}~~` }));
    const json = Buffer.from(JSON.stringify(subscriptionPayload(logEvents)));
    for (const at of [json.indexOf('~~'), json.indexOf('INFO'), json.indexOf('api-calls'), json.indexOf('region')]) {
      const broken = Buffer.from(json);
      broken[at] = 0xff;
      expectSameOutcome(broken);
    }
  });

  it('takes a payload too large for one response apart into the general path\'s meter events', () => {
    const json = Buffer.from(JSON.stringify(subscriptionPayload(meterLogEvents(20, { forms: ['node-text', 'lambda-json'] }))));
    const fast = transformDataMessage(json, DEFAULT_CONFIG);
    expect(fast?.result.meterEvents().events).toHaveLength(20);
    expectSameOutcome(json.toString());
  });
});

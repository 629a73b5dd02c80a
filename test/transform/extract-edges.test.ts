/**
 * The edges of locating a record: where the prefix token ends, structured lines in every shape the rules
 * accept (leading whitespace, null or nested messages up to the depth limit), and the exact error details a
 * user reads next to a rejected record.
 */
import { describe, expect, it } from 'vitest';
import { continuesToken, extractRecord } from '../../transform/extract.ts';

const PREFIX = 'meter_record_for_stream';
const record = { meterApiName: 'api-calls', customerId: 'c-1', meterValue: 1 };
const json = JSON.stringify(record);
const found = { kind: 'record', value: record };

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${text} parses`);
}

describe('the prefix token', () => {
  it('is continued by letters, digits, "_", "-" and "." only', () => {
    for (let code = 0; code < 128; code++) {
      expect(continuesToken(code), `code ${code}`).toBe(/[A-Za-z0-9_.-]/.test(String.fromCharCode(code)));
    }
  });

  it.each(['-v2', 'V2', '2', '.v2', '_v2', 'Z', 'z', '0', '9', 'A', 'a'])('is not %j appended to the prefix', (suffix) => {
    expect(extractRecord(`INFO ${PREFIX}${suffix} ${json}`, PREFIX)).toEqual({ kind: 'none' });
  });

  it.each([':', '=', '\t', '\r', '\n', '\r\n'])('may be followed by %j before the record', (separator) => {
    expect(extractRecord(`INFO ${PREFIX}${separator}${json}`, PREFIX)).toEqual(found);
  });

  it('may be followed directly by a record or an array of records', () => {
    expect(extractRecord(`INFO ${PREFIX}${json}`, PREFIX)).toEqual(found);
    expect(extractRecord(`INFO ${PREFIX}[${json}]`, PREFIX)).toEqual({ kind: 'record', value: [record] });
  });

  it.each(['@', '/', '`', '|'])('is followed by %j, which is no separator: the text after it is not JSON', (next) => {
    expect(extractRecord(`INFO ${PREFIX}${next}${json}`, PREFIX)).toEqual({
      kind: 'error',
      reason: 'INVALID_JSON',
      detail: 'expected a JSON object or array after the prefix',
    });
  });

  it('is missing its record at the very end of a line', () => {
    expect(extractRecord(`INFO ${PREFIX}`, PREFIX)).toEqual({ kind: 'error', reason: 'MISSING_RECORD', detail: 'nothing follows the prefix' });
    expect(extractRecord(`INFO ${PREFIX} \t\r\n`, PREFIX)).toEqual({ kind: 'error', reason: 'MISSING_RECORD', detail: 'nothing follows the prefix' });
  });
});

describe('structured lines', () => {
  const structured = (entry: unknown) => JSON.stringify(entry);

  it.each([' ', '\t', '\r\n', '  \n '])('are recognized after leading whitespace %j', (space) => {
    expect(extractRecord(`${space}${structured({ level: 'INFO', message: PREFIX, meterRecord: record })}`, PREFIX)).toEqual(found);
  });

  it('skip a null message and read msg', () => {
    expect(extractRecord(structured({ message: null, msg: `${PREFIX} ${json}` }), PREFIX)).toEqual(found);
  });

  it('skip a message without the prefix and read msg', () => {
    expect(extractRecord(structured({ message: 'request done', msg: `${PREFIX} ${json}` }), PREFIX)).toEqual(found);
  });

  it('read message before msg', () => {
    const other = { ...record, meterValue: 2 };
    expect(extractRecord(structured({ message: `${PREFIX} ${json}`, msg: `${PREFIX} ${JSON.stringify(other)}` }), PREFIX)).toEqual(found);
  });

  it('take the record field when only separators follow the prefix in the message', () => {
    expect(extractRecord(structured({ message: `${PREFIX}: `, meterRecord: record }), PREFIX)).toEqual(found);
  });

  it('hand over a null record field as it is, for validation to refuse', () => {
    expect(extractRecord(structured({ message: PREFIX, meterRecord: null }), PREFIX)).toEqual({ kind: 'record', value: null });
  });

  it('name the field that holds the prefix when the record field is missing', () => {
    expect(extractRecord(structured({ msg: PREFIX }), PREFIX)).toEqual({
      kind: 'error',
      reason: 'MISSING_RECORD',
      detail: 'structured log line has the prefix as its msg but no "meterRecord" field',
    });
    expect(extractRecord(structured({ message: PREFIX }), PREFIX)).toEqual({
      kind: 'error',
      reason: 'MISSING_RECORD',
      detail: 'structured log line has the prefix as its message but no "meterRecord" field',
    });
  });

  it('are read through two levels of nested messages, and no deeper', () => {
    const nested = (depth: number): unknown => (depth === 0 ? `${PREFIX} ${json}` : { message: nested(depth - 1) });
    expect(extractRecord(structured({ message: nested(2) }), PREFIX)).toEqual(found);
    expect(extractRecord(structured({ msg: nested(2) }), PREFIX)).toEqual(found);
    // Deeper, the line is read as text: what follows the prefix is the escaped JSON, which does not parse.
    expect(extractRecord(structured({ message: nested(3) }), PREFIX)).toMatchObject({ kind: 'error', reason: 'INVALID_JSON' });
  });

  it('are read as text when the prefix is in no message field', () => {
    expect(extractRecord(`{"note":"x"} ${PREFIX} ${json}`, PREFIX)).toEqual(found);
    expect(extractRecord(`{"note":"${PREFIX}"} ${json}`, PREFIX)).toMatchObject({ kind: 'error', reason: 'INVALID_JSON' });
  });

  it('are not looked for when the prefix comes before the first brace', () => {
    expect(extractRecord(`x ${PREFIX} {"message":"${PREFIX}","meterRecord":${JSON.stringify({ ...record, meterValue: 2 })}}`, PREFIX)).toMatchObject({
      kind: 'record',
      value: { message: PREFIX },
    });
  });
});

describe('error details', () => {
  it.each([
    ['42', 'number'],
    ['"text"', 'string'],
    ['true', 'boolean'],
  ])('say what scalar %s came instead of a record', (scalar, type) => {
    expect(extractRecord(`${PREFIX} ${scalar}`, PREFIX)).toEqual({
      kind: 'error',
      reason: 'NOT_AN_OBJECT',
      detail: `expected a JSON object or array after the prefix, got ${type}`,
    });
  });

  it('say a scalar is no record even with whitespace JSON does not allow around it', () => {
    expect(extractRecord(`${PREFIX} 42\u00a0`, PREFIX)).toEqual({
      kind: 'error',
      reason: 'NOT_AN_OBJECT',
      detail: 'expected a JSON object or array after the prefix, got number',
    });
  });

  // The second case: V8 quotes the text it parsed in this message, so the text after the record would show.
  it.each(['{"meterApiName":"a",}', '{"meterApiName":tru}'])('quote the JSON parser on invalid JSON %s, without the text after the record', (broken) => {
    expect(extractRecord(`${PREFIX} ${broken} (3 ms)`, PREFIX)).toEqual({
      kind: 'error',
      reason: 'INVALID_JSON',
      detail: `the text after the prefix is not valid JSON: ${jsonError(broken)}`,
    });
  });

  it('say when the JSON is not closed', () => {
    expect(extractRecord(`${PREFIX} [{"a":1}`, PREFIX)).toEqual({ kind: 'error', reason: 'INVALID_JSON', detail: 'the JSON after the prefix is not closed' });
  });

  it.each([
    `{ meterApiName: 'api-calls' }`,
    `{meterApiName:'api-calls'}`,
    `[ { meterApiName: 'api-calls' } ]`,
    `{ 'meter-api-name': 'api-calls' }`,
    `{ $value: 1 }`,
    `{ _v: 1 } trailing`,
    // A line cut off before the record closes.
    `{ meterApiName: 'api-calls', customerId: 'c-`,
  ])('recognize util.inspect output %s', (inspected) => {
    expect(extractRecord(`${PREFIX} ${inspected}`, PREFIX)).toEqual({
      kind: 'error',
      reason: 'UTIL_INSPECT_OUTPUT',
      detail: 'the record was logged as an object (util.inspect text), not as JSON: log JSON.stringify(record)',
    });
  });

  it.each([`{"a": { b: 1 }}`, `{ 1b: 2 }`, `{ "a": 1, }`, `{ a 1 }`, `[[ { a: 1 } ]]`, `{ a.b: 1 }`, `{'a} b': 1`])('do not take %s for util.inspect output', (text) => {
    expect(extractRecord(`${PREFIX} ${text}`, PREFIX)).toMatchObject({ kind: 'error', reason: 'INVALID_JSON' });
  });
});

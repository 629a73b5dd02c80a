// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { extractRecord, findJsonEnd } from '../../transform/extract.ts';
import { formatLogLine, LOG_FORMS } from '../../tools/lib/cloudwatch/payloads.ts';

const PREFIX = 'meter_record_for_stream';
const record = { meterApiName: 'api-calls', customerId: 'c-1', meterTimeInMillis: 1663094105062, meterValue: 1 };
const timestamp = 1663094105062;

describe('extractRecord', () => {
  it.each(LOG_FORMS)('finds the record in a %s log line', (form) => {
    const line = formatLogLine(form, record, { prefix: PREFIX, timestamp });
    const expected = form === 'array' ? [record] : record;
    expect(extractRecord(line, PREFIX)).toEqual({ kind: 'record', value: expected });
  });

  it('reads a Node.js TEXT line exactly as the Lambda runtime writes it', () => {
    const line =
      '2022-09-13T18:35:05.062Z\t0b2c4b6e-5b7d-4ab4-9d61-8a1d3b2c4e5f\tINFO\tmeter_record_for_stream {"meterApiName":"api-calls","customerId":"c-1","meterTimeInMillis":1663094105062,"meterValue":1}\n';
    expect(extractRecord(line, PREFIX)).toEqual({ kind: 'record', value: record });
  });

  it('reads a Python TEXT line exactly as the Lambda runtime writes it', () => {
    const line =
      '[INFO]\t2022-09-13T18:35:05.062Z\t0b2c4b6e-5b7d-4ab4-9d61-8a1d3b2c4e5f\tmeter_record_for_stream {"meterApiName": "api-calls", "customerId": "c-1", "meterTimeInMillis": 1663094105062, "meterValue": 1}\n';
    expect(extractRecord(line, PREFIX)).toEqual({ kind: 'record', value: record });
  });

  it('reads the Lambda JSON log format, where the record is an escaped string inside message', () => {
    const line = JSON.stringify({
      timestamp: '2022-09-13T18:35:05.062Z',
      level: 'INFO',
      requestId: '0b2c4b6e',
      message: `meter_record_for_stream ${JSON.stringify(record)}`,
    });
    expect(extractRecord(line, PREFIX)).toEqual({ kind: 'record', value: record });
  });

  it('reads a structured line whose message is itself an object (a JSON argument the runtime did not re-encode)', () => {
    const line = JSON.stringify({ timestamp: 't', level: 'INFO', message: { message: PREFIX, meterRecord: record } });
    expect(extractRecord(line, PREFIX)).toEqual({ kind: 'record', value: record });
  });

  it('reads pino/bunyan-style lines that use msg instead of message', () => {
    const line = JSON.stringify({ level: 30, time: 1663094105062, msg: PREFIX, meterRecord: record });
    expect(extractRecord(line, PREFIX)).toEqual({ kind: 'record', value: record });
  });

  it('reads pretty-printed JSON whose newlines the runtime turned into carriage returns', () => {
    const line = `2022-09-13T18:35:05.062Z\tabc\tINFO\t${PREFIX} ${JSON.stringify(record, null, 2).replaceAll('\n', '\r')}\n`;
    expect(extractRecord(line, PREFIX)).toEqual({ kind: 'record', value: record });
  });

  it.each([
    ['a space', ' '],
    ['a tab', '\t'],
    ['a colon', ':'],
    ['a colon and a space', ': '],
    ['an equals sign', '='],
    ['nothing', ''],
  ])('accepts %s between the prefix and the record', (_name, separator) => {
    const line = formatLogLine('node-text', record, { prefix: PREFIX, timestamp, separator });
    expect(extractRecord(line, PREFIX)).toEqual({ kind: 'record', value: record });
  });

  it.each([
    ['plain text', ' (took 3 ms)'],
    ['text with braces', ' {"note":"done"} [ok]'],
    ['an unbalanced brace', ' }'],
  ])('ignores trailing %s after the record', (_name, trailer) => {
    const line = formatLogLine('node-text', record, { prefix: PREFIX, timestamp, trailer });
    expect(extractRecord(line, PREFIX)).toEqual({ kind: 'record', value: record });
  });

  it('keeps braces and brackets inside strings', () => {
    const tricky = { ...record, dimensions: { path: '/a/{id}/[x]', quote: 'say "}"' } };
    const line = formatLogLine('node-text', tricky, { prefix: PREFIX, timestamp, trailer: ' done}' });
    expect(extractRecord(line, PREFIX)).toEqual({ kind: 'record', value: tricky });
  });

  it('returns none when the prefix is absent', () => {
    expect(extractRecord('2022-09-13T18:35:05.062Z\tabc\tINFO\tEND RequestId: abc\n', PREFIX)).toEqual({ kind: 'none' });
  });

  it('does not take a longer token for the prefix, but finds the prefix after it', () => {
    expect(extractRecord(`${PREFIX}_count=3`, PREFIX)).toEqual({ kind: 'none' });
    expect(extractRecord(`${PREFIX}_count=3 ${PREFIX} ${JSON.stringify(record)}`, PREFIX)).toEqual({ kind: 'record', value: record });
  });

  it('uses a configured prefix', () => {
    expect(extractRecord(`usage: ${JSON.stringify(record)}`, 'usage')).toEqual({ kind: 'record', value: record });
  });

  it('rejects util.inspect output with a reason that says how to fix it', () => {
    const line = `2022-09-13T18:35:05.062Z\tabc\tINFO\t${PREFIX} { meterApiName: 'api-calls', customerId: 'c-1', meterValue: 1 }\n`;
    const extraction = extractRecord(line, PREFIX);
    expect(extraction).toMatchObject({ kind: 'error', reason: 'UTIL_INSPECT_OUTPUT' });
    expect(extraction.kind === 'error' && extraction.detail).toContain('JSON.stringify');
  });

  it('rejects a prefix with nothing after it', () => {
    expect(extractRecord(`2022-09-13T18:35:05.062Z\tabc\tINFO\t${PREFIX}\n`, PREFIX)).toMatchObject({ kind: 'error', reason: 'MISSING_RECORD' });
  });

  it('rejects a structured line whose message is the prefix but that has no record field', () => {
    const line = JSON.stringify({ level: 'INFO', message: PREFIX, record });
    expect(extractRecord(line, PREFIX)).toMatchObject({ kind: 'error', reason: 'MISSING_RECORD', detail: expect.stringContaining('meterRecord') });
  });

  it('rejects broken JSON with the parser message', () => {
    const extraction = extractRecord(`${PREFIX} {"meterApiName":"a",}`, PREFIX);
    expect(extraction).toMatchObject({ kind: 'error', reason: 'INVALID_JSON' });
  });

  it('rejects unterminated JSON', () => {
    expect(extractRecord(`${PREFIX} {"meterApiName":"a"`, PREFIX)).toMatchObject({ kind: 'error', reason: 'INVALID_JSON', detail: expect.stringContaining('not closed') });
  });

  it('rejects a scalar after the prefix', () => {
    expect(extractRecord(`${PREFIX} 42`, PREFIX)).toMatchObject({ kind: 'error', reason: 'NOT_AN_OBJECT' });
    expect(extractRecord(`${PREFIX} done`, PREFIX)).toMatchObject({ kind: 'error', reason: 'INVALID_JSON' });
  });

  it('falls back to text rules for a line that starts with a brace but is not JSON', () => {
    const line = `{not json} ${PREFIX} ${JSON.stringify(record)}`;
    expect(extractRecord(line, PREFIX)).toEqual({ kind: 'record', value: record });
  });
});

describe('findJsonEnd', () => {
  it('finds the bracket that closes the value, skipping strings and escapes', () => {
    const text = 'x {"a":"}\\"{","b":[1,{"c":2}]} tail}';
    expect(findJsonEnd(text, 2)).toBe(text.indexOf(' tail') - 1);
  });

  it('returns -1 for an unclosed value', () => {
    expect(findJsonEnd('{"a":[1,2}', 0)).toBe(-1);
  });
});

/**
 * The hot path: encodes a meter record straight from its JSON bytes, without JSON.parse and JSON.stringify,
 * when the record is in the plain form nearly every record takes (known fields once each, printable ASCII
 * strings without escapes, numbers in canonical form). It gives up on anything else, and the caller takes the
 * general path (parse, normalizeMeterRecord, encodeMeterRecord), which defines the rules. Both paths produce
 * the same bytes for the same record: differential property tests hold them to it.
 *
 * The record may sit inside JSON strings, read where it lies without unescaping: at `depth` 1 it is in a log
 * event message as the CloudWatch payload carries it (a quote is `\"`, a newline `\n`), at depth 2 in the
 * message of a Lambda JSON log line inside that (a quote is `\\\"`, a newline `\\n`).
 */
// @ts-nocheck

import { ByteWriter } from './byte-writer.ts';
import {
  BACKSLASH,
  CLOSE_BRACE,
  COLON,
  COMMA,
  CR,
  DIGIT_0,
  DIGIT_9,
  DOT,
  LAST_PRINTABLE,
  LF,
  LOWER_E,
  LOWER_F,
  LOWER_N,
  LOWER_R,
  LOWER_T,
  MINUS,
  OPEN_BRACE,
  PLUS,
  QUOTE,
  SPACE,
  TAB,
  UPPER_E,
} from './char-codes.ts';
import { MAX_METER_TIME, MIN_METER_TIME, WHOLE_METER_TIME_RANGE, type MeterTimeWindow } from '../validate.ts';
import { fixedAt, fixedText, type FixedText } from './words.ts';

const MAX_DIMENSIONS = 32;

/** Whether `code` is the letter of a whitespace escape (`\n`, `\r`, `\t`). */
function isWhitespaceEscape(code: number): boolean {
  return code === LOWER_N || code === LOWER_R || code === LOWER_T;
}

/** Whether a quote, escaped for `depth` (`"`, `\"`, `\\\"`), starts at `i`. */
export function isQuoteAt(bytes: Uint8Array, i: number, depth: number): boolean {
  if (depth === 0) return bytes[i] === QUOTE;
  if (depth === 1) return bytes[i] === BACKSLASH && bytes[i + 1] === QUOTE;
  return bytes[i] === BACKSLASH && bytes[i + 1] === BACKSLASH && bytes[i + 2] === BACKSLASH && bytes[i + 3] === QUOTE;
}

/** Length of the whitespace character, escaped for `depth`, at `i` (0 for none). */
export function whitespaceAt(bytes: Uint8Array, i: number, depth: number): number {
  const code = bytes[i];
  if (code === SPACE) return 1;
  if (depth === 0) return code === LF || code === CR || code === TAB ? 1 : 0;
  if (code !== BACKSLASH) return 0;
  if (depth === 1) return isWhitespaceEscape(bytes[i + 1] as number) ? 2 : 0;
  return bytes[i + 1] === BACKSLASH && isWhitespaceEscape(bytes[i + 2] as number) ? 3 : 0;
}

/** Scanner over one record's bytes; every method returns false / -1 to abandon the fast path. */
class Scanner {
  pos: number;
  /** Bytes of an escaped quote at this depth. */
  readonly quoteLength: number;
  /** Content of the last plainString(), quotes excluded, and whether it held only spaces. */
  contentStart = 0;
  contentEnd = 0;
  blank = false;

  constructor(
    readonly bytes: Buffer,
    start: number,
    readonly depth: number,
  ) {
    this.pos = start;
    this.quoteLength = 1 << depth;
  }

  skipWhitespace(): void {
    for (let step = whitespaceAt(this.bytes, this.pos, this.depth); step !== 0; step = whitespaceAt(this.bytes, this.pos, this.depth)) {
      this.pos += step;
    }
  }

  /** The next byte after optional whitespace (`\` when a quote follows at depth > 0). */
  peek(): number {
    this.skipWhitespace();
    return this.bytes[this.pos] as number;
  }

  /** Expects `char` after optional whitespace and consumes it. */
  expect(char: number): boolean {
    if (this.peek() !== char) return false;
    this.pos++;
    return true;
  }

  /**
   * A string of printable ASCII without escapes, from the opening quote at `pos`. Returns false when it is
   * not one; else records its content and whether it holds only spaces.
   */
  plainString(): boolean {
    const { bytes, depth } = this;
    if (!isQuoteAt(bytes, this.pos, depth)) return false;
    let i = this.pos + this.quoteLength;
    const start = i;
    let blank = true;
    for (;;) {
      const code = bytes[i] as number;
      if (code === BACKSLASH && depth > 0) {
        if (!isQuoteAt(bytes, i, depth)) return false;
        break;
      }
      if (code === QUOTE) {
        if (depth > 0) return false;
        break;
      }
      // Also ends the scan at the end of the input (undefined).
      if (!(code >= SPACE && code <= LAST_PRINTABLE) || code === BACKSLASH) return false;
      if (code !== SPACE) blank = false;
      i++;
    }
    this.contentStart = start;
    this.contentEnd = i;
    this.blank = blank;
    this.pos = i + this.quoteLength;
    return true;
  }

  /** A JSON number from `pos`; returns false when it is not one. */
  number(): boolean {
    const end = numberEnd(this.bytes, this.pos);
    if (end === -1) return false;
    this.pos = end;
    return true;
  }

  /** Matches a literal such as `true` at `pos`. */
  literal(word: Uint8Array): boolean {
    if (!regionEquals(this.bytes, this.pos, word)) return false;
    this.pos += word.length;
    return true;
  }
}

/** The index just past the JSON number at `i`, or -1 when none starts there. */
export function numberEnd(bytes: Uint8Array, start: number): number {
  let i = start;
  if (bytes[i] === MINUS) i++;
  const first = bytes[i] as number;
  if (!isDigit(first)) return -1;
  i++;
  if (first !== DIGIT_0) while (isDigit(bytes[i] as number)) i++;
  if (bytes[i] === DOT) {
    i++;
    if (!isDigit(bytes[i] as number)) return -1;
    while (isDigit(bytes[i] as number)) i++;
  }
  const e = bytes[i];
  if (e === LOWER_E || e === UPPER_E) {
    i++;
    const sign = bytes[i];
    if (sign === PLUS || sign === MINUS) i++;
    if (!isDigit(bytes[i] as number)) return -1;
    while (isDigit(bytes[i] as number)) i++;
  }
  return i;
}

export function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_9;
}

export function regionEquals(bytes: Uint8Array, at: number, word: Uint8Array): boolean {
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word[i]) return false;
  return true;
}

/**
 * Whether the JSON number between `start` and `end` is written exactly as JSON.stringify would write it, so it
 * can be copied. Short integers and plain decimals (at most 15 significant digits, which always round-trip)
 * are decided from their digits alone; anything else by converting it.
 */
export function isCanonicalNumber(bytes: Buffer, start: number, end: number): boolean {
  let i = start;
  if (bytes[i] === MINUS) i++;
  const first = bytes[i];
  let dot = -1;
  for (let j = i; j < end; j++) {
    const code = bytes[j] as number;
    if (code === DOT) dot = j;
    else if (!isDigit(code)) return isCanonicalByConversion(bytes.toString('latin1', start, end));
  }
  const digits = end - i - (dot === -1 ? 0 : 1);
  if (dot === -1) {
    // "-0" is written "0"; longer integers may not round-trip.
    return digits <= 15 && !(first === DIGIT_0 && (digits > 1 || i > start));
  }
  // Trailing zeros are dropped, and values under 1e-6 are written with an exponent.
  if (bytes[end - 1] === DIGIT_0 || digits > 15) return isCanonicalByConversion(bytes.toString('latin1', start, end));
  return !(first === DIGIT_0 && regionEquals(bytes, dot + 1, FIVE_ZEROS));
}

const FIVE_ZEROS = Buffer.from('00000');
const MIN_TIME_DIGITS = String(MIN_METER_TIME).length;
const MAX_TIME_DIGITS = String(MAX_METER_TIME).length;

/**
 * Whether the number between `start` and `end` is a canonical integer in `window` (which lies within
 * MIN_METER_TIME..MAX_METER_TIME, whose bounds have 12 and 13 digits: such digits are read exactly).
 */
function isMeterTime(bytes: Uint8Array, start: number, end: number, window: MeterTimeWindow): boolean {
  const length = end - start;
  if (length < MIN_TIME_DIGITS || length > MAX_TIME_DIGITS || bytes[start] === DIGIT_0) return false;
  let millis = 0;
  for (let i = start; i < end; i++) {
    const code = bytes[i] as number;
    if (!isDigit(code)) return false;
    millis = millis * 10 + (code - DIGIT_0);
  }
  return millis >= window.earliest && millis <= window.latest;
}

function isCanonicalByConversion(number: string): boolean {
  const value = Number(number);
  return Number.isFinite(value) && String(value) === number;
}

const FIELD_NAME = 1;
const FIELD_CUSTOMER = 2;
const FIELD_TIME = 4;
const FIELD_VALUE = 8;
const FIELD_UNIQUE = 16;
const FIELD_DIMENSIONS = 32;
const REQUIRED_FIELDS = FIELD_NAME | FIELD_CUSTOMER | FIELD_VALUE;

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const METER_API_NAME = ascii('meterApiName');
const CUSTOMER_ID = ascii('customerId');
const METER_VALUE = ascii('meterValue');
const DIMENSIONS = ascii('dimensions');
const METER_TIME = ascii('meterTimeInMillis');
const UNIQUE_ID = ascii('uniqueId');
const TRUE = ascii('true');
const FALSE = ascii('false');
/** Dimension names the general path refuses. */
const FORBIDDEN_NAMES = ['__proto__', 'prototype', 'constructor'].map(ascii);

/** Which known field the key between `start` and `end` (quotes excluded) names; 0 for none. */
function fieldAt(bytes: Uint8Array, start: number, end: number): number {
  switch (end - start) {
    case 12:
      return regionEquals(bytes, start, METER_API_NAME) ? FIELD_NAME : 0;
    case 10:
      if (regionEquals(bytes, start, CUSTOMER_ID)) return FIELD_CUSTOMER;
      if (regionEquals(bytes, start, METER_VALUE)) return FIELD_VALUE;
      return regionEquals(bytes, start, DIMENSIONS) ? FIELD_DIMENSIONS : 0;
    case 17:
      return regionEquals(bytes, start, METER_TIME) ? FIELD_TIME : 0;
    case 8:
      return regionEquals(bytes, start, UNIQUE_ID) ? FIELD_UNIQUE : 0;
    default:
      return 0;
  }
}

/** Byte ranges of the dimensions being read: names and values, quotes excluded. */
const dimensionNameStarts = new Int32Array(MAX_DIMENSIONS);
const dimensionNameEnds = new Int32Array(MAX_DIMENSIONS);
const dimensionValueStarts = new Int32Array(MAX_DIMENSIONS);
const dimensionValueEnds = new Int32Array(MAX_DIMENSIONS);

/** Whether the name between `start` and `end` equals one seen before in this dimensions object. */
function isDuplicateName(bytes: Uint8Array, start: number, end: number, count: number): boolean {
  for (let k = 0; k < count; k++) {
    const otherStart = dimensionNameStarts[k] as number;
    if ((dimensionNameEnds[k] as number) - otherStart === end - start && regionsEqual(bytes, start, otherStart, end - start)) return true;
  }
  return false;
}

function regionsEqual(bytes: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

/** Names that a JavaScript object would reorder (integer-like) or that the general path refuses. */
function needsGeneralRules(bytes: Uint8Array, start: number, end: number): boolean {
  if (isDigit(bytes[start] as number)) return true;
  const length = end - start;
  // A loop rather than FORBIDDEN_NAMES.some(…): no closure per dimension name.
  for (const name of FORBIDDEN_NAMES) if (name.length === length && regionEquals(bytes, start, name)) return true;
  return false;
}

/**
 * Reads the dimensions object at the scanner's position into the dimension ranges; returns how many it holds
 * (numbers and booleans are kept as their text, to be written as strings as the general path does), or -1.
 */
function scanDimensions(scanner: Scanner): number {
  const { bytes } = scanner;
  if (!scanner.expect(OPEN_BRACE)) return -1;
  if (scanner.peek() === CLOSE_BRACE) {
    scanner.pos++;
    return 0;
  }
  let count = 0;
  for (;;) {
    scanner.skipWhitespace();
    if (!scanner.plainString() || scanner.blank) return -1;
    const nameStart = scanner.contentStart;
    const nameEnd = scanner.contentEnd;
    if (count === MAX_DIMENSIONS || needsGeneralRules(bytes, nameStart, nameEnd) || isDuplicateName(bytes, nameStart, nameEnd, count)) {
      return -1;
    }
    if (!scanner.expect(COLON)) return -1;
    scanner.skipWhitespace();
    const valueStart = scanner.pos;
    const code = bytes[valueStart];
    if (isQuoteAt(bytes, valueStart, scanner.depth)) {
      if (!scanner.plainString()) return -1;
      dimensionValueStarts[count] = scanner.contentStart;
      dimensionValueEnds[count] = scanner.contentEnd;
    } else {
      const bare =
        (code === LOWER_T && scanner.literal(TRUE)) ||
        (code === LOWER_F && scanner.literal(FALSE)) ||
        (scanner.number() && isCanonicalNumber(bytes, valueStart, scanner.pos));
      if (!bare) return -1;
      dimensionValueStarts[count] = valueStart;
      dimensionValueEnds[count] = scanner.pos;
    }
    dimensionNameStarts[count] = nameStart;
    dimensionNameEnds[count] = nameEnd;
    count++;
    const next = scanner.peek();
    scanner.pos++;
    if (next === CLOSE_BRACE) return count;
    if (next !== COMMA) return -1;
  }
}

/**
 * What a record without uniqueId or meterTimeInMillis takes from its log event: the JSON string literal of
 * the event id (quotes included) and the timestamp's digits, as byte ranges of `bytes`; and the meter times
 * its Firehose record accepts.
 */
export interface EventDefaults {
  bytes: Buffer;
  idStart: number;
  idEnd: number;
  timeStart: number;
  timeEnd: number;
  readonly timeWindow: MeterTimeWindow;
}

const OPEN_NAME = fixedText('{"meterApiName":"');
const THEN_CUSTOMER = fixedText('","customerId":"');
const THEN_TIME = fixedText('","meterTimeInMillis":');
const THEN_VALUE = fixedText(',"meterValue":');
const THEN_UNIQUE_ID = fixedText(',"uniqueId":');
const THEN_DIMENSIONS = fixedText(',"dimensions":{');
const DIMENSION_SEPARATOR = fixedText('":"');
const CLOSE_LINE = fixedText('}\n');
/** Room for the fixed text of a line and the quotes and commas around the dimensions. */
const LINE_OVERHEAD = 128 + MAX_DIMENSIONS * 6;

/** `text` with its quotes escaped for each depth. */
function escapedForDepths(text: string): readonly FixedText[] {
  return [text, text.replaceAll('"', '\\"'), text.replaceAll('"', '\\\\\\"')].map(fixedText);
}

/**
 * The record in its most common form, escaped for each depth: compact, every field there but the uniqueId (which
 * may be) in the order they are written in, dimensions of strings. Its line is the record unescaped.
 */
const COMPACT_OPEN = escapedForDepths('{"meterApiName":"');
const COMPACT_CUSTOMER = escapedForDepths('","customerId":"');
const COMPACT_TIME = escapedForDepths('","meterTimeInMillis":');
const COMPACT_VALUE = escapedForDepths(',"meterValue":');
const COMPACT_UNIQUE_ID = escapedForDepths(',"uniqueId":"');
const COMPACT_DIMENSIONS = escapedForDepths(',"dimensions":{"');
const COMPACT_STRING_END = escapedForDepths('"');
const COMPACT_DIMENSION_COLON = escapedForDepths('":"');
const COMPACT_DIMENSION_NEXT = escapedForDepths('","');
const COMPACT_DIMENSIONS_END = escapedForDepths('"}');
const OUT_DIMENSIONS = fixedText(',"dimensions":{"');
const OUT_DIMENSION_NEXT = fixedText('","');
const OUT_DIMENSIONS_END = fixedText('"}');

function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end && bytes[i] === SPACE) i++;
  return i === end;
}

/**
 * Writes the line of a record in the compact form (see COMPACT_OPEN) as it reads it, in one pass; returns the
 * index just past the record, or -1 (having written nothing) for a record in any other form.
 */
function encodeCompactRecord(bytes: Buffer, start: number, depth: number, defaults: EventDefaults, out: ByteWriter): number {
  const mark = out.length;
  const end = writeCompactRecord(bytes, start, depth, defaults, out);
  if (end === -1) out.truncate(mark);
  return end;
}

function writeCompactRecord(bytes: Buffer, start: number, depth: number, defaults: EventDefaults, out: ByteWriter): number {
  const open = COMPACT_OPEN[depth] as FixedText;
  if (!fixedAt(bytes, start, open)) return -1;
  // The line is never longer than the rest of the input plus the derived uniqueId.
  out.reserve(bytes.length - start + (defaults.idEnd - defaults.idStart) + LINE_OVERHEAD);
  out.fixed(OPEN_NAME);
  let i = open.bytes.length + start;
  let from = i;
  i = out.copyPlainText(bytes, i);
  const customer = COMPACT_CUSTOMER[depth] as FixedText;
  if (isBlank(bytes, from, i) || !fixedAt(bytes, i, customer)) return -1;
  out.fixed(THEN_CUSTOMER);
  i += customer.bytes.length;
  from = i;
  i = out.copyPlainText(bytes, i);
  const time = COMPACT_TIME[depth] as FixedText;
  if (isBlank(bytes, from, i) || !fixedAt(bytes, i, time)) return -1;
  out.fixed(THEN_TIME);
  i += time.bytes.length;
  from = i;
  while (isDigit(bytes[i] as number)) i++;
  const value = COMPACT_VALUE[depth] as FixedText;
  if (!isMeterTime(bytes, from, i, defaults.timeWindow) || !fixedAt(bytes, i, value)) return -1;
  out.copy(bytes, from, i);
  out.fixed(THEN_VALUE);
  i += value.bytes.length;
  from = i;
  i = numberEnd(bytes, i);
  if (i === -1 || !isCanonicalNumber(bytes, from, i)) return -1;
  out.copy(bytes, from, i);
  out.fixed(THEN_UNIQUE_ID);
  const uniqueId = COMPACT_UNIQUE_ID[depth] as FixedText;
  if (fixedAt(bytes, i, uniqueId)) {
    i += uniqueId.bytes.length;
    from = i;
    out.byte(QUOTE);
    i = out.copyPlainText(bytes, i);
    if (isBlank(bytes, from, i) || !isQuoteAt(bytes, i, depth)) return -1;
    out.byte(QUOTE);
    i += (COMPACT_STRING_END[depth] as FixedText).bytes.length;
  } else {
    out.copy(defaults.bytes, defaults.idStart, defaults.idEnd);
  }
  const dimensions = COMPACT_DIMENSIONS[depth] as FixedText;
  if (fixedAt(bytes, i, dimensions)) {
    i = writeCompactDimensions(bytes, i + dimensions.bytes.length, depth, out);
    if (i === -1) return -1;
  }
  if (bytes[i] !== CLOSE_BRACE) return -1;
  out.fixed(CLOSE_LINE);
  return i + 1;
}

/** Writes the compact dimensions whose first name starts at `start`; returns the index past their `}`, or -1. */
function writeCompactDimensions(bytes: Buffer, start: number, depth: number, out: ByteWriter): number {
  const colon = COMPACT_DIMENSION_COLON[depth] as FixedText;
  const next = COMPACT_DIMENSION_NEXT[depth] as FixedText;
  const end = COMPACT_DIMENSIONS_END[depth] as FixedText;
  out.fixed(OUT_DIMENSIONS);
  let i = start;
  for (let count = 0; ; count++) {
    const nameStart = i;
    i = out.copyPlainText(bytes, i);
    if (count === MAX_DIMENSIONS || isBlank(bytes, nameStart, i) || needsGeneralRules(bytes, nameStart, i) || isDuplicateName(bytes, nameStart, i, count)) {
      return -1;
    }
    dimensionNameStarts[count] = nameStart;
    dimensionNameEnds[count] = i;
    if (!fixedAt(bytes, i, colon)) return -1;
    out.fixed(DIMENSION_SEPARATOR);
    i = out.copyPlainText(bytes, i + colon.bytes.length);
    if (fixedAt(bytes, i, end)) {
      out.fixed(OUT_DIMENSIONS_END);
      return i + end.bytes.length;
    }
    if (!fixedAt(bytes, i, next)) return -1;
    out.fixed(OUT_DIMENSION_NEXT);
    i += next.bytes.length;
  }
}

/**
 * Writes the NDJSON line for the record whose JSON object starts at `start` in `bytes`, `depth` strings deep,
 * and returns the index just past the object; returns -1 (writing nothing) when the record is not in the plain
 * form, and the general path then decides, and may still accept it.
 */
export function encodeRecordAt(bytes: Buffer, start: number, depth: number, defaults: EventDefaults, out: ByteWriter): number {
  const compactEnd = encodeCompactRecord(bytes, start, depth, defaults, out);
  return compactEnd === -1 ? encodePlainRecord(bytes, start, depth, defaults, out) : compactEnd;
}

/** encodeRecordAt for a record in any plain form: fields in any order, whitespace, numbers and booleans. */
function encodePlainRecord(bytes: Buffer, start: number, depth: number, defaults: EventDefaults, out: ByteWriter): number {
  const scanner = new Scanner(bytes, start, depth);
  if (!scanner.expect(OPEN_BRACE)) return -1;
  if (scanner.peek() === CLOSE_BRACE) return -1;
  let seen = 0;
  let nameStart = 0;
  let nameEnd = 0;
  let customerStart = 0;
  let customerEnd = 0;
  let valueStart = 0;
  let valueEnd = 0;
  let uniqueStart = 0;
  let uniqueEnd = 0;
  let timeStart = 0;
  let timeEnd = 0;
  let dimensions = 0;
  for (;;) {
    scanner.skipWhitespace();
    if (!scanner.plainString()) return -1;
    const field = fieldAt(bytes, scanner.contentStart, scanner.contentEnd);
    if (field === 0 || (seen & field) !== 0) return -1;
    seen |= field;
    if (!scanner.expect(COLON)) return -1;
    scanner.skipWhitespace();
    const at = scanner.pos;
    switch (field) {
      case FIELD_NAME:
      case FIELD_CUSTOMER:
      case FIELD_UNIQUE: {
        if (!scanner.plainString() || scanner.blank) return -1;
        if (field === FIELD_NAME) {
          nameStart = scanner.contentStart;
          nameEnd = scanner.contentEnd;
        } else if (field === FIELD_CUSTOMER) {
          customerStart = scanner.contentStart;
          customerEnd = scanner.contentEnd;
        } else {
          uniqueStart = scanner.contentStart;
          uniqueEnd = scanner.contentEnd;
        }
        break;
      }
      case FIELD_VALUE: {
        if (!scanner.number() || !isCanonicalNumber(bytes, at, scanner.pos)) return -1;
        valueStart = at;
        valueEnd = scanner.pos;
        break;
      }
      case FIELD_TIME: {
        if (!scanner.number() || !isMeterTime(bytes, at, scanner.pos, defaults.timeWindow)) return -1;
        timeStart = at;
        timeEnd = scanner.pos;
        break;
      }
      default: {
        dimensions = scanDimensions(scanner);
        if (dimensions === -1) return -1;
      }
    }
    const next = scanner.peek();
    scanner.pos++;
    if (next === CLOSE_BRACE) break;
    if (next !== COMMA) return -1;
  }
  if ((seen & REQUIRED_FIELDS) !== REQUIRED_FIELDS) return -1;
  // The log event's timestamp stands in for a missing time, and is held to the same rules.
  if ((seen & FIELD_TIME) === 0 && !isMeterTime(defaults.bytes, defaults.timeStart, defaults.timeEnd, defaults.timeWindow)) return -1;
  out.reserve(LINE_OVERHEAD + (scanner.pos - start) + (defaults.idEnd - defaults.idStart) + (defaults.timeEnd - defaults.timeStart));
  out.fixed(OPEN_NAME);
  out.copy(bytes, nameStart, nameEnd);
  out.fixed(THEN_CUSTOMER);
  out.copy(bytes, customerStart, customerEnd);
  out.fixed(THEN_TIME);
  if ((seen & FIELD_TIME) === 0) out.copy(defaults.bytes, defaults.timeStart, defaults.timeEnd);
  else out.copy(bytes, timeStart, timeEnd);
  out.fixed(THEN_VALUE);
  out.copy(bytes, valueStart, valueEnd);
  out.fixed(THEN_UNIQUE_ID);
  if ((seen & FIELD_UNIQUE) === 0) {
    out.copy(defaults.bytes, defaults.idStart, defaults.idEnd);
  } else {
    // The record's own uniqueId sat between escaped quotes: plain ones go around its content.
    out.byte(QUOTE);
    out.copy(bytes, uniqueStart, uniqueEnd);
    out.byte(QUOTE);
  }
  if (dimensions > 0) {
    out.fixed(THEN_DIMENSIONS);
    for (let k = 0; k < dimensions; k++) {
      if (k > 0) out.byte(COMMA);
      out.byte(QUOTE);
      out.copy(bytes, dimensionNameStarts[k] as number, dimensionNameEnds[k] as number);
      out.fixed(DIMENSION_SEPARATOR);
      out.copy(bytes, dimensionValueStarts[k] as number, dimensionValueEnds[k] as number);
      out.byte(QUOTE);
    }
    out.byte(CLOSE_BRACE);
  }
  out.fixed(CLOSE_LINE);
  return scanner.pos;
}

/**
 * The NDJSON line for the record whose JSON object starts at `start` in `text` (a decoded message), or
 * undefined when the record is not in the plain form.
 *
 * @param derivedUniqueIdJson JSON string literal of the uniqueId to use when the record has none
 * @param defaultTimeInMillis the time to use when the record has no meterTimeInMillis
 * @param timeWindow the meter times accepted
 */
export function fastEncodeRecord(
  text: string,
  start: number,
  derivedUniqueIdJson: string,
  defaultTimeInMillis: number,
  timeWindow: MeterTimeWindow = WHOLE_METER_TIME_RANGE,
): string | undefined {
  const idAndTime = Buffer.from(`${derivedUniqueIdJson}${defaultTimeInMillis}`);
  const idEnd = Buffer.byteLength(derivedUniqueIdJson);
  const defaults: EventDefaults = { bytes: idAndTime, idStart: 0, idEnd, timeStart: idEnd, timeEnd: idAndTime.length, timeWindow };
  const out = new ByteWriter(256);
  return encodeRecordAt(Buffer.from(text.slice(start)), 0, 0, defaults, out) === -1 ? undefined : out.written().toString();
}

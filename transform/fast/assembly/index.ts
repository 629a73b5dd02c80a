/**
 * The hot path, compiled to WebAssembly with 128-bit SIMD (AssemblyScript): reads the log events of a CloudWatch
 * Logs DATA_MESSAGE straight from its gunzipped bytes and writes the NDJSON line of every meter record in the plain
 * form nearly every record takes, where it lies (see transform/fast/fast-payload.ts for the host side). A log event
 * it cannot read exactly stops the scan with NEEDS_RULES, and the host transforms that event by the general rules
 * (transform/payload.ts), which define them; a payload laid out otherwise stops it with UNREADABLE. Differential
 * tests hold both paths to the same result.
 *
 * Quoted strings are read in their escaped form: a log event message is depth 1 (its quotes are `\"`), the message
 * field of a Lambda JSON log line inside it depth 2 (`\\\"`); a record the host decoded itself is depth 0.
 *
 * Memory: the host places the input, the prefix and the output where `configure` says, each input followed by 64
 * zero bytes. Every scan stops at a zero byte (a control character), so the 16-byte loads never run past the
 * padding, and output is written 16 bytes at a time into a region followed by slack for them (see scanner.ts).
 */

// Results of readEvents.
export const DONE: i32 = 0;
export const NEEDS_RULES: i32 = 1;
export const NEEDS_ROOM: i32 = 2;
export const UNREADABLE: i32 = 3;

const TAB: i32 = 0x09;
const LF: i32 = 0x0a;
const CR: i32 = 0x0d;
const SPACE: i32 = 0x20;
const QUOTE: i32 = 0x22;
const PLUS: i32 = 0x2b;
const COMMA: i32 = 0x2c;
const MINUS: i32 = 0x2d;
const DOT: i32 = 0x2e;
const SLASH: i32 = 0x2f;
const DIGIT_0: i32 = 0x30;
const DIGIT_9: i32 = 0x39;
const COLON: i32 = 0x3a;
const EQUALS: i32 = 0x3d;
const UPPER_E: i32 = 0x45;
const BACKSLASH: i32 = 0x5c;
const CLOSE_BRACKET: i32 = 0x5d;
const LOWER_B: i32 = 0x62;
const LOWER_E: i32 = 0x65;
const LOWER_F: i32 = 0x66;
const LOWER_N: i32 = 0x6e;
const LOWER_R: i32 = 0x72;
const LOWER_T: i32 = 0x74;
const OPEN_BRACE: i32 = 0x7b;
const CLOSE_BRACE: i32 = 0x7d;
const LAST_PRINTABLE: i32 = 0x7e;

/** Result of a read that could not be done exactly on the bytes: the general rules decide. */
const UNREAD: i32 = -1;
/** Integers this long always round-trip, so their digits are what String() writes. */
const MAX_EXACT_DIGITS: i32 = 15;
const MAX_DIMENSIONS: i32 = 32;
/** Room for the fixed text of a line and the quotes and commas around the dimensions. */
const LINE_OVERHEAD: i32 = 128 + MAX_DIMENSIONS * 6;

// ---------------------------------------------------------------------------------------------------------------
// Fixed texts, written by init() into 64-byte slots; the compact record's texts once per depth (slot + depth).

const SLOT: i32 = 64;
const TEXT_SLOTS: i32 = 64;
const TEXTS: usize = memory.data(SLOT * TEXT_SLOTS, 16);
const TEXT_LENGTHS: usize = memory.data(TEXT_SLOTS);

const EVENT_OPEN: i32 = 0;
const EVENT_TIMESTAMP: i32 = 1;
const EVENT_MESSAGE: i32 = 2;
const EVENT_CLOSE: i32 = 3;
const MESSAGE_KEY: i32 = 4;
const RECORD_FIELD_KEY: i32 = 5;
const TRUE: i32 = 6;
const FALSE: i32 = 7;
const NULL: i32 = 8;
const METER_API_NAME: i32 = 9;
const CUSTOMER_ID: i32 = 10;
const METER_VALUE: i32 = 11;
const DIMENSIONS: i32 = 12;
const METER_TIME: i32 = 13;
const UNIQUE_ID: i32 = 14;
const PROTO: i32 = 15;
const PROTOTYPE: i32 = 16;
const CONSTRUCTOR: i32 = 17;
const FIVE_ZEROS: i32 = 18;
const OPEN_NAME: i32 = 19;
const THEN_CUSTOMER: i32 = 20;
const THEN_TIME: i32 = 21;
const THEN_VALUE: i32 = 22;
const THEN_UNIQUE_ID: i32 = 23;
const THEN_DIMENSIONS: i32 = 24;
const DIMENSION_SEPARATOR: i32 = 25;
const CLOSE_LINE: i32 = 26;
const OUT_DIMENSIONS: i32 = 27;
const OUT_DIMENSION_NEXT: i32 = 28;
const OUT_DIMENSIONS_END: i32 = 29;
// The record in its most common form, escaped for each depth: compact, every field there but the uniqueId (which
// may be) in the order they are written in, dimensions of strings. Its line is the record unescaped.
const COMPACT_OPEN: i32 = 30;
const COMPACT_CUSTOMER: i32 = 33;
const COMPACT_TIME: i32 = 36;
const COMPACT_VALUE: i32 = 39;
const COMPACT_UNIQUE_ID: i32 = 42;
const COMPACT_DIMENSIONS: i32 = 45;
const COMPACT_STRING_END: i32 = 48;
const COMPACT_DIMENSION_COLON: i32 = 51;
const COMPACT_DIMENSION_NEXT: i32 = 54;
const COMPACT_DIMENSIONS_END: i32 = 57;

@inline function textAt(id: i32): usize {
  return TEXTS + <usize>(id * SLOT);
}

@inline function textLength(id: i32): i32 {
  return <i32>load<u8>(TEXT_LENGTHS + <usize>id);
}

/** Writes `text` into slot `id` with its quotes escaped for `depth` (`"`, `\"`, `\\\"`). */
function define(id: i32, text: string, depth: i32 = 0): void {
  const slot = textAt(id);
  let length = 0;
  for (let k = 0; k < text.length; k++) {
    const code = text.charCodeAt(k);
    if (code == QUOTE) {
      for (let b = 0; b < (1 << depth) - 1; b++) {
        store<u8>(slot + <usize>length, <u8>BACKSLASH);
        length++;
      }
    }
    store<u8>(slot + <usize>length, <u8>code);
    length++;
  }
  store<u8>(TEXT_LENGTHS + <usize>id, <u8>length);
}

function defineForDepths(id: i32, text: string): void {
  for (let depth = 0; depth < 3; depth++) define(id + depth, text, depth);
}

/** Fills the fixed texts; the host calls it once, before anything else. */
export function init(): void {
  define(EVENT_OPEN, '{"id":"');
  define(EVENT_TIMESTAMP, '","timestamp":');
  define(EVENT_MESSAGE, ',"message":"');
  define(EVENT_CLOSE, '"}');
  define(MESSAGE_KEY, 'message');
  define(RECORD_FIELD_KEY, 'meterRecord');
  define(TRUE, 'true');
  define(FALSE, 'false');
  define(NULL, 'null');
  define(METER_API_NAME, 'meterApiName');
  define(CUSTOMER_ID, 'customerId');
  define(METER_VALUE, 'meterValue');
  define(DIMENSIONS, 'dimensions');
  define(METER_TIME, 'meterTimeInMillis');
  define(UNIQUE_ID, 'uniqueId');
  define(PROTO, '__proto__');
  define(PROTOTYPE, 'prototype');
  define(CONSTRUCTOR, 'constructor');
  define(FIVE_ZEROS, '00000');
  define(OPEN_NAME, '{"meterApiName":"');
  define(THEN_CUSTOMER, '","customerId":"');
  define(THEN_TIME, '","meterTimeInMillis":');
  define(THEN_VALUE, ',"meterValue":');
  define(THEN_UNIQUE_ID, ',"uniqueId":');
  define(THEN_DIMENSIONS, ',"dimensions":{');
  define(DIMENSION_SEPARATOR, '":"');
  define(CLOSE_LINE, '}\n');
  define(OUT_DIMENSIONS, ',"dimensions":{"');
  define(OUT_DIMENSION_NEXT, '","');
  define(OUT_DIMENSIONS_END, '"}');
  defineForDepths(COMPACT_OPEN, '{"meterApiName":"');
  defineForDepths(COMPACT_CUSTOMER, '","customerId":"');
  defineForDepths(COMPACT_TIME, '","meterTimeInMillis":');
  defineForDepths(COMPACT_VALUE, ',"meterValue":');
  defineForDepths(COMPACT_UNIQUE_ID, ',"uniqueId":"');
  defineForDepths(COMPACT_DIMENSIONS, ',"dimensions":{"');
  defineForDepths(COMPACT_STRING_END, '"');
  defineForDepths(COMPACT_DIMENSION_COLON, '":"');
  defineForDepths(COMPACT_DIMENSION_NEXT, '","');
  defineForDepths(COMPACT_DIMENSIONS_END, '"}');
}

// ---------------------------------------------------------------------------------------------------------------
// State set by the host (configure) and by the event being read.

let inputEnd: i32 = 0;
let prefixStart: i32 = 0;
let prefixLength: i32 = 0;
let earliest: f64 = 0;
let latest: f64 = 0;
/** Where the next output byte goes, and the end of the output region (its slack excluded). */
let out: i32 = 0;
let outEnd: i32 = 0;
let meterRecords: i32 = 0;
/** What a record without uniqueId or meterTimeInMillis takes from its log event: the id's JSON string literal
 * (quotes included) and the timestamp's digits, as absolute byte ranges. */
let idStart: i32 = 0;
let idEnd: i32 = 0;
let timeStart: i32 = 0;
let timeEnd: i32 = 0;
/** The event readEvents stopped at, and where its message's content starts. */
let eventStart: i32 = 0;
let messageStart: i32 = 0;
/** Whether the message readLineMessage read last held the record (else it was the prefix alone). */
let messageHeldRecord: bool = false;

/** Sets where the input, the prefix and the output are, and the meter times accepted; resets the counts. */
export function configure(
  input: i32,
  length: i32,
  prefix: i32,
  prefixBytes: i32,
  output: i32,
  outputCapacity: i32,
  earliestTime: f64,
  latestTime: f64,
): void {
  inputEnd = input + length;
  prefixStart = prefix;
  prefixLength = prefixBytes;
  out = output;
  outEnd = output + outputCapacity;
  earliest = earliestTime;
  latest = latestTime;
  meterRecords = 0;
}

/** The output region grew (the host grew the memory): its end moves. */
export function setOutputEnd(end: i32): void {
  outEnd = end;
}

/** The host wrote `count` bytes at outputPosition() (lines of events it transformed itself). */
export function advanceOutput(count: i32): void {
  out += count;
}

export function outputPosition(): i32 {
  return out;
}

export function recordsWritten(): i32 {
  return meterRecords;
}

export function stoppedEvent(): i32 {
  return eventStart;
}

export function stoppedMessage(): i32 {
  return messageStart;
}

/** Where the host may place its regions: past the fixed texts. */
export function staticEnd(): i32 {
  return <i32>__heap_base;
}

// ---------------------------------------------------------------------------------------------------------------
// Bytes.

@inline function byteAt(i: i32): i32 {
  return <i32>load<u8>(<usize>i);
}

@inline function isDigit(code: i32): bool {
  return code >= DIGIT_0 && code <= DIGIT_9;
}

function regionEquals(at: i32, start: i32, length: i32): bool {
  if (at + length > inputEnd) return false;
  for (let k = 0; k < length; k++) if (byteAt(at + k) != byteAt(start + k)) return false;
  return true;
}

function textEquals(at: i32, id: i32): bool {
  return regionEquals(at, <i32>textAt(id), textLength(id));
}

/** Whether fixed text `id` is at `at`, compared 16 bytes at a time. */
function fixedAt(at: i32, id: i32): bool {
  const length = textLength(id);
  if (at + length > inputEnd) return false;
  const text = textAt(id);
  for (let k = 0; k < length; k += 16) {
    const same = i8x16.bitmask(i8x16.eq(v128.load(<usize>(at + k)), v128.load(text + <usize>k)));
    const wanted = length - k >= 16 ? 0xffff : (1 << (length - k)) - 1;
    if ((same & wanted) != wanted) return false;
  }
  return true;
}

const SPACES: v128 = i8x16.splat(<i8>SPACE);
const QUOTES: v128 = i8x16.splat(<i8>QUOTE);
const BACKSLASHES: v128 = i8x16.splat(<i8>BACKSLASH);
const PRINTABLE_LAST: v128 = i8x16.splat(<i8>LAST_PRINTABLE);

/** The bytes of `v` that cannot be plain string content at any depth: a control character, `"` or `\`. */
@inline function unplainBytes(v: v128): v128 {
  return v128.or(v128.or(i8x16.lt_u(v, SPACES), i8x16.eq(v, QUOTES)), i8x16.eq(v, BACKSLASHES));
}

/** unplainBytes, and those that are not printable ASCII: what JSON.stringify does not write as is. */
@inline function unprintableBytes(v: v128): v128 {
  return v128.or(unplainBytes(v), i8x16.gt_u(v, PRINTABLE_LAST));
}

/** The index of the first byte from `from` that cannot be plain string content at any depth. */
function plainEnd(from: i32): i32 {
  let i = from;
  let mask = i8x16.bitmask(unplainBytes(v128.load(<usize>i)));
  while (mask == 0) {
    i += 16;
    mask = i8x16.bitmask(unplainBytes(v128.load(<usize>i)));
  }
  return i + ctz(mask);
}

/** The index of the first byte from `from` that is not printable ASCII or is a quote or a backslash. */
function printableEnd(from: i32): i32 {
  let i = from;
  let mask = i8x16.bitmask(unprintableBytes(v128.load(<usize>i)));
  while (mask == 0) {
    i += 16;
    mask = i8x16.bitmask(unprintableBytes(v128.load(<usize>i)));
  }
  return i + ctz(mask);
}

// ---------------------------------------------------------------------------------------------------------------
// Output. Room is checked once per event (see readEvent); writes store whole 16-byte vectors into the slack.

function writeText(id: i32): void {
  const text = textAt(id);
  const length = textLength(id);
  for (let k = 0; k < length; k += 16) v128.store(<usize>(out + k), v128.load(text + <usize>k));
  out += length;
}

@inline function writeByte(code: i32): void {
  store<u8>(<usize>out, <u8>code);
  out++;
}

function copy(start: i32, end: i32): void {
  for (let k = start; k < end; k += 16) v128.store(<usize>(out + k - start), v128.load(<usize>k));
  out += end - start;
}

/** Copies the plain string content (printable ASCII but `"` and `\`) from `from`; returns where it ends. */
function copyPlainText(from: i32): i32 {
  let i = from;
  let v = v128.load(<usize>i);
  let mask = i8x16.bitmask(unprintableBytes(v));
  while (mask == 0) {
    v128.store(<usize>(out + i - from), v);
    i += 16;
    v = v128.load(<usize>i);
    mask = i8x16.bitmask(unprintableBytes(v));
  }
  v128.store(<usize>(out + i - from), v);
  const end = i + ctz(mask);
  out += end - from;
  return end;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON text escaped for a depth.

/** Whether `code` is the letter of a whitespace escape (`\n`, `\r`, `\t`). */
@inline function isWhitespaceEscape(code: i32): bool {
  return code == LOWER_N || code == LOWER_R || code == LOWER_T;
}

/** Escapes of characters that never continue a token, so never spell part of the prefix: `\" \\ \/ \b \f \n \r \t`. */
function isShortEscape(code: i32): bool {
  return code == QUOTE || code == BACKSLASH || code == SLASH || code == LOWER_B || code == LOWER_F || code == LOWER_N || code == LOWER_R || code == LOWER_T;
}

/** Whether a quote, escaped for `depth` (`"`, `\"`, `\\\"`), starts at `i`. */
function isQuoteAt(i: i32, depth: i32): bool {
  if (depth == 0) return byteAt(i) == QUOTE;
  if (depth == 1) return byteAt(i) == BACKSLASH && byteAt(i + 1) == QUOTE;
  return byteAt(i) == BACKSLASH && byteAt(i + 1) == BACKSLASH && byteAt(i + 2) == BACKSLASH && byteAt(i + 3) == QUOTE;
}

/** Length of the whitespace character, escaped for `depth`, at `i` (0 for none). */
function whitespaceAt(i: i32, depth: i32): i32 {
  const code = byteAt(i);
  if (code == SPACE) return 1;
  if (depth == 0) return code == LF || code == CR || code == TAB ? 1 : 0;
  if (code != BACKSLASH) return 0;
  if (depth == 1) return isWhitespaceEscape(byteAt(i + 1)) ? 2 : 0;
  return byteAt(i + 1) == BACKSLASH && isWhitespaceEscape(byteAt(i + 2)) ? 3 : 0;
}

/** The index just past the JSON number at `start`, or -1 when none starts there. */
function numberEnd(start: i32): i32 {
  let i = start;
  if (byteAt(i) == MINUS) i++;
  const first = byteAt(i);
  if (!isDigit(first)) return -1;
  i++;
  if (first != DIGIT_0) while (isDigit(byteAt(i))) i++;
  if (byteAt(i) == DOT) {
    i++;
    if (!isDigit(byteAt(i))) return -1;
    while (isDigit(byteAt(i))) i++;
  }
  const e = byteAt(i);
  if (e == LOWER_E || e == UPPER_E) {
    i++;
    const sign = byteAt(i);
    if (sign == PLUS || sign == MINUS) i++;
    if (!isDigit(byteAt(i))) return -1;
    while (isDigit(byteAt(i))) i++;
  }
  return i;
}

/**
 * Whether the JSON number between `start` and `end` is written exactly as JSON.stringify would write it, so it can
 * be copied: short integers and plain decimals (at most 15 significant digits, which always round-trip). Anything
 * else would need converting: the general rules decide it.
 */
function isCanonicalNumber(start: i32, end: i32): bool {
  let i = start;
  if (byteAt(i) == MINUS) i++;
  const first = byteAt(i);
  let dot = -1;
  for (let j = i; j < end; j++) {
    const code = byteAt(j);
    if (code == DOT) dot = j;
    else if (!isDigit(code)) return false;
  }
  const digits = end - i - (dot == -1 ? 0 : 1);
  if (dot == -1) {
    // "-0" is written "0"; longer integers may not round-trip.
    return digits <= MAX_EXACT_DIGITS && !(first == DIGIT_0 && (digits > 1 || i > start));
  }
  // Trailing zeros are dropped, and values under 1e-6 are written with an exponent.
  if (byteAt(end - 1) == DIGIT_0 || digits > MAX_EXACT_DIGITS) return false;
  return !(first == DIGIT_0 && textEquals(dot + 1, FIVE_ZEROS));
}

/**
 * Whether the number between `start` and `end` is a canonical integer in the window (which lies within the meter
 * times the rules accept, integers of 12 and 13 digits: read exactly).
 */
function isMeterTime(start: i32, end: i32): bool {
  const length = end - start;
  if (length < 1 || length > MAX_EXACT_DIGITS || byteAt(start) == DIGIT_0) return false;
  let millis: f64 = 0;
  for (let i = start; i < end; i++) {
    const code = byteAt(i);
    if (!isDigit(code)) return false;
    millis = millis * 10 + <f64>(code - DIGIT_0);
  }
  return millis >= earliest && millis <= latest;
}

function isBlank(start: i32, end: i32): bool {
  let i = start;
  while (i < end && byteAt(i) == SPACE) i++;
  return i == end;
}

// ---------------------------------------------------------------------------------------------------------------
// A record in any plain form: fields in any order, whitespace, numbers and booleans.

/** The plain-form scanner's position, the depth of the record it reads, and the last plainString()'s content
 * (quotes excluded) and whether it held only spaces. */
let pos: i32 = 0;
let scanDepth: i32 = 0;
let contentStart: i32 = 0;
let contentEnd: i32 = 0;
let blank: bool = false;

function skipWhitespace(): void {
  for (let step = whitespaceAt(pos, scanDepth); step != 0; step = whitespaceAt(pos, scanDepth)) pos += step;
}

/** The next byte after optional whitespace (`\` when a quote follows at depth > 0). */
function peek(): i32 {
  skipWhitespace();
  return byteAt(pos);
}

/** Expects `char` after optional whitespace and consumes it. */
function expect(char: i32): bool {
  if (peek() != char) return false;
  pos++;
  return true;
}

/**
 * A string of printable ASCII without escapes, from the opening quote at `pos`. Returns false when it is not one;
 * else records its content and whether it holds only spaces.
 */
function plainString(): bool {
  const depth = scanDepth;
  if (!isQuoteAt(pos, depth)) return false;
  let i = pos + (1 << depth);
  const start = i;
  let allSpaces = true;
  for (;;) {
    const code = byteAt(i);
    if (code == BACKSLASH && depth > 0) {
      if (!isQuoteAt(i, depth)) return false;
      break;
    }
    if (code == QUOTE) {
      if (depth > 0) return false;
      break;
    }
    if (!(code >= SPACE && code <= LAST_PRINTABLE) || code == BACKSLASH) return false;
    if (code != SPACE) allSpaces = false;
    i++;
  }
  contentStart = start;
  contentEnd = i;
  blank = allSpaces;
  pos = i + (1 << depth);
  return true;
}

function scanNumber(): bool {
  const end = numberEnd(pos);
  if (end == -1) return false;
  pos = end;
  return true;
}

function literal(id: i32): bool {
  if (!textEquals(pos, id)) return false;
  pos += textLength(id);
  return true;
}

const FIELD_NAME: i32 = 1;
const FIELD_CUSTOMER: i32 = 2;
const FIELD_TIME: i32 = 4;
const FIELD_VALUE: i32 = 8;
const FIELD_UNIQUE: i32 = 16;
const FIELD_DIMENSIONS: i32 = 32;
const REQUIRED_FIELDS: i32 = FIELD_NAME | FIELD_CUSTOMER | FIELD_VALUE;

/** Which known field the key between `start` and `end` (quotes excluded) names; 0 for none. */
function fieldAt(start: i32, end: i32): i32 {
  switch (end - start) {
    case 12:
      return textEquals(start, METER_API_NAME) ? FIELD_NAME : 0;
    case 10:
      if (textEquals(start, CUSTOMER_ID)) return FIELD_CUSTOMER;
      if (textEquals(start, METER_VALUE)) return FIELD_VALUE;
      return textEquals(start, DIMENSIONS) ? FIELD_DIMENSIONS : 0;
    case 17:
      return textEquals(start, METER_TIME) ? FIELD_TIME : 0;
    case 8:
      return textEquals(start, UNIQUE_ID) ? FIELD_UNIQUE : 0;
    default:
      return 0;
  }
}

/** Byte ranges of the dimensions being read: names and values, quotes excluded. */
const NAME_STARTS: usize = memory.data(MAX_DIMENSIONS * 4, 4);
const NAME_ENDS: usize = memory.data(MAX_DIMENSIONS * 4, 4);
const VALUE_STARTS: usize = memory.data(MAX_DIMENSIONS * 4, 4);
const VALUE_ENDS: usize = memory.data(MAX_DIMENSIONS * 4, 4);

@inline function getAt(table: usize, k: i32): i32 {
  return load<i32>(table + (<usize>k << 2));
}

@inline function setAt(table: usize, k: i32, value: i32): void {
  store<i32>(table + (<usize>k << 2), value);
}

/** Whether the name between `start` and `end` equals one seen before in this dimensions object. */
function isDuplicateName(start: i32, end: i32, count: i32): bool {
  for (let k = 0; k < count; k++) {
    const otherStart = getAt(NAME_STARTS, k);
    if (getAt(NAME_ENDS, k) - otherStart == end - start && regionEquals(start, otherStart, end - start)) return true;
  }
  return false;
}

/** Names that a JavaScript object would reorder (integer-like) or that the general rules refuse. */
function needsGeneralRules(start: i32, end: i32): bool {
  if (isDigit(byteAt(start))) return true;
  const length = end - start;
  return (
    (length == textLength(PROTO) && textEquals(start, PROTO)) ||
    (length == textLength(PROTOTYPE) && textEquals(start, PROTOTYPE)) ||
    (length == textLength(CONSTRUCTOR) && textEquals(start, CONSTRUCTOR))
  );
}

/**
 * Reads the dimensions object at `pos` into the dimension ranges; returns how many it holds (numbers and booleans
 * are kept as their text, to be written as strings as the general rules do), or -1.
 */
function scanDimensions(): i32 {
  if (!expect(OPEN_BRACE)) return -1;
  if (peek() == CLOSE_BRACE) {
    pos++;
    return 0;
  }
  let count = 0;
  for (;;) {
    skipWhitespace();
    if (!plainString() || blank) return -1;
    const nameStart = contentStart;
    const nameEnd = contentEnd;
    if (count == MAX_DIMENSIONS || needsGeneralRules(nameStart, nameEnd) || isDuplicateName(nameStart, nameEnd, count)) return -1;
    if (!expect(COLON)) return -1;
    skipWhitespace();
    const valueStart = pos;
    const code = byteAt(valueStart);
    if (isQuoteAt(valueStart, scanDepth)) {
      if (!plainString()) return -1;
      setAt(VALUE_STARTS, count, contentStart);
      setAt(VALUE_ENDS, count, contentEnd);
    } else {
      const bare =
        (code == LOWER_T && literal(TRUE)) ||
        (code == LOWER_F && literal(FALSE)) ||
        (scanNumber() && isCanonicalNumber(valueStart, pos));
      if (!bare) return -1;
      setAt(VALUE_STARTS, count, valueStart);
      setAt(VALUE_ENDS, count, pos);
    }
    setAt(NAME_STARTS, count, nameStart);
    setAt(NAME_ENDS, count, nameEnd);
    count++;
    const next = peek();
    pos++;
    if (next == CLOSE_BRACE) return count;
    if (next != COMMA) return -1;
  }
  return unreachable();
}

function encodePlainRecord(start: i32, depth: i32): i32 {
  pos = start;
  scanDepth = depth;
  if (!expect(OPEN_BRACE)) return -1;
  if (peek() == CLOSE_BRACE) return -1;
  let seen = 0;
  let nameStart = 0;
  let nameEnd = 0;
  let customerStart = 0;
  let customerEnd = 0;
  let valueStart = 0;
  let valueEnd = 0;
  let uniqueStart = 0;
  let uniqueEnd = 0;
  let recordTimeStart = 0;
  let recordTimeEnd = 0;
  let dimensions = 0;
  for (;;) {
    skipWhitespace();
    if (!plainString()) return -1;
    const field = fieldAt(contentStart, contentEnd);
    if (field == 0 || (seen & field) != 0) return -1;
    seen |= field;
    if (!expect(COLON)) return -1;
    skipWhitespace();
    const at = pos;
    if (field == FIELD_NAME || field == FIELD_CUSTOMER || field == FIELD_UNIQUE) {
      if (!plainString() || blank) return -1;
      if (field == FIELD_NAME) {
        nameStart = contentStart;
        nameEnd = contentEnd;
      } else if (field == FIELD_CUSTOMER) {
        customerStart = contentStart;
        customerEnd = contentEnd;
      } else {
        uniqueStart = contentStart;
        uniqueEnd = contentEnd;
      }
    } else if (field == FIELD_VALUE) {
      if (!scanNumber() || !isCanonicalNumber(at, pos)) return -1;
      valueStart = at;
      valueEnd = pos;
    } else if (field == FIELD_TIME) {
      if (!scanNumber() || !isMeterTime(at, pos)) return -1;
      recordTimeStart = at;
      recordTimeEnd = pos;
    } else {
      dimensions = scanDimensions();
      if (dimensions == -1) return -1;
    }
    const next = peek();
    pos++;
    if (next == CLOSE_BRACE) break;
    if (next != COMMA) return -1;
  }
  if ((seen & REQUIRED_FIELDS) != REQUIRED_FIELDS) return -1;
  // The log event's timestamp stands in for a missing time, and is held to the same rules.
  if ((seen & FIELD_TIME) == 0 && !isMeterTime(timeStart, timeEnd)) return -1;
  writeText(OPEN_NAME);
  copy(nameStart, nameEnd);
  writeText(THEN_CUSTOMER);
  copy(customerStart, customerEnd);
  writeText(THEN_TIME);
  if ((seen & FIELD_TIME) == 0) copy(timeStart, timeEnd);
  else copy(recordTimeStart, recordTimeEnd);
  writeText(THEN_VALUE);
  copy(valueStart, valueEnd);
  writeText(THEN_UNIQUE_ID);
  if ((seen & FIELD_UNIQUE) == 0) {
    copy(idStart, idEnd);
  } else {
    // The record's own uniqueId sat between escaped quotes: plain ones go around its content.
    writeByte(QUOTE);
    copy(uniqueStart, uniqueEnd);
    writeByte(QUOTE);
  }
  if (dimensions > 0) {
    writeText(THEN_DIMENSIONS);
    for (let k = 0; k < dimensions; k++) {
      if (k > 0) writeByte(COMMA);
      writeByte(QUOTE);
      copy(getAt(NAME_STARTS, k), getAt(NAME_ENDS, k));
      writeText(DIMENSION_SEPARATOR);
      copy(getAt(VALUE_STARTS, k), getAt(VALUE_ENDS, k));
      writeByte(QUOTE);
    }
    writeByte(CLOSE_BRACE);
  }
  writeText(CLOSE_LINE);
  return pos;
}

// ---------------------------------------------------------------------------------------------------------------
// A record in the compact form, written as it is read, in one pass.

/** Writes the compact dimensions whose first name starts at `start`; returns the index past their `}`, or -1. */
function writeCompactDimensions(start: i32, depth: i32): i32 {
  const colon = COMPACT_DIMENSION_COLON + depth;
  const next = COMPACT_DIMENSION_NEXT + depth;
  const end = COMPACT_DIMENSIONS_END + depth;
  writeText(OUT_DIMENSIONS);
  let i = start;
  for (let count = 0; ; count++) {
    const nameStart = i;
    i = copyPlainText(i);
    if (count == MAX_DIMENSIONS || isBlank(nameStart, i) || needsGeneralRules(nameStart, i) || isDuplicateName(nameStart, i, count)) return -1;
    setAt(NAME_STARTS, count, nameStart);
    setAt(NAME_ENDS, count, i);
    if (!fixedAt(i, colon)) return -1;
    writeText(DIMENSION_SEPARATOR);
    i = copyPlainText(i + textLength(colon));
    if (fixedAt(i, end)) {
      writeText(OUT_DIMENSIONS_END);
      return i + textLength(end);
    }
    if (!fixedAt(i, next)) return -1;
    writeText(OUT_DIMENSION_NEXT);
    i += textLength(next);
  }
  return unreachable();
}

/** Writes the line of a record in the compact form; returns the index just past it, or -1 (output to be dropped). */
function writeCompactRecord(start: i32, depth: i32): i32 {
  const open = COMPACT_OPEN + depth;
  if (!fixedAt(start, open)) return -1;
  writeText(OPEN_NAME);
  let i = start + textLength(open);
  let from = i;
  i = copyPlainText(i);
  const customer = COMPACT_CUSTOMER + depth;
  if (isBlank(from, i) || !fixedAt(i, customer)) return -1;
  writeText(THEN_CUSTOMER);
  i += textLength(customer);
  from = i;
  i = copyPlainText(i);
  const time = COMPACT_TIME + depth;
  if (isBlank(from, i) || !fixedAt(i, time)) return -1;
  writeText(THEN_TIME);
  i += textLength(time);
  from = i;
  while (isDigit(byteAt(i))) i++;
  const value = COMPACT_VALUE + depth;
  if (!isMeterTime(from, i) || !fixedAt(i, value)) return -1;
  copy(from, i);
  writeText(THEN_VALUE);
  i += textLength(value);
  from = i;
  i = numberEnd(i);
  if (i == -1 || !isCanonicalNumber(from, i)) return -1;
  copy(from, i);
  writeText(THEN_UNIQUE_ID);
  const uniqueId = COMPACT_UNIQUE_ID + depth;
  if (fixedAt(i, uniqueId)) {
    i += textLength(uniqueId);
    from = i;
    writeByte(QUOTE);
    i = copyPlainText(i);
    if (isBlank(from, i) || !isQuoteAt(i, depth)) return -1;
    writeByte(QUOTE);
    i += textLength(COMPACT_STRING_END + depth);
  } else {
    copy(idStart, idEnd);
  }
  const dimensions = COMPACT_DIMENSIONS + depth;
  if (fixedAt(i, dimensions)) {
    i = writeCompactDimensions(i + textLength(dimensions), depth);
    if (i == -1) return -1;
  }
  if (byteAt(i) != CLOSE_BRACE) return -1;
  writeText(CLOSE_LINE);
  return i + 1;
}

/**
 * Writes the NDJSON line for the record whose JSON object starts at `start`, `depth` strings deep, and returns the
 * index just past the object; returns -1, having written nothing, when the record is not in a plain form.
 */
function encodeRecordAt(start: i32, depth: i32): i32 {
  const mark = out;
  const compactEnd = writeCompactRecord(start, depth);
  if (compactEnd != -1) return compactEnd;
  out = mark;
  const end = encodePlainRecord(start, depth);
  if (end == -1) out = mark;
  return end;
}

/**
 * encodeRecordAt for one record the host decoded (depth 0), its defaults at the given ranges; the output region
 * must have room for the record's length plus the defaults' plus 512 bytes.
 */
export function encodeRecord(start: i32, defaultIdStart: i32, defaultIdEnd: i32, defaultTimeStart: i32, defaultTimeEnd: i32): i32 {
  idStart = defaultIdStart;
  idEnd = defaultIdEnd;
  timeStart = defaultTimeStart;
  timeEnd = defaultTimeEnd;
  return encodeRecordAt(start, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Log events.

/**
 * Reads a message (depth-1 string content) from `from` to its closing quote and returns that quote's index; UNREAD
 * at a control character, a `\u` or invalid escape, or the end of the payload.
 */
function scanMessageText(from: i32): i32 {
  let i = from;
  for (;;) {
    i = plainEnd(i);
    const code = byteAt(i);
    if (code == QUOTE) return i;
    if (code != BACKSLASH || !isShortEscape(byteAt(i + 1))) return UNREAD;
    i += 2;
  }
  return unreachable();
}

/**
 * Reads a message (depth-1 string content) from `from` up to the first occurrence of the prefix and returns its
 * index, or the index of the message's closing quote when the prefix is not in it; UNREAD as scanMessageText. The
 * prefix is made of token characters: no escape spells part of it, so its occurrences in the message are its byte
 * occurrences outside escapes, which is where this looks.
 */
function scanToPrefix(from: i32): i32 {
  const first = byteAt(prefixStart);
  const firsts = i8x16.splat(<i8>first);
  let i = from;
  for (;;) {
    for (;; i += 16) {
      const v = v128.load(<usize>i);
      const mask = i8x16.bitmask(v128.or(unplainBytes(v), i8x16.eq(v, firsts)));
      if (mask != 0) {
        i += ctz(mask);
        break;
      }
    }
    const code = byteAt(i);
    if (code == first && regionEquals(i, prefixStart, prefixLength)) return i;
    if (code >= SPACE && code != QUOTE && code != BACKSLASH) i++;
    else if (code == QUOTE) return i;
    else if (code == BACKSLASH && isShortEscape(byteAt(i + 1))) i += 2;
    else return UNREAD;
  }
  return unreachable();
}

/** Separators between the prefix and the record (extract.ts), escaped for `depth`: returns the index after them. */
function skipSeparators(from: i32, depth: i32): i32 {
  let i = from;
  for (let step = separatorAt(i, depth); step != 0; step = separatorAt(i, depth)) i += step;
  return i;
}

/** Length of the separator, escaped for `depth`, at `i` (0 for none). */
function separatorAt(i: i32, depth: i32): i32 {
  const code = byteAt(i);
  return code == COLON || code == EQUALS ? 1 : whitespaceAt(i, depth);
}

/** The end of a non-negative integer at `start` written as String() writes it, or UNREAD. */
function exactIntegerEnd(start: i32): i32 {
  let i = start;
  while (isDigit(byteAt(i))) i++;
  const digits = i - start;
  if (digits == 0 || digits > MAX_EXACT_DIGITS || (digits > 1 && byteAt(start) == DIGIT_0)) return UNREAD;
  return i;
}

/** The end of a value other than `message` in a Lambda JSON line: a plain string, a number or a literal. */
function lineValueEnd(start: i32): i32 {
  if (isQuoteAt(start, 1)) {
    const end = plainEnd(start + 2);
    return isQuoteAt(end, 1) ? end + 2 : UNREAD;
  }
  if (textEquals(start, TRUE)) return start + textLength(TRUE);
  if (textEquals(start, FALSE)) return start + textLength(FALSE);
  if (textEquals(start, NULL)) return start + textLength(NULL);
  const end = numberEnd(start);
  return end == -1 ? UNREAD : end;
}

/**
 * Reads the record after the prefix of a TEXT line (`after` is just past the prefix) and the rest of the line. The
 * prefix needs no whole-token check here or in readLineMessage: a record opens with `{`, which does not continue a
 * token, so a longer token (`meter_record_for_stream_v2`) never reads as a record and falls back.
 */
function readTextRecord(after: i32): i32 {
  const recordEnd = encodeRecordAt(skipSeparators(after, 1), 1);
  if (recordEnd == -1) return UNREAD;
  const end = scanMessageText(recordEnd);
  if (end == UNREAD) return UNREAD;
  meterRecords++;
  return end;
}

/**
 * Reads the `message` value of a structured line from its opening quote at `start`: plain text, the prefix, then
 * either the record (written out) and plain text, or nothing but separators (messageHeldRecord says which).
 * Returns the index just past its closing quote, or UNREAD.
 */
function readLineMessage(start: i32): i32 {
  if (!isQuoteAt(start, 1)) return UNREAD;
  let at = start + 2;
  const textEnd = plainEnd(at);
  while (at < textEnd && !regionEquals(at, prefixStart, prefixLength)) at++;
  if (at == textEnd) return UNREAD;
  const recordStart = skipSeparators(at + prefixLength, 2);
  messageHeldRecord = !isQuoteAt(recordStart, 1);
  if (!messageHeldRecord) return recordStart + 2;
  const recordEnd = encodeRecordAt(recordStart, 2);
  if (recordEnd == -1) return UNREAD;
  const end = plainEnd(recordEnd);
  return isQuoteAt(end, 1) ? end + 2 : UNREAD;
}

/**
 * Reads a structured log line (an object of plain strings, numbers and literals, one `message` string with the
 * prefix) from its `{` at `open`, and encodes its one record: the one after the prefix in the message (the Lambda
 * JSON log format), or, when the message is the prefix alone, the one in the record field (Powertools Logger).
 * Returns the index of the log event message's closing quote.
 */
function readStructuredLine(open: i32): i32 {
  let i = open + 1;
  let messages = 0;
  let recordFields = 0;
  let recordInMessage = false;
  const messageKeyLength = textLength(MESSAGE_KEY);
  const recordKeyLength = textLength(RECORD_FIELD_KEY);
  for (;;) {
    if (!isQuoteAt(i, 1)) return UNREAD;
    const keyStart = i + 2;
    const keyEnd = plainEnd(keyStart);
    if (!isQuoteAt(keyEnd, 1) || byteAt(keyEnd + 2) != COLON) return UNREAD;
    i = keyEnd + 3;
    const keyLength = keyEnd - keyStart;
    if (keyLength == messageKeyLength && textEquals(keyStart, MESSAGE_KEY)) {
      // A second message would override the first: the general rules decide.
      if (messages++ > 0) return UNREAD;
      i = readLineMessage(i);
      recordInMessage = messageHeldRecord;
    } else if (keyLength == recordKeyLength && textEquals(keyStart, RECORD_FIELD_KEY)) {
      if (recordFields++ > 0) return UNREAD;
      i = encodeRecordAt(i, 1);
    } else {
      i = lineValueEnd(i);
    }
    if (i == UNREAD) return UNREAD;
    const next = byteAt(i++);
    if (next == CLOSE_BRACE) break;
    if (next != COMMA) return UNREAD;
  }
  // One record, where the general rules take it from: a record field beside a record in the message is ignored
  // there, and a prefix alone without one is rejected there.
  if (messages == 0 || recordInMessage == recordFields > 0 || byteAt(i) != QUOTE) return UNREAD;
  meterRecords++;
  return i;
}

/**
 * Reads the message whose content starts at `start`, encoding its record; returns the index of its closing quote,
 * or UNREAD. As the general rules do, a line that starts with `{` is a structured one.
 */
function readMessage(start: i32): i32 {
  let first = start;
  for (let step = whitespaceAt(first, 1); step != 0; step = whitespaceAt(first, 1)) first += step;
  if (byteAt(first) == OPEN_BRACE) return readStructuredLine(first);
  const at = scanToPrefix(start);
  // The prefix starts with a token character, never a quote.
  if (at == UNREAD || byteAt(at) == QUOTE) return at;
  return readTextRecord(at + prefixLength);
}

/** Reads the event at `start`; returns the index just past it, or minus the result readEvents returns. */
function readEvent(start: i32): i32 {
  if (!fixedAt(start, EVENT_OPEN)) return -UNREADABLE;
  const idEndAt = printableEnd(start + textLength(EVENT_OPEN));
  if (!fixedAt(idEndAt, EVENT_TIMESTAMP)) return -UNREADABLE;
  const timeStartAt = idEndAt + textLength(EVENT_TIMESTAMP);
  const timeEndAt = exactIntegerEnd(timeStartAt);
  if (timeEndAt == UNREAD || !fixedAt(timeEndAt, EVENT_MESSAGE)) return -UNREADABLE;
  idStart = start + textLength(EVENT_OPEN) - 1;
  idEnd = idEndAt + 1;
  timeStart = timeStartAt;
  timeEnd = timeEndAt;
  messageStart = timeEndAt + textLength(EVENT_MESSAGE);
  // A line is never longer than the rest of the input plus the derived uniqueId and time.
  if (out + (inputEnd - messageStart) + (idEnd - idStart) + (timeEnd - timeStart) + LINE_OVERHEAD > outEnd) return -NEEDS_ROOM;
  const messageEnd = readMessage(messageStart);
  if (messageEnd == UNREAD) return -NEEDS_RULES;
  return fixedAt(messageEnd, EVENT_CLOSE) ? messageEnd + textLength(EVENT_CLOSE) : -UNREADABLE;
}

/**
 * Reads log events from `from`: the first one of the array (just past its `[`), or, `afterEvent`, the separator
 * after an event. Returns DONE past the array's end (which ends the payload), NEEDS_RULES or NEEDS_ROOM with the
 * event at stoppedEvent() (its output dropped), or UNREADABLE.
 */
export function readEvents(from: i32, afterEvent: bool): i32 {
  let i = from;
  if (!afterEvent && byteAt(i) == CLOSE_BRACKET) return closes(i);
  for (;;) {
    if (afterEvent) {
      if (byteAt(i) != COMMA) return closes(i);
      i++;
    }
    afterEvent = true;
    eventStart = i;
    const mark = out;
    const records = meterRecords;
    const end = readEvent(i);
    if (end < 0) {
      out = mark;
      meterRecords = records;
      return -end;
    }
    i = end;
  }
  return unreachable();
}

function closes(i: i32): i32 {
  return byteAt(i) == CLOSE_BRACKET && byteAt(i + 1) == CLOSE_BRACE && i + 2 == inputEnd ? DONE : UNREADABLE;
}

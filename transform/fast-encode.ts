/**
 * The hot path: encodes a meter record straight from its JSON text, without JSON.parse and JSON.stringify,
 * when the record is in the plain form nearly every record takes (known fields once each, printable ASCII
 * strings without escapes, numbers in canonical form). It returns undefined for anything else, and the
 * caller takes the general path (parse, normalizeMeterRecord, encodeMeterRecord), which defines the rules.
 * Both paths produce the same bytes for the same record: a differential property test holds them to it.
 */
import { MAX_METER_TIME, MIN_METER_TIME } from './validate.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const SPACE = 0x20;
const MINUS = 0x2d;
const DOT = 0x2e;
const PLUS = 0x2b;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LAST_PRINTABLE = 0x7e;

const MAX_DIMENSIONS = 32;

/** Scanner over one record's text; every method returns false / -1 to abandon the fast path. */
class Scanner {
  pos: number;
  /** Whether the last plainString() held only spaces. */
  blank = false;

  constructor(
    readonly text: string,
    start: number,
  ) {
    this.pos = start;
  }

  skipWhitespace(): void {
    const { text } = this;
    let code = text.charCodeAt(this.pos);
    while (code === SPACE || code === 0x0a || code === 0x0d || code === 0x09) code = text.charCodeAt(++this.pos);
  }

  /** Expects `char` after optional whitespace and consumes it. */
  expect(char: number): boolean {
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== char) return false;
    this.pos++;
    return true;
  }

  peek(): number {
    this.skipWhitespace();
    return this.text.charCodeAt(this.pos);
  }

  /**
   * A string of printable ASCII without escapes, from the opening quote at `pos`. Returns the index just past
   * the closing quote, or -1. Sets `blank` when it holds only spaces.
   */
  plainString(): number {
    const { text } = this;
    let i = this.pos + 1;
    let blank = true;
    for (;;) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) break;
      if (code < SPACE || code > LAST_PRINTABLE || code === BACKSLASH) return -1;
      if (code !== SPACE) blank = false;
      i++;
    }
    this.blank = blank;
    this.pos = i + 1;
    return this.pos;
  }

  /** A JSON number from `pos`; returns the index just past it, or -1 when it is not one. */
  number(): number {
    const { text } = this;
    let i = this.pos;
    if (text.charCodeAt(i) === MINUS) i++;
    const first = text.charCodeAt(i);
    if (first < DIGIT_0 || first > DIGIT_9) return -1;
    i++;
    if (first !== DIGIT_0) while (isDigit(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === DOT) {
      i++;
      if (!isDigit(text.charCodeAt(i))) return -1;
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === LOWER_E || e === UPPER_E) {
      i++;
      const sign = text.charCodeAt(i);
      if (sign === PLUS || sign === MINUS) i++;
      if (!isDigit(text.charCodeAt(i))) return -1;
      while (isDigit(text.charCodeAt(i))) i++;
    }
    this.pos = i;
    return i;
  }

  /** Matches a literal such as `true` at `pos`. */
  literal(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    this.pos += word.length;
    return true;
  }
}

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_9;
}

/**
 * Whether the JSON number between `start` and `end` is written exactly as JSON.stringify would write it, so it
 * can be copied. Short integers and plain decimals (at most 15 significant digits, which always round-trip)
 * are decided from their digits alone; anything else by converting it.
 */
function isCanonicalNumber(text: string, start: number, end: number): boolean {
  let i = start;
  if (text.charCodeAt(i) === MINUS) i++;
  const first = text.charCodeAt(i);
  let dot = -1;
  for (let j = i; j < end; j++) {
    const code = text.charCodeAt(j);
    if (code === DOT) dot = j;
    else if (!isDigit(code)) return isCanonicalByConversion(text.slice(start, end));
  }
  const digits = end - i - (dot === -1 ? 0 : 1);
  if (dot === -1) {
    // "-0" is written "0"; longer integers may not round-trip.
    return digits <= 15 && !(first === DIGIT_0 && (digits > 1 || i > start));
  }
  // Trailing zeros are dropped, and values under 1e-6 are written with an exponent.
  if (text.charCodeAt(end - 1) === DIGIT_0 || digits > 15) return isCanonicalByConversion(text.slice(start, end));
  return !(first === DIGIT_0 && text.startsWith('00000', dot + 1));
}

const MIN_TIME_DIGITS = String(MIN_METER_TIME);
const MAX_TIME_DIGITS = String(MAX_METER_TIME);

/**
 * Whether the number between `start` and `end` is a canonical integer in [MIN_METER_TIME, MAX_METER_TIME),
 * decided on its digits: both bounds have 12 or 13 digits, and digit strings of one length compare as numbers.
 */
function isMeterTime(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length < MIN_TIME_DIGITS.length || length > MAX_TIME_DIGITS.length) return false;
  for (let i = start; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
  if (length === MIN_TIME_DIGITS.length && compareDigits(text, start, MIN_TIME_DIGITS) < 0) return false;
  return !(length === MAX_TIME_DIGITS.length && compareDigits(text, start, MAX_TIME_DIGITS) >= 0);
}

function compareDigits(text: string, start: number, bound: string): number {
  for (let i = 0; i < bound.length; i++) {
    const difference = text.charCodeAt(start + i) - bound.charCodeAt(i);
    if (difference !== 0) return difference;
  }
  return 0;
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

/** Which known field the key between `start` and `end` (quotes excluded) names; 0 for none. */
function fieldAt(text: string, start: number, end: number): number {
  switch (end - start) {
    case 12:
      return text.startsWith('meterApiName', start) ? FIELD_NAME : 0;
    case 10:
      if (text.startsWith('customerId', start)) return FIELD_CUSTOMER;
      if (text.startsWith('meterValue', start)) return FIELD_VALUE;
      return text.startsWith('dimensions', start) ? FIELD_DIMENSIONS : 0;
    case 17:
      return text.startsWith('meterTimeInMillis', start) ? FIELD_TIME : 0;
    case 8:
      return text.startsWith('uniqueId', start) ? FIELD_UNIQUE : 0;
    default:
      return 0;
  }
}

const dimensionKeyStarts: number[] = [];
const dimensionKeyEnds: number[] = [];

/** Whether the quoted key between `start` and `end` equals one seen before in this dimensions object. */
function isDuplicateKey(text: string, start: number, end: number, count: number): boolean {
  for (let k = 0; k < count; k++) {
    const otherStart = dimensionKeyStarts[k] as number;
    if ((dimensionKeyEnds[k] as number) - otherStart === end - start && regionsEqual(text, start, otherStart, end - start)) return true;
  }
  return false;
}

function regionsEqual(text: string, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (text.charCodeAt(a + i) !== text.charCodeAt(b + i)) return false;
  return true;
}

/** Keys that a JavaScript object would reorder (integer-like) or that the general path refuses. */
function needsGeneralRules(text: string, start: number, end: number): boolean {
  const first = text.charCodeAt(start + 1);
  if (isDigit(first)) return true;
  const length = end - start;
  return (
    (length === 11 && (text.startsWith('"__proto__"', start) || text.startsWith('"prototype"', start))) ||
    (length === 13 && text.startsWith('"constructor"', start))
  );
}

/**
 * Encodes the dimensions object at the scanner's position as `{"k":"v",...}` ('' when empty), or returns
 * undefined. Numbers and booleans become strings, as in the general path. An object already in that form is
 * copied whole.
 */
function encodeDimensions(scanner: Scanner): string | undefined {
  const { text } = scanner;
  scanner.skipWhitespace();
  const open = scanner.pos;
  if (!scanner.expect(OPEN_BRACE)) return undefined;
  if (scanner.peek() === CLOSE_BRACE) {
    scanner.pos++;
    return '';
  }
  let count = 0;
  let body = '';
  let verbatim = true;
  for (;;) {
    if (text.charCodeAt(scanner.pos) !== QUOTE) {
      verbatim = false;
      if (scanner.peek() !== QUOTE) return undefined;
    }
    const keyStart = scanner.pos;
    if (scanner.plainString() === -1 || scanner.blank) return undefined;
    const keyEnd = scanner.pos;
    if (count === MAX_DIMENSIONS || needsGeneralRules(text, keyStart, keyEnd) || isDuplicateKey(text, keyStart, keyEnd, count)) {
      return undefined;
    }
    dimensionKeyStarts[count] = keyStart;
    dimensionKeyEnds[count] = keyEnd;
    count++;
    if (text.charCodeAt(scanner.pos) !== COLON || text.charCodeAt(scanner.pos + 1) === SPACE) verbatim = false;
    if (!scanner.expect(COLON)) return undefined;
    scanner.skipWhitespace();
    const valueStart = scanner.pos;
    const code = text.charCodeAt(valueStart);
    let value: string;
    if (code === QUOTE) {
      if (scanner.plainString() === -1) return undefined;
      value = verbatim ? '' : text.slice(valueStart, scanner.pos);
    } else {
      if (code === 0x74 && scanner.literal('true')) value = '"true"';
      else if (code === 0x66 && scanner.literal('false')) value = '"false"';
      else if (scanner.number() !== -1 && isCanonicalNumber(text, valueStart, scanner.pos)) value = `"${text.slice(valueStart, scanner.pos)}"`;
      else return undefined;
      if (verbatim) {
        // Keep what was copied so far: the members before this one, without the comma that follows them.
        verbatim = false;
        body = text.slice(open + 1, count === 1 ? keyStart : keyStart - 1);
      }
    }
    if (!verbatim) body += `${count === 1 ? '' : ','}${text.slice(keyStart, keyEnd)}:${value}`;
    const next = text.charCodeAt(scanner.pos);
    if (next === CLOSE_BRACE) {
      scanner.pos++;
      return verbatim ? text.slice(open, scanner.pos) : `{${body}}`;
    }
    if (next !== COMMA) {
      verbatim = false;
      const after = scanner.peek();
      scanner.pos++;
      if (after === CLOSE_BRACE) return `{${body}}`;
      if (after !== COMMA) return undefined;
    } else {
      scanner.pos++;
    }
  }
}

/**
 * The NDJSON line for the record whose JSON object starts at `start` in `text`, or undefined when the record
 * is not in the plain form (the general path then decides, and may still accept it).
 *
 * @param derivedUniqueIdJson JSON string literal of the uniqueId to use when the record has none
 * @param defaultTimeInMillis the time to use when the record has no meterTimeInMillis
 */
export function fastEncodeRecord(text: string, start: number, derivedUniqueIdJson: string, defaultTimeInMillis: number): string | undefined {
  const scanner = new Scanner(text, start);
  if (!scanner.expect(OPEN_BRACE)) return undefined;
  let seen = 0;
  let name = '';
  let customer = '';
  let time = '';
  let value = '';
  let uniqueId = derivedUniqueIdJson;
  let dimensions = '';
  if (scanner.peek() === CLOSE_BRACE) return undefined;
  for (;;) {
    if (scanner.peek() !== QUOTE) return undefined;
    const keyStart = scanner.pos + 1;
    if (scanner.plainString() === -1) return undefined;
    const field = fieldAt(text, keyStart, scanner.pos - 1);
    if (field === 0 || (seen & field) !== 0) return undefined;
    seen |= field;
    if (!scanner.expect(COLON)) return undefined;
    scanner.skipWhitespace();
    const valueStart = scanner.pos;
    switch (field) {
      case FIELD_NAME:
      case FIELD_CUSTOMER:
      case FIELD_UNIQUE: {
        if (text.charCodeAt(scanner.pos) !== QUOTE || scanner.plainString() === -1 || scanner.blank) return undefined;
        const literal = text.slice(valueStart, scanner.pos);
        if (field === FIELD_NAME) name = literal;
        else if (field === FIELD_CUSTOMER) customer = literal;
        else uniqueId = literal;
        break;
      }
      case FIELD_VALUE: {
        if (scanner.number() === -1 || !isCanonicalNumber(text, valueStart, scanner.pos)) return undefined;
        value = text.slice(valueStart, scanner.pos);
        break;
      }
      case FIELD_TIME: {
        if (scanner.number() === -1 || !isMeterTime(text, valueStart, scanner.pos)) return undefined;
        time = text.slice(valueStart, scanner.pos);
        break;
      }
      default: {
        const encoded = encodeDimensions(scanner);
        if (encoded === undefined) return undefined;
        dimensions = encoded;
      }
    }
    const next = scanner.peek();
    scanner.pos++;
    if (next === CLOSE_BRACE) break;
    if (next !== COMMA) return undefined;
  }
  if ((seen & (FIELD_NAME | FIELD_CUSTOMER | FIELD_VALUE)) !== (FIELD_NAME | FIELD_CUSTOMER | FIELD_VALUE)) return undefined;
  return (
    `{"meterApiName":${name},"customerId":${customer},"meterTimeInMillis":${time === '' ? defaultTimeInMillis : time}` +
    `,"meterValue":${value},"uniqueId":${uniqueId}${dimensions === '' ? '' : `,"dimensions":${dimensions}`}}\n`
  );
}

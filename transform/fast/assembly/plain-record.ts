/**
 * A record in any plain form: known fields once each in any order, whitespace, strings of printable ASCII without
 * escapes, numbers in canonical form, dimensions of strings, numbers and booleans. Read whole before its line is
 * written.
 */
import { CLOSE_BRACE, COLON, COMMA, LAST_PRINTABLE, LOWER_F, LOWER_T, OPEN_BRACE, QUOTE, BACKSLASH, SPACE } from '../char-codes';
import { timeEnd, timeStart, writeDerivedId } from './defaults';
import { getAt, isDuplicateName, MAX_DIMENSIONS, NAME_ENDS, NAME_STARTS, needsGeneralRules, setAt, VALUE_ENDS, VALUE_STARTS } from './dimensions';
import { byteAt, isQuoteAt, textEquals, whitespaceAt } from './input';
import { isCanonicalNumber, isMeterTime, numberEnd } from './numbers';
import { copy, writeByte, writeText } from './output';
import {
  CUSTOMER_ID,
  DIMENSION_SEPARATOR,
  DIMENSIONS,
  CLOSE_LINE,
  FALSE,
  METER_API_NAME,
  METER_TIME,
  METER_VALUE,
  OPEN_NAME,
  THEN_CUSTOMER,
  THEN_DIMENSIONS,
  THEN_TIME,
  THEN_UNIQUE_ID,
  THEN_VALUE,
  TRUE,
  UNIQUE_ID,
  textLength,
} from './texts';

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

export function encodePlainRecord(start: i32, depth: i32): i32 {
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
    writeDerivedId();
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

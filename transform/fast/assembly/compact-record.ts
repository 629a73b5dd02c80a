/**
 * A record in its most common form, written as it is read, in one pass: compact, every field there but the
 * uniqueId (which may be) in the order they are written in, dimensions of strings. Its line is the record
 * unescaped.
 */
import { CLOSE_BRACE, QUOTE } from '../char-codes';
import { writeDerivedId } from './defaults';
import { isDuplicateName, MAX_DIMENSIONS, NAME_ENDS, NAME_STARTS, needsGeneralRules, setAt } from './dimensions';
import { byteAt, fixedAt, isBlank, isDigit, isQuoteAt } from './input';
import { isCanonicalNumber, isMeterTime, numberEnd } from './numbers';
import { copy, copyPlainText, writeByte, writeText } from './output';
import {
  CLOSE_LINE,
  COMPACT_CUSTOMER,
  COMPACT_DIMENSION_COLON,
  COMPACT_DIMENSION_NEXT,
  COMPACT_DIMENSIONS,
  COMPACT_DIMENSIONS_END,
  COMPACT_OPEN,
  COMPACT_STRING_END,
  COMPACT_TIME,
  COMPACT_UNIQUE_ID,
  COMPACT_VALUE,
  DIMENSION_SEPARATOR,
  OPEN_NAME,
  OUT_DIMENSION_NEXT,
  OUT_DIMENSIONS,
  OUT_DIMENSIONS_END,
  THEN_CUSTOMER,
  THEN_TIME,
  THEN_UNIQUE_ID,
  THEN_VALUE,
  textLength,
} from './texts';

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
export function writeCompactRecord(start: i32, depth: i32): i32 {
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
    writeDerivedId();
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

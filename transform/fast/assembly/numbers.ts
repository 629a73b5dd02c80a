/** JSON numbers: where they end, whether they are written as JSON.stringify writes them, meter times. */
import { DIGIT_0, DOT, LOWER_E, MINUS, PLUS, UPPER_E } from '../char-codes';
import { byteAt, isDigit, textEquals } from './input';
import { FIVE_ZEROS } from './texts';

/** Integers this long always round-trip, so their digits are what String() writes. */
export const MAX_EXACT_DIGITS: i32 = 15;

let earliest: f64 = 0;
let latest: f64 = 0;

/** The meter times accepted (within those the rules accept at all). */
export function setTimeWindow(earliestTime: f64, latestTime: f64): void {
  earliest = earliestTime;
  latest = latestTime;
}

/** The index just past the JSON number at `start`, or -1 when none starts there. */
export function numberEnd(start: i32): i32 {
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
export function isCanonicalNumber(start: i32, end: i32): bool {
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
export function isMeterTime(start: i32, end: i32): bool {
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

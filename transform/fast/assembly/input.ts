/**
 * The input region, read where it lies: byte tests, fixed texts and plain runs found 16 bytes at a time (SIMD), and
 * JSON's escapes at a depth. The host follows the input with 64 zero bytes: a scan stops at a zero byte (a
 * control character) at the latest, so no 16-byte load runs past them.
 */
import { BACKSLASH, CR, DIGIT_0, DIGIT_9, LAST_PRINTABLE, LF, LOWER_B, LOWER_F, LOWER_N, LOWER_R, LOWER_T, QUOTE, SLASH, SPACE, TAB } from '../char-codes';
import { textAt, textLength } from './texts';

let inputEnd: i32 = 0;

/** Where the input being read ends (its first byte of padding). */
export function setInputEnd(end: i32): void {
  inputEnd = end;
}

export function inputEndsAt(): i32 {
  return inputEnd;
}

@inline export function byteAt(i: i32): i32 {
  return <i32>load<u8>(<usize>i);
}

@inline export function isDigit(code: i32): bool {
  return code >= DIGIT_0 && code <= DIGIT_9;
}

export function regionEquals(at: i32, start: i32, length: i32): bool {
  if (at + length > inputEnd) return false;
  for (let k = 0; k < length; k++) if (byteAt(at + k) != byteAt(start + k)) return false;
  return true;
}

export function textEquals(at: i32, id: i32): bool {
  return regionEquals(at, <i32>textAt(id), textLength(id));
}

/** Whether fixed text `id` is at `at`, compared 16 bytes at a time. */
export function fixedAt(at: i32, id: i32): bool {
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
@inline export function unplainBytes(v: v128): v128 {
  return v128.or(v128.or(i8x16.lt_u(v, SPACES), i8x16.eq(v, QUOTES)), i8x16.eq(v, BACKSLASHES));
}

/** unplainBytes, and those that are not printable ASCII: what JSON.stringify does not write as is. */
@inline export function unprintableBytes(v: v128): v128 {
  return v128.or(unplainBytes(v), i8x16.gt_u(v, PRINTABLE_LAST));
}

/** The index of the first byte from `from` that cannot be plain string content at any depth. */
export function plainEnd(from: i32): i32 {
  let i = from;
  let mask = i8x16.bitmask(unplainBytes(v128.load(<usize>i)));
  while (mask == 0) {
    i += 16;
    mask = i8x16.bitmask(unplainBytes(v128.load(<usize>i)));
  }
  return i + ctz(mask);
}

/** The index of the first byte from `from` that is not printable ASCII or is a quote or a backslash. */
export function printableEnd(from: i32): i32 {
  let i = from;
  let mask = i8x16.bitmask(unprintableBytes(v128.load(<usize>i)));
  while (mask == 0) {
    i += 16;
    mask = i8x16.bitmask(unprintableBytes(v128.load(<usize>i)));
  }
  return i + ctz(mask);
}

/** Whether `code` is the letter of a whitespace escape (`\n`, `\r`, `\t`). */
@inline export function isWhitespaceEscape(code: i32): bool {
  return code == LOWER_N || code == LOWER_R || code == LOWER_T;
}

/** Escapes of characters that never continue a token, so never spell part of the prefix: `\" \\ \/ \b \f \n \r \t`. */
export function isShortEscape(code: i32): bool {
  return code == QUOTE || code == BACKSLASH || code == SLASH || code == LOWER_B || code == LOWER_F || code == LOWER_N || code == LOWER_R || code == LOWER_T;
}

/** Whether a quote, escaped for `depth` (`"`, `\"`, `\\\"`), starts at `i`. */
export function isQuoteAt(i: i32, depth: i32): bool {
  if (depth == 0) return byteAt(i) == QUOTE;
  if (depth == 1) return byteAt(i) == BACKSLASH && byteAt(i + 1) == QUOTE;
  return byteAt(i) == BACKSLASH && byteAt(i + 1) == BACKSLASH && byteAt(i + 2) == BACKSLASH && byteAt(i + 3) == QUOTE;
}

/** Length of the whitespace character, escaped for `depth`, at `i` (0 for none). */
export function whitespaceAt(i: i32, depth: i32): i32 {
  const code = byteAt(i);
  if (code == SPACE) return 1;
  if (depth == 0) return code == LF || code == CR || code == TAB ? 1 : 0;
  if (code != BACKSLASH) return 0;
  if (depth == 1) return isWhitespaceEscape(byteAt(i + 1)) ? 2 : 0;
  return byteAt(i + 1) == BACKSLASH && isWhitespaceEscape(byteAt(i + 2)) ? 3 : 0;
}

export function isBlank(start: i32, end: i32): bool {
  let i = start;
  while (i < end && byteAt(i) == SPACE) i++;
  return i == end;
}

/** The dimensions of the record being read: byte ranges of their names and values, and the names' checks. */
import { byteAt, isDigit, regionEquals, textEquals } from './input';
import { CONSTRUCTOR, PROTO, PROTOTYPE, textLength } from './texts';

export const MAX_DIMENSIONS: i32 = 32;

/** Byte ranges of the dimensions being read: names and values, quotes excluded. */
export const NAME_STARTS: usize = memory.data(MAX_DIMENSIONS * 4, 4);
export const NAME_ENDS: usize = memory.data(MAX_DIMENSIONS * 4, 4);
export const VALUE_STARTS: usize = memory.data(MAX_DIMENSIONS * 4, 4);
export const VALUE_ENDS: usize = memory.data(MAX_DIMENSIONS * 4, 4);

@inline export function getAt(table: usize, k: i32): i32 {
  return load<i32>(table + (<usize>k << 2));
}

@inline export function setAt(table: usize, k: i32, value: i32): void {
  store<i32>(table + (<usize>k << 2), value);
}

/** Whether the name between `start` and `end` equals one seen before in this dimensions object. */
export function isDuplicateName(start: i32, end: i32, count: i32): bool {
  for (let k = 0; k < count; k++) {
    const otherStart = getAt(NAME_STARTS, k);
    if (getAt(NAME_ENDS, k) - otherStart == end - start && regionEquals(start, otherStart, end - start)) return true;
  }
  return false;
}

/** Names that a JavaScript object would reorder (integer-like) or that the general rules refuse. */
export function needsGeneralRules(start: i32, end: i32): bool {
  if (isDigit(byteAt(start))) return true;
  const length = end - start;
  return (
    (length == textLength(PROTO) && textEquals(start, PROTO)) ||
    (length == textLength(PROTOTYPE) && textEquals(start, PROTOTYPE)) ||
    (length == textLength(CONSTRUCTOR) && textEquals(start, CONSTRUCTOR))
  );
}

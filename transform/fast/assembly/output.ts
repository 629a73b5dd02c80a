/**
 * The output region: lines are written 16 bytes at a time, so every write may store up to 15 bytes past what it
 * appends; the host follows the region with slack for them, and readEvent checks the room for a line first.
 */
import { textAt, textLength } from './texts';
import { unprintableBytes } from './input';

/** Where the next output byte goes, and the end of the output region (its slack excluded). */
let out: i32 = 0;
let outEnd: i32 = 0;

export function setOutput(start: i32, end: i32): void {
  out = start;
  outEnd = end;
}

/** The output region grew: its end moves. */
export function setOutputEnd(end: i32): void {
  outEnd = end;
}

export function outputPosition(): i32 {
  return out;
}

/** Drops what was written since `mark` (an earlier outputPosition()). */
export function rewindOutput(mark: i32): void {
  out = mark;
}

/** Counts `count` bytes the host wrote at outputPosition(). */
export function advanceOutput(count: i32): void {
  out += count;
}

/** Whether `count` more bytes fit the output region. */
export function hasRoomFor(count: i32): bool {
  return out + count <= outEnd;
}

export function writeText(id: i32): void {
  const text = textAt(id);
  const length = textLength(id);
  for (let k = 0; k < length; k += 16) v128.store(<usize>(out + k), v128.load(text + <usize>k));
  out += length;
}

@inline export function writeByte(code: i32): void {
  store<u8>(<usize>out, <u8>code);
  out++;
}

export function copy(start: i32, end: i32): void {
  for (let k = start; k < end; k += 16) v128.store(<usize>(out + k - start), v128.load(<usize>k));
  out += end - start;
}

/** Copies the plain string content (printable ASCII but `"` and `\`) from `from`; returns where it ends. */
export function copyPlainText(from: i32): i32 {
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

/**
 * Word-at-a-time (SWAR) byte tests: four bytes read at once as a 32-bit integer and checked with a few integer
 * operations, where a byte loop costs about as much per byte. Each test says whether any of the four bytes
 * fails; a caller that finds a failing word looks at its bytes one by one. The tests are exact for the word as a
 * whole (a borrow or carry can flag a byte after a failing one, never a word without one), so byte order does
 * not matter.
 */
// @ts-nocheck


/*
 * In each word (bytes 0x01 repeated being ONES): `(word - 0x20202020) & ~word` flags a byte under 0x20,
 * `(x - ONES) & ~x` a zero byte of x (so x = word ^ 0x22222222 flags a quote, word ^ 0x5c5c5c5c a backslash),
 * `(word + ONES) | word` a byte over 0x7e; `& 0x80808080` keeps the flags. The constants are written as literals
 * and each test as one function: module constants above 2^30 are heap numbers, loaded and converted on every
 * use, and helper functions measured slower than the byte loop the words replace.
 */

/** Whether each of the four bytes can be plain string content at any depth: not a control byte, `"` or `\`. */
export function isPlainWord(word: number): boolean {
  const quotes = word ^ 0x22222222;
  const backslashes = word ^ 0x5c5c5c5c;
  return ((((word - 0x20202020) & ~word) | ((quotes - 0x01010101) & ~quotes) | ((backslashes - 0x01010101) & ~backslashes)) & 0x80808080) === 0;
}

/**
 * isPlainWord, and no byte is the one `repeated` (repeatedByte) repeats: `(x - ONES) & ~x` with x = word ^
 * repeated flags it.
 */
export function isPlainWordWithout(word: number, repeated: number): boolean {
  const quotes = word ^ 0x22222222;
  const backslashes = word ^ 0x5c5c5c5c;
  const other = word ^ repeated;
  const unplain = ((word - 0x20202020) & ~word) | ((quotes - 0x01010101) & ~quotes) | ((backslashes - 0x01010101) & ~backslashes);
  return ((unplain | ((other - 0x01010101) & ~other)) & 0x80808080) === 0;
}

/** `code` (a byte) in each byte of a word. */
export function repeatedByte(code: number): number {
  return Math.imul(code, 0x01010101);
}

/** Whether each of the four bytes is printable ASCII other than `"` and `\` (what JSON.stringify writes as is). */
export function isPrintableWord(word: number): boolean {
  const quotes = word ^ 0x22222222;
  const backslashes = word ^ 0x5c5c5c5c;
  const unplain = ((word - 0x20202020) & ~word) | ((quotes - 0x01010101) & ~quotes) | ((backslashes - 0x01010101) & ~backslashes);
  return ((unplain | (word + 0x01010101) | word) & 0x80808080) === 0;
}

let viewed: Uint8Array | undefined;
let view: DataView = new DataView(new ArrayBuffer(0));

/**
 * A DataView over `bytes`, to read words from. The last one is kept: the hot path reads one payload at a time,
 * and a DataView per call would cost more than the words save.
 */
export function viewOf(bytes: Uint8Array): DataView {
  if (bytes !== viewed) {
    viewed = bytes;
    view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return view;
}

/**
 * A fixed ASCII text as four-byte words (as getInt32 reads them), the last one padded with zeros, to match and
 * write it a word at a time: `lastMask` keeps the last word's bytes of the text.
 */
export interface FixedText {
  readonly bytes: Buffer;
  readonly words: Int32Array;
  readonly lastMask: number;
}

export function fixedText(text: string): FixedText {
  if (text.length === 0) throw new RangeError('A fixed text is never empty');
  const bytes = Buffer.from(text, 'latin1');
  const padded = Buffer.alloc(Math.ceil(bytes.length / 4) * 4);
  bytes.copy(padded);
  const words = new Int32Array(padded.length >> 2);
  for (let k = 0; k < words.length; k++) words[k] = padded.readInt32LE(k * 4);
  const tail = bytes.length & 3;
  return { bytes, words, lastMask: tail === 0 ? -1 : (1 << (tail * 8)) - 1 };
}

/** Whether `fixed` is at `at` in `bytes`. */
export function fixedAt(bytes: Uint8Array, at: number, fixed: FixedText): boolean {
  const { words, lastMask } = fixed;
  const last = words.length - 1;
  // Near the end the padded last word would read past it: compare bytes.
  if (at + (last + 1) * 4 > bytes.length) return fixedBytesAt(bytes, at, fixed.bytes);
  const view = viewOf(bytes);
  for (let k = 0; k < last; k++) if (view.getInt32(at + k * 4, true) !== words[k]) return false;
  return (view.getInt32(at + last * 4, true) & lastMask) === words[last];
}

function fixedBytesAt(bytes: Uint8Array, at: number, text: Uint8Array): boolean {
  if (at + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text[i]) return false;
  return true;
}

/** A growable output buffer: NDJSON is assembled from byte ranges of the input, never from JS strings. */
// @ts-nocheck

import { BACKSLASH, LAST_PRINTABLE, QUOTE, SPACE } from './char-codes.ts';
import { isPrintableWord, viewOf, type FixedText } from './words.ts';

/** Bytes in a word (see words.ts). */
const WORD = 4;

export class ByteWriter {
  private bytes: Buffer;
  /** Over `bytes`, for word writes. */
  private view: DataView;
  length = 0;

  constructor(capacity: number) {
    this.bytes = Buffer.allocUnsafe(Math.max(capacity, 256));
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
  }

  /**
   * Makes room for `count` more bytes, and a word beyond them: copy and fixed write whole words, up to three
   * bytes past what they append, which the next write overwrites or `written` leaves out.
   */
  reserve(count: number): void {
    const needed = this.length + count + WORD;
    if (needed <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.length);
  }

  /**
   * Appends `source[start, end)`; room must have been reserved. By words: the ranges are short, and a call into
   * Buffer#copy or TypedArray#set costs more than copying them.
   */
  copy(source: Uint8Array, start: number, end: number): void {
    const { bytes, view } = this;
    const sourceView = viewOf(source);
    let at = this.length;
    let i = start;
    for (const last = source.length - WORD; i < end && i <= last; i += WORD, at += WORD) view.setInt32(at, sourceView.getInt32(i, true), true);
    for (; i < end; i++) bytes[at++] = source[i] as number;
    this.length += end - start;
  }

  /** Appends a fixed text; room must have been reserved. */
  fixed(text: FixedText): void {
    const { view } = this;
    const { words } = text;
    let at = this.length;
    for (let k = 0; k < words.length; k++, at += WORD) view.setInt32(at, words[k] as number, true);
    this.length += text.bytes.length;
  }

  /**
   * Appends the plain string content (printable ASCII but `"` and `\\`) that starts at `source[from]`; returns
   * the index of the byte that ends it. Room must have been reserved.
   */
  copyPlainText(source: Uint8Array, from: number): number {
    const { bytes, view } = this;
    const sourceView = viewOf(source);
    let at = this.length;
    let i = from;
    for (const last = source.length - WORD; i <= last; i += WORD, at += WORD) {
      const word = sourceView.getInt32(i, true);
      if (!isPrintableWord(word)) break;
      view.setInt32(at, word, true);
    }
    for (let code = source[i] as number; code >= SPACE && code <= LAST_PRINTABLE && code !== QUOTE && code !== BACKSLASH; code = source[++i] as number) {
      bytes[at++] = code;
    }
    this.length = at;
    return i;
  }

  /** Drops what was written after the first `length` bytes. */
  truncate(length: number): void {
    this.length = length;
  }

  /** Appends one byte; room must have been reserved. */
  byte(code: number): void {
    this.bytes[this.length++] = code;
  }

  /** Appends a string as UTF-8 (reserves room itself). */
  text(value: string): void {
    this.reserve(Buffer.byteLength(value));
    this.length += this.bytes.write(value, this.length);
  }

  /** The bytes written so far (a view, valid until the next write). */
  written(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}

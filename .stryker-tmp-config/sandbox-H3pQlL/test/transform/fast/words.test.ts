// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { fixedAt, fixedText, isPlainWord, isPlainWordWithout, isPrintableWord, repeatedByte, viewOf } from '../../../transform/fast/words.ts';

const isPlainByte = (code: number): boolean => code >= 0x20 && code !== 0x22 && code !== 0x5c;
const isPrintableByte = (code: number): boolean => isPlainByte(code) && code <= 0x7e;

function wordOf(bytes: readonly number[]): number {
  return Buffer.from(bytes).readInt32LE(0);
}

describe('word tests', () => {
  it('agree with the byte tests for every byte value at every position, among every kind of neighbour', () => {
    // Neighbours that borrow, carry or are themselves flagged: the tests must be exact for the word as a whole.
    const neighbours = [0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x30, 0x41, 0x5b, 0x5c, 0x5d, 0x5f, 0x6d, 0x7a, 0x7e, 0x7f, 0x80, 0xa2, 0xdc, 0xfe, 0xff];
    for (const fill of neighbours) {
      for (let position = 0; position < 4; position++) {
        for (let code = 0; code < 256; code++) {
          const bytes = [fill, fill, fill, fill];
          bytes[position] = code;
          const word = wordOf(bytes);
          expect(isPlainWord(word)).toBe(bytes.every(isPlainByte));
          expect(isPrintableWord(word)).toBe(bytes.every(isPrintableByte));
          for (const excluded of [0x6d, 0x41, 0x5f, 0x7a, 0x30]) {
            expect(isPlainWordWithout(word, repeatedByte(excluded))).toBe(bytes.every((byte) => isPlainByte(byte) && byte !== excluded));
          }
        }
      }
    }
  });

  it('agree with the byte tests on random words', () => {
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    };
    for (let n = 0; n < 200_000; n++) {
      // Mostly plain bytes, so that words of every verdict occur.
      const bytes = [0, 1, 2, 3].map(() => (next() < 200 ? 0x20 + (next() % 0x5f) : next()));
      const word = wordOf(bytes);
      expect(isPlainWord(word)).toBe(bytes.every(isPlainByte));
      expect(isPrintableWord(word)).toBe(bytes.every(isPrintableByte));
    }
  });

  it('match fixed texts of any length anywhere, never past the end', () => {
    const letters = 'abcdefghij';
    const bytes = Buffer.from(letters, 'latin1');
    for (let length = 1; length <= 10; length++) {
      for (let at = 0; at <= 10; at++) {
        // What is there, continued past the end.
        const text = `${letters}klmnopqrst`.slice(at, at + length);
        expect(fixedAt(bytes, at, fixedText(text))).toBe(at + length <= 10);
        for (let wrong = 0; wrong < length; wrong++) {
          expect(fixedAt(bytes, at, fixedText(`${text.slice(0, wrong)}#${text.slice(wrong + 1)}`))).toBe(false);
        }
      }
    }
  });

  it('views the bytes given, also a view into a larger buffer', () => {
    const pool = Buffer.from('0123456789', 'latin1');
    const part = pool.subarray(3, 9);
    expect(viewOf(part).getInt32(0, true)).toBe(pool.readInt32LE(3));
    expect(viewOf(pool).getInt32(0, true)).toBe(pool.readInt32LE(0));
  });
});

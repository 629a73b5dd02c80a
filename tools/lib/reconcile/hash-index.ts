/**
 * Compact keyed state for millions of entries: 64-bit string hashes (two 32-bit halves) and an open-addressing
 * table over typed arrays, so a key costs about 20 bytes instead of a JavaScript string and a Map entry (~100).
 */

/** A 64-bit hash of `text` in two unsigned 32-bit halves: FNV-1a and a Murmur-style lane, each finalized. */
export function hash64(text: string): { readonly hi: number; readonly lo: number } {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return { hi: finalize(a) >>> 0, lo: finalize(b ^ Math.imul(a, 0x27d4eb2d)) >>> 0 };
}

/** A 32-bit hash of `text` (content fingerprints). */
export function hash32(text: string): number {
  const { hi, lo } = hash64(text);
  return (hi ^ lo) >>> 0;
}

function finalize(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

type TypedArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

const CHUNK_BITS = 16;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;

/**
 * A growable column of numbers in typed-array chunks of 65,536: growing never copies what is there (a doubling
 * array would hold old and new copies at once, the peak of the whole reconcile), and at most one chunk is unused.
 */
export class Column<T extends TypedArray> {
  private readonly chunks: T[] = [];

  constructor(private readonly create: (length: number) => T) {}

  get(at: number): number {
    return (this.chunks[at >>> CHUNK_BITS] as T)[at & CHUNK_MASK] as number;
  }

  set(at: number, value: number): void {
    const chunk = at >>> CHUNK_BITS;
    while (chunk >= this.chunks.length) this.chunks.push(this.create(1 << CHUNK_BITS));
    (this.chunks[chunk] as T)[at & CHUNK_MASK] = value;
  }
}

export const uint8Column = (): Column<Uint8Array> => new Column((length) => new Uint8Array(length));
export const uint16Column = (): Column<Uint16Array> => new Column((length) => new Uint16Array(length));
export const uint32Column = (): Column<Uint32Array> => new Column((length) => new Uint32Array(length));
export const float64Column = (): Column<Float64Array> => new Column((length) => new Float64Array(length));

const EMPTY = 0;
const INITIAL_SLOTS = 1 << 10;

/**
 * A map from 64-bit hashes to non-negative integers. Two keys with the same 64 bits are the same key: among the
 * 4.3 M keys of a day at 50 records/s, the chance of any such pair is about 5 × 10⁻⁷.
 */
export class HashIndex {
  private slots = new Int32Array(INITIAL_SLOTS);
  private readonly keysHi = uint32Column();
  private readonly keysLo = uint32Column();
  private readonly values = uint32Column();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The value of the key, or -1. */
  get(hi: number, lo: number): number {
    const entry = this.entryOf(hi, lo);
    return entry < 0 ? -1 : this.values.get(entry);
  }

  /** Sets the value of a key that is not in the index yet (check with get first). */
  add(hi: number, lo: number, value: number): void {
    // At most 3/4 of the slots are taken: linear probing then looks at about 2.5 slots per key found.
    if ((this.count + 1) * 4 > this.slots.length * 3) this.rehash(this.slots.length * 2);
    const entry = this.count++;
    this.keysHi.set(entry, hi);
    this.keysLo.set(entry, lo);
    this.values.set(entry, value);
    this.place(entry);
  }

  private entryOf(hi: number, lo: number): number {
    const mask = this.slots.length - 1;
    for (let slot = lo & mask; ; slot = (slot + 1) & mask) {
      const stored = this.slots[slot] as number;
      if (stored === EMPTY) return -1;
      const entry = stored - 1;
      if (this.keysLo.get(entry) === lo && this.keysHi.get(entry) === hi) return entry;
    }
  }

  private place(entry: number): void {
    const mask = this.slots.length - 1;
    let slot = this.keysLo.get(entry) & mask;
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.slots[slot] = entry + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let entry = 0; entry < this.count; entry++) this.place(entry);
  }
}

/** Strings numbered in order of first sight (log groups, reasons, accounts). */
export class Interned {
  private readonly names: string[] = [];
  private readonly codes = new Map<string, number>();

  get size(): number {
    return this.names.length;
  }

  code(name: string): number {
    let code = this.codes.get(name);
    if (code === undefined) {
      code = this.names.push(name) - 1;
      this.codes.set(name, code);
    }
    return code;
  }

  name(code: number): string {
    return this.names[code] as string;
  }

  all(): readonly string[] {
    return this.names;
  }
}

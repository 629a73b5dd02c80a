/** A growable output buffer for NDJSON lines, written as UTF-8. */
export class ByteWriter {
  private bytes: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.bytes = Buffer.allocUnsafe(Math.max(capacity, 256));
  }

  /** Appends a string as UTF-8. */
  text(value: string): void {
    const needed = this.length + Buffer.byteLength(value);
    if (needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    this.length += this.bytes.write(value, this.length);
  }

  /** Drops what was written after the first `length` bytes. */
  truncate(length: number): void {
    this.length = length;
  }

  /** The bytes written so far (a view, valid until the next write). */
  written(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}

/**
 * What S3 does with an upload's checksum, for the loopback stand-ins: decodes an `aws-chunked` body (the SDK's
 * STREAMING-UNSIGNED-PAYLOAD-TRAILER form, a checksum trailer after the last chunk) and checks a CRC32 given
 * in a header or in the trailer against the bytes received. A mismatch is an error (S3 answers BadDigest).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';

export function crc32Base64(data: Buffer | Uint8Array): string {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(crc32(data) >>> 0);
  return value.toString('base64');
}

export class BadDigestError extends Error {
  override readonly name = 'BadDigest';
}

/** Passes the bytes through and fails at the end unless their CRC32 is `expected` (base64, as S3 writes it). */
export class Crc32Check extends Transform {
  private value = 0;

  constructor(private readonly expected: () => string | undefined) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.value = crc32(chunk, this.value);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const received = Buffer.alloc(4);
    received.writeUInt32BE(this.value >>> 0);
    const expected = this.expected();
    if (expected !== undefined && expected !== received.toString('base64')) {
      callback(new BadDigestError(`CRC32 of the bytes received is ${received.toString('base64')}, the request said ${expected}`));
      return;
    }
    callback();
  }
}

/** Decodes `<hex size>\r\n<bytes>\r\n … 0\r\n<trailer>\r\n\r\n`; the trailer's headers are in `trailers` once it ends. */
export class AwsChunkedDecoder extends Transform {
  readonly trailers = new Map<string, string>();
  private pending = Buffer.alloc(0);
  private remaining = -1;
  private done = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    try {
      this.decode();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(this.done ? null : new Error('aws-chunked body ended before its last chunk'));
  }

  private decode(): void {
    for (;;) {
      if (this.done) {
        const end = this.pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        for (const line of this.pending.subarray(0, end).toString('latin1').split('\r\n')) {
          const colon = line.indexOf(':');
          if (colon > 0) this.trailers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
        }
        this.pending = Buffer.alloc(0);
        return;
      }
      if (this.remaining === -1) {
        const end = this.pending.indexOf('\r\n');
        if (end === -1) return;
        const size = Number.parseInt(this.pending.subarray(0, end).toString('latin1').split(';')[0] as string, 16);
        if (!Number.isInteger(size)) throw new Error('aws-chunked: bad chunk size');
        this.pending = this.pending.subarray(end + 2);
        if (size === 0) {
          this.done = true;
          // An empty trailer section ends with one CRLF only.
          if (this.pending.subarray(0, 2).toString() === '\r\n') this.pending = this.pending.subarray(2);
          continue;
        }
        this.remaining = size;
      }
      if (this.pending.length < this.remaining + 2) {
        if (this.pending.length > 0 && this.pending.length <= this.remaining) {
          const take = this.pending.length;
          this.push(this.pending.subarray(0, take));
          this.remaining -= take;
          this.pending = Buffer.alloc(0);
        }
        return;
      }
      this.push(this.pending.subarray(0, this.remaining));
      this.pending = this.pending.subarray(this.remaining + 2);
      this.remaining = -1;
    }
  }
}

/**
 * The body S3 would store from `request`, decoded and checked: the CRC32 in `x-amz-checksum-crc32` or in the
 * aws-chunked trailer. The returned stream fails (BadDigest) at its end when the bytes differ.
 */
export function checkedUploadBody(request: NodeJS.ReadableStream & { headers: Record<string, string | string[] | undefined> }): Transform {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  if (header('x-amz-content-sha256') === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' || (header('content-encoding') ?? '').includes('aws-chunked')) {
    const decoder = new AwsChunkedDecoder();
    const check = new Crc32Check(() => decoder.trailers.get('x-amz-checksum-crc32'));
    request.pipe(decoder).pipe(check);
    request.on('error', (error) => decoder.destroy(error));
    decoder.on('error', (error) => check.destroy(error));
    return check;
  }
  const check = new Crc32Check(() => header('x-amz-checksum-crc32'));
  request.on('error', (error) => check.destroy(error));
  request.pipe(check);
  return check;
}

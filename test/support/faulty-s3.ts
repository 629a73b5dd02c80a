/**
 * A loopback S3 of our own for the failure classes s3rver cannot play: each object's GET and each key's PUT
 * can be silent, stall, crawl, reset or corrupt. GETs return the object's CRC32 as S3 returns its stored
 * checksum; PUTs are checked like S3 checks them (header or aws-chunked trailer, see aws-chunked.ts) and
 * stored only when complete and intact. Path-style requests (`/<bucket>/<key>`); signatures are not checked.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { checkedUploadBody, crc32Base64 } from './aws-chunked.ts';
import { listenOnLoopback } from './loopback.ts';

/** `silent`: no answer at all; `stall`: headers and half the body, then nothing; `slow`: the body at `bytesPerSecond`;
 * `reset`: half the body, then the connection is reset; `corrupt`: one byte flipped, the stored checksum unchanged. */
export type GetFault = 'silent' | 'stall' | 'slow' | 'reset' | 'corrupt';
/** `silent`: reads the body, never answers; `stall`: reads 64 KiB, then nothing; `slow`: reads at `bytesPerSecond`;
 * `reset`: resets the connection after 64 KiB; `corrupt`: flips one byte on arrival (damage on the wire). */
export type PutFault = 'silent' | 'stall' | 'slow' | 'reset' | 'corrupt';

export interface StoredObject {
  readonly body: Buffer;
  /** Whether GET returns a stored checksum (S3 has one for every object written since 2025). */
  readonly checksum: boolean;
  readonly getFault?: GetFault;
}

export interface PutRecord {
  readonly key: string;
  readonly outcome: 'stored' | 'bad-digest' | 'incomplete' | 'fault';
  /** `x-amz-checksum-crc32: <value>` or `trailer x-amz-checksum-crc32`. */
  readonly checksum: string | undefined;
}

export interface FaultyS3 {
  readonly endpoint: string;
  /** Source objects by `<bucket>/<key>`. */
  readonly objects: Map<string, StoredObject>;
  /** Faults of PUTs by key. */
  readonly putFaults: Map<string, PutFault>;
  /** Objects written by PUT, by `<bucket>/<key>`. */
  readonly stored: Map<string, Buffer>;
  readonly gets: string[];
  readonly puts: PutRecord[];
  bytesPerSecond: number;
  close(): Promise<void>;
}

const HALF_STALL_BYTES = 64 * 1024;

export async function startFaultyS3(): Promise<FaultyS3> {
  const timers = new Set<NodeJS.Timeout>();
  const every = (ms: number, tick: () => boolean): void => {
    const timer = setInterval(() => {
      if (!tick()) {
        clearInterval(timer);
        timers.delete(timer);
      }
    }, ms);
    timers.add(timer);
  };
  const state: FaultyS3 = {
    endpoint: '',
    objects: new Map(),
    putFaults: new Map(),
    stored: new Map(),
    gets: [],
    puts: [],
    bytesPerSecond: 64 * 1024,
    close: async () => {},
  };

  const get = (path: string, response: ServerResponse): void => {
    state.gets.push(path);
    const object = state.objects.get(path);
    if (object === undefined) {
      response.writeHead(404, { 'content-type': 'application/xml' });
      response.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
      return;
    }
    if (object.getFault === 'silent') return;
    const { body } = object;
    response.writeHead(200, {
      'content-length': String(body.length),
      'content-type': 'application/octet-stream',
      etag: '"0"',
      ...(object.checksum ? { 'x-amz-checksum-crc32': crc32Base64(body), 'x-amz-checksum-type': 'FULL_OBJECT' } : {}),
    });
    const half = Math.floor(body.length / 2);
    switch (object.getFault) {
      case 'stall':
        response.write(body.subarray(0, half));
        return;
      case 'reset':
        response.write(body.subarray(0, half), () => setTimeout(() => response.socket?.destroy(), 20));
        return;
      case 'corrupt': {
        const damaged = Buffer.from(body);
        damaged[half] = (damaged[half] ?? 0) ^ 0xff;
        response.end(damaged);
        return;
      }
      case 'slow': {
        let sent = 0;
        const step = Math.max(1, Math.floor(state.bytesPerSecond / 20));
        every(50, () => {
          if (response.destroyed) return false;
          response.write(body.subarray(sent, sent + step));
          sent += step;
          if (sent >= body.length) response.end();
          return sent < body.length;
        });
        return;
      }
      default:
        response.end(body);
    }
  };

  const put = (path: string, request: IncomingMessage, response: ServerResponse): void => {
    const key = path.slice(path.indexOf('/') + 1);
    const fault = state.putFaults.get(key);
    const trailer = request.headers['x-amz-trailer'];
    const checksum = request.headers['x-amz-checksum-crc32'];
    const record = (outcome: PutRecord['outcome']): void => {
      state.puts.push({ key, outcome, checksum: checksum === undefined ? (trailer === undefined ? undefined : `trailer ${String(trailer)}`) : `x-amz-checksum-crc32: ${String(checksum)}` });
    };
    if (fault === 'stall' || fault === 'reset') {
      let received = 0;
      request.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received < HALF_STALL_BYTES) return;
        record('fault');
        if (fault === 'stall') request.pause();
        else request.socket.destroy();
      });
      return;
    }
    if (fault === 'slow') {
      const step = Math.max(1, Math.floor(state.bytesPerSecond / 20));
      request.pause();
      every(50, () => {
        if (request.destroyed || request.readableEnded) return false;
        request.read(Math.min(step, Math.max(1, request.readableLength)));
        return true;
      });
      request.on('end', () => record('fault'));
      return;
    }
    const source = fault === 'corrupt' ? flipOneByte(request) : request;
    const checked = checkedUploadBody(source);
    const chunks: Buffer[] = [];
    checked.on('data', (chunk: Buffer) => chunks.push(chunk));
    checked.on('error', (error: Error) => {
      const badDigest = error.name === 'BadDigest';
      record(badDigest ? 'bad-digest' : 'incomplete');
      if (response.headersSent || response.destroyed) return;
      response.writeHead(400, { 'content-type': 'application/xml', connection: 'close' });
      response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${badDigest ? 'BadDigest' : 'IncompleteBody'}</Code><Message>${error.message}</Message></Error>`);
    });
    checked.on('end', () => {
      if (fault === 'silent') return record('fault');
      state.stored.set(path, Buffer.concat(chunks));
      record('stored');
      response.writeHead(200, { etag: '"0"' });
      response.end();
    });
  };

  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname.slice(1));
    request.on('error', () => {});
    if (request.method === 'GET') get(path, response);
    else if (request.method === 'PUT') put(path, request, response);
    else {
      response.writeHead(405);
      response.end();
    }
  });
  const listener = await listenOnLoopback(server);
  return Object.assign(state, {
    endpoint: listener.endpoint,
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      return listener.close();
    },
  });
}

/** The request's bytes with one payload byte of the first chunk flipped, as damage on the wire would do. */
function flipOneByte(request: IncomingMessage): IncomingMessage {
  const damaged = Object.assign(new PassThrough(), { headers: request.headers });
  let flipped = false;
  request.on('data', (chunk: Buffer) => {
    if (!flipped && chunk.length > 200) {
      flipped = true;
      const copy = Buffer.from(chunk);
      copy[100] = (copy[100] ?? 0) ^ 0xff;
      damaged.write(copy);
      return;
    }
    damaged.write(chunk);
  });
  request.on('end', () => damaged.end());
  return damaged as unknown as IncomingMessage;
}

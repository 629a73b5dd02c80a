/** Firehose record data → CloudWatch Logs subscription payload (or a rejects payload coming back). */
import { gunzipSync } from 'node:zlib';
import {
  REJECTS_MESSAGE_TYPE,
  type CloudWatchLogsPayload,
  type LogEvent,
  type RecordFailureReason,
  type RejectsPayload,
} from './types.ts';

export type DecodedRecord =
  | { readonly kind: 'cloudwatch'; readonly payload: CloudWatchLogsPayload; readonly decodedBytes: number }
  | { readonly kind: 'rejects'; readonly payload: RejectsPayload; readonly decodedBytes: number }
  | { readonly kind: 'invalid'; readonly reason: RecordFailureReason; readonly detail: string; readonly decodedBytes: number };

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
/** Deflate never inflates by more than this factor (RFC 1951 block limits), so no honest gzip states more. */
const MAX_DEFLATE_RATIO = 1032;
/** zlib's smallest output chunk (zlib.constants.Z_MIN_CHUNK). */
const MIN_CHUNK_BYTES = 64;

/**
 * Output chunk size for gunzipping `gzip`: one byte more than the size its trailer states (ISIZE, the size mod
 * 2^32 of the last member), within what its length and the limit allow. The whole output then fits one chunk,
 * which gunzipSync returns as is instead of concatenating 16 KiB chunks into a copy; a trailer that understates
 * only brings back more chunks, and one that overstates costs at most an unused allocation within the bounds.
 */
// Stryker disable all: the chunk size changes how gunzipSync allocates, never what it returns or refuses.
function outputChunkBytes(gzip: Buffer, maxDecompressedBytes: number): number {
  const stated = gzip.length >= 4 ? gzip.readUInt32LE(gzip.length - 4) : 0;
  return Math.max(MIN_CHUNK_BYTES, Math.min(stated, gzip.length * MAX_DEFLATE_RATIO, maxDecompressedBytes) + 1);
}
// Stryker restore all

type InvalidRecord = Extract<DecodedRecord, { readonly kind: 'invalid' }>;

function invalid(reason: RecordFailureReason, detail: string, decodedBytes = 0): InvalidRecord {
  return { kind: 'invalid', reason, detail, decodedBytes };
}

export type InflatedRecord = { readonly kind: 'json'; readonly json: Buffer } | InvalidRecord;

/**
 * Decodes base64 record data to its JSON bytes: gunzips it (never past `maxDecompressedBytes`, so a gzip bomb
 * costs at most that much memory), or takes it as is when Firehose's own decompression already unpacked it.
 */
export function inflateRecordData(base64: string, maxDecompressedBytes: number): InflatedRecord {
  const raw = Buffer.from(base64, 'base64');
  if (raw[0] !== GZIP_MAGIC_0 || raw[1] !== GZIP_MAGIC_1) {
    if (raw.length > maxDecompressedBytes) return invalid('DECOMPRESSED_TOO_LARGE', `data exceeds ${maxDecompressedBytes} bytes`);
    return { kind: 'json', json: raw };
  }
  try {
    return { kind: 'json', json: gunzipSync(raw, { maxOutputLength: maxDecompressedBytes, chunkSize: outputChunkBytes(raw, maxDecompressedBytes) }) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      return invalid('DECOMPRESSED_TOO_LARGE', `gunzipped data exceeds ${maxDecompressedBytes} bytes`);
    }
    return invalid('NOT_GZIP_OR_JSON', `corrupt gzip data: ${(error as Error).message}`);
  }
}

/** Parses and classifies the JSON bytes of a record. */
export function parseRecordJson(json: Buffer): DecodedRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch {
    return invalid('NOT_GZIP_OR_JSON', 'data is neither gzip nor JSON', json.length);
  }
  return classifyPayload(parsed, json.length);
}

/** Decodes base64 record data: inflateRecordData, then parseRecordJson. */
export function decodeRecordData(base64: string, maxDecompressedBytes: number): DecodedRecord {
  const inflated = inflateRecordData(base64, maxDecompressedBytes);
  return inflated.kind === 'json' ? parseRecordJson(inflated.json) : inflated;
}

function isLogEvent(value: unknown): value is LogEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Record<string, unknown>;
  return typeof event.id === 'string' && typeof event.timestamp === 'number' && typeof event.message === 'string';
}

function classifyPayload(parsed: unknown, decodedBytes: number): DecodedRecord {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return invalid('INVALID_ENVELOPE', 'payload is not a JSON object', decodedBytes);
  }
  const payload = parsed as Record<string, unknown>;
  const { messageType } = payload;
  if (messageType === REJECTS_MESSAGE_TYPE) {
    return { kind: 'rejects', payload: parsed as RejectsPayload, decodedBytes };
  }
  if (messageType !== 'DATA_MESSAGE' && messageType !== 'CONTROL_MESSAGE') {
    return invalid('INVALID_ENVELOPE', `messageType must be DATA_MESSAGE or CONTROL_MESSAGE, got ${describe(messageType)}`, decodedBytes);
  }
  if (messageType === 'DATA_MESSAGE') {
    const { logEvents } = payload;
    if (!Array.isArray(logEvents)) {
      return invalid('INVALID_ENVELOPE', 'logEvents must be an array', decodedBytes);
    }
    const badEvent = logEvents.findIndex((event) => !isLogEvent(event));
    if (badEvent !== -1) {
      return invalid('INVALID_ENVELOPE', `logEvents[${badEvent}] must have a string id, a number timestamp and a string message`, decodedBytes);
    }
    for (const key of ['logGroup', 'logStream', 'owner'] as const) {
      if (typeof payload[key] !== 'string') {
        return invalid('INVALID_ENVELOPE', `${key} must be a string`, decodedBytes);
      }
    }
  }
  return { kind: 'cloudwatch', payload: parsed as CloudWatchLogsPayload, decodedBytes };
}

/** A short, safe description of an unexpected value's type for error details (never its content). */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

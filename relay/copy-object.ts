/**
 * One attempt at copying an object from the pipeline bucket to Amberflo's bucket under the same key: a streamed
 * GET piped into a streamed PUT (memory does not grow with object size), with `bucket-owner-full-control`.
 *
 * - Integrity: the GET asks for the stored checksum, and the SDK fails the body at its end if the bytes differ;
 *   the PUT carries that stored checksum in a header, so S3 refuses (BadDigest) bytes that differ from the
 *   source's. A source without a full-object checksum gets a CRC32 computed while streaming, sent as a trailer.
 * - Errors: every stream has a listener (a failed GET body cannot crash the process); the first failure of
 *   either side stops both and names its step ("GET s3://…", "PUT to Amberflo's bucket s3://…").
 * - Time: each side's socket may be silent for at most idleTimeoutMs; a copy whose bytes stop moving for that
 *   long fails, naming the side that stalled; the deadline signal stops the attempt wherever it is.
 */
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type GetObjectCommandOutput, PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { untilAborted } from '../shared/until-aborted.ts';
import type { ObjectRef } from './s3-events.ts';

export interface CopyDependencies {
  /** Reads the pipeline bucket with the function's own role. */
  readonly source: S3Client;
  /** Writes Amberflo's bucket with Amberflo's key pair; must not retry by itself (a streamed body is read once). */
  readonly amberflo: S3Client;
  readonly amberfloBucket: string;
  /** Longest time the copy's bytes may stop moving. */
  readonly idleTimeoutMs: number;
  /**
   * Resolves what the PUT will be signed with (Amberflo's keys from the secret) before the GET starts, so a slow
   * secret read fails as itself instead of leaving the download to time out, waiting.
   */
  readonly prepareAmberflo?: () => Promise<unknown>;
}

/** A failed step of a copy. `name` is the cause's (NoSuchKey, AccessDenied, TimeoutError…), so callers can branch on it. */
export class CopyStepError extends Error {
  override readonly name: string;

  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = cause instanceof Error ? cause.name : 'Error';
  }
}

export class StalledCopyError extends Error {
  override readonly name = 'StalledCopy';
}

/** Checksums PutObject accepts in a header, strongest match for S3's default (CRC64NVME) first. */
const STORED_CHECKSUMS = ['ChecksumCRC64NVME', 'ChecksumCRC32C', 'ChecksumCRC32', 'ChecksumSHA256', 'ChecksumSHA1'] as const;

/**
 * The PUT's checksum: the source's stored full-object checksum, which S3 checks the uploaded bytes against, or
 * (none stored, or only a multipart composite `…-<parts>` one) a CRC32 the SDK computes while streaming.
 */
export function putChecksum(object: Pick<GetObjectCommandOutput, (typeof STORED_CHECKSUMS)[number] | 'ChecksumType'>): Partial<PutObjectCommandInput> {
  if (object.ChecksumType !== 'COMPOSITE') {
    for (const field of STORED_CHECKSUMS) {
      const value = object[field];
      if (value !== undefined && value !== '' && !/-\d+$/.test(value)) return { [field]: value };
    }
  }
  return { ChecksumAlgorithm: 'CRC32' };
}

export async function copyObject(ref: ObjectRef, deps: CopyDependencies, deadline: AbortSignal): Promise<number> {
  const attempt = new AbortController();
  const stop = (reason: unknown): void => {
    if (!attempt.signal.aborted) attempt.abort(reason);
  };
  const get = `GET s3://${ref.bucket}/${ref.key}`;
  const put = `PUT to Amberflo's bucket s3://${deps.amberfloBucket}/${ref.key}`;
  let body: Readable | undefined;
  let meter: ProgressMeter | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  let phase = 'reading the Amberflo key secret';
  // Bytes waiting in the meter mean Amberflo's side is not reading; none mean the source is not sending.
  const slowSide = (): string => (meter === undefined ? phase : meter.readableLength > 0 || meter.writableLength > 0 ? put : get);
  const onDeadline = (): void => stop(new CopyStepError(slowSide(), deadline.reason));
  if (deadline.aborted) onDeadline();
  deadline.addEventListener('abort', onDeadline, { once: true });
  try {
    if (deps.prepareAmberflo !== undefined) await untilAborted(deps.prepareAmberflo(), attempt.signal);
    phase = get;
    const getting = deps.source.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, ChecksumMode: 'ENABLED' }), { abortSignal: attempt.signal });
    // A response that arrives after the attempt stopped is nobody's: release it, and let no error of it escape.
    getting.then((late) => attempt.signal.aborted && release(late.Body), () => {});
    const object = await step(get, getting, attempt.signal);
    body = object.Body as Readable | undefined;
    if (body === undefined || object.ContentLength === undefined) throw new CopyStepError(get, new Error('the response has no body or no Content-Length'));
    const progress = (meter = new ProgressMeter());
    // A download held back by a slow upload idles too: its timeout then names the upload.
    const piped = pipeline(body, progress).catch((error: unknown) => stop(new CopyStepError(isTimeout(error) ? slowSide() : get, error)));
    watchdog = setInterval(() => {
      if (progress.writableFinished || Date.now() - progress.lastProgressAt < deps.idleTimeoutMs) return;
      stop(new CopyStepError(slowSide(), new StalledCopyError(`no bytes moved for ${deps.idleTimeoutMs} ms (${progress.bytes} of ${object.ContentLength} copied)`)));
    }, Math.max(25, Math.floor(deps.idleTimeoutMs / 10)));
    const request: PutObjectCommandInput = {
      Bucket: deps.amberfloBucket,
      Key: ref.key,
      Body: progress,
      ContentLength: object.ContentLength,
      ACL: 'bucket-owner-full-control',
      ...(object.ContentEncoding === undefined ? {} : { ContentEncoding: object.ContentEncoding }),
      ...putChecksum(object),
    };
    // requestTimeout 0: S3 answers a PUT only after the whole upload; the watchdog and the deadline bound it.
    await step(put, deps.amberflo.send(new PutObjectCommand(request), { abortSignal: attempt.signal, requestTimeout: 0 }), attempt.signal);
    await piped;
    if (attempt.signal.aborted) throw attempt.signal.reason;
    return object.ContentLength;
  } finally {
    clearInterval(watchdog);
    deadline.removeEventListener('abort', onDeadline);
    // A failed side leaves the other half read or half written: release both connections.
    body?.destroy();
    meter?.destroy();
  }
}

/** `promise` of one step, or the reason the attempt stopped; failures come out as CopyStepErrors. */
async function step<T>(name: string, promise: Promise<T>, signal: AbortSignal): Promise<T> {
  try {
    return await untilAborted(promise, signal);
  } catch (error) {
    const reason: unknown = signal.aborted ? signal.reason : error;
    throw reason instanceof CopyStepError ? reason : new CopyStepError(name, reason);
  }
}

function release(body: unknown): void {
  const stream = body as Readable | undefined;
  stream?.on('error', () => {});
  stream?.destroy();
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

/** Passes the bytes through, counting them and when they last moved. */
class ProgressMeter extends Transform {
  bytes = 0;
  lastProgressAt = Date.now();

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.lastProgressAt = Date.now();
    callback(null, chunk);
  }
}

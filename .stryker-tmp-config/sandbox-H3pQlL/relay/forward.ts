/**
 * Copies one object from the pipeline bucket to Amberflo's bucket under the same key, streaming the body
 * (memory does not grow with object size) with `bucket-owner-full-control`. The same key is written every
 * time, so a repeated forward replaces the object with identical bytes: forwarding is idempotent.
 */
// @ts-nocheck

import type { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectRef } from './s3-events.ts';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface ForwardDependencies {
  /** Reads the pipeline bucket with the function's own role. */
  readonly source: S3Client;
  /** Writes Amberflo's bucket with Amberflo's key pair; must not retry by itself (a streamed body is read once). */
  readonly amberflo: S3Client;
  readonly amberfloBucket: string;
  readonly retry: RetryPolicy;
  /** Called when Amberflo refused the keys, so the next attempt reads the secret again. */
  readonly onKeysRefused?: () => void;
}

export interface ForwardResult {
  readonly attempts: number;
  readonly bytes: number;
}

export class ForwardError extends Error {
  override readonly name = 'ForwardError';
  constructor(
    message: string,
    readonly attempts: number,
    readonly lastErrorName: string,
  ) {
    super(message);
  }
}

const MAX_BACKOFF_MS = 10_000;
/** Errors meaning Amberflo did not accept the key pair: a rotation the cache has not seen yet, or a revocation. */
const KEY_REFUSALS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken']);

export async function forwardObject(ref: ObjectRef, deps: ForwardDependencies): Promise<ForwardResult> {
  const { maxAttempts, baseDelayMs } = deps.retry;
  const sleep = deps.retry.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.retry.random ?? Math.random;
  let lastError: unknown;
  let attempts = 0;
  while (attempts < maxAttempts) {
    attempts += 1;
    try {
      return { attempts, bytes: await copyOnce(ref, deps) };
    } catch (error) {
      lastError = error;
      // The object is gone (expired or deleted): no attempt can succeed; SQS redelivers it toward the DLQ.
      if (error instanceof NoSuchKey) break;
      if (KEY_REFUSALS.has(errorName(error))) deps.onKeysRefused?.();
      if (attempts < maxAttempts) await sleep(random() * Math.min(MAX_BACKOFF_MS, baseDelayMs * 2 ** (attempts - 1)));
    }
  }
  throw new ForwardError(
    `forwarding s3://${ref.bucket}/${ref.key} failed after ${attempts} attempt(s): ${errorName(lastError)}: ${errorMessage(lastError)}`,
    attempts,
    errorName(lastError),
  );
}

async function copyOnce(ref: ObjectRef, deps: ForwardDependencies): Promise<number> {
  const object = await deps.source.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  const body = object.Body as Readable | undefined;
  if (body === undefined || object.ContentLength === undefined) throw new Error(`no body or length for s3://${ref.bucket}/${ref.key}`);
  try {
    await deps.amberflo.send(
      new PutObjectCommand({
        Bucket: deps.amberfloBucket,
        Key: ref.key,
        Body: body,
        ContentLength: object.ContentLength,
        ACL: 'bucket-owner-full-control',
        ...(object.ContentEncoding === undefined ? {} : { ContentEncoding: object.ContentEncoding }),
      }),
    );
  } finally {
    // A failed PUT leaves the download half read: release its connection.
    if (!body.readableEnded) body.destroy();
  }
  return object.ContentLength;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

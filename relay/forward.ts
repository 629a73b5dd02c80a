/**
 * Forwards one object (copy-object.ts) with retries: exponential backoff with full jitter, the secret re-read
 * after Amberflo refused the keys, no attempt started that the invocation has no time left to finish. The same
 * key is written every time, so a repeated forward replaces the object with identical bytes: forwarding is
 * idempotent.
 */
import { type CopyDependencies, copyObject } from './copy-object.ts';
import type { ObjectRef } from './s3-events.ts';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface ForwardDependencies extends CopyDependencies {
  readonly retry: RetryPolicy;
  /** Called when Amberflo refused the keys, so the next attempt reads the secret again. */
  readonly onKeysRefused?: () => void;
}

/** The time an invocation has: attempts stop at `deadline`, and none starts with less than `minAttemptMs` left. */
export interface TimeBudget {
  /** Epoch ms. */
  readonly deadline: number;
  /** Aborts at `deadline`. */
  readonly signal: AbortSignal;
  readonly minAttemptMs: number;
}

export const UNLIMITED_TIME: TimeBudget = { deadline: Number.POSITIVE_INFINITY, signal: new AbortController().signal, minAttemptMs: 0 };

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

export async function forwardObject(ref: ObjectRef, deps: ForwardDependencies, time: TimeBudget = UNLIMITED_TIME): Promise<ForwardResult> {
  const { maxAttempts, baseDelayMs } = deps.retry;
  const sleep = deps.retry.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.retry.random ?? Math.random;
  const timeLeft = (): number => time.deadline - Date.now();
  let lastError: unknown;
  let attempts = 0;
  while (attempts < maxAttempts) {
    if (timeLeft() < time.minAttemptMs) {
      lastError = new Error(`no attempt started: ${Math.max(0, timeLeft())} ms left before the invocation's deadline, an attempt is given at least ${time.minAttemptMs} ms`);
      break;
    }
    attempts += 1;
    try {
      return { attempts, bytes: await copyObject(ref, deps, time.signal) };
    } catch (error) {
      lastError = error;
      // The object is gone (expired or deleted): no attempt can succeed; SQS redelivers it toward the DLQ.
      if (time.signal.aborted || errorName(error) === 'NoSuchKey') break;
      if (KEY_REFUSALS.has(errorName(error))) deps.onKeysRefused?.();
      if (attempts < maxAttempts) {
        const delay = random() * Math.min(MAX_BACKOFF_MS, baseDelayMs * 2 ** (attempts - 1));
        if (timeLeft() - delay < time.minAttemptMs) break;
        await sleep(delay);
      }
    }
  }
  throw new ForwardError(
    `forwarding s3://${ref.bucket}/${ref.key} failed after ${attempts} attempt(s): ${errorName(lastError)}: ${errorMessage(lastError)}`,
    attempts,
    errorName(lastError),
  );
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

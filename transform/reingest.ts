/**
 * Puts payloads back into the pipeline's source, retrying partial failures and throttling with exponential
 * backoff and full jitter. The targets that speak to AWS are in reingest-targets.ts, loaded on first use.
 */
import { groupByWeight } from './repack.ts';
import { untilAborted } from '../shared/until-aborted.ts';

export interface ReingestEntry {
  readonly data: Uint8Array;
  /** Kinesis partition key (the original record's, so ordering per key is kept); unused by Firehose. */
  readonly partitionKey: string;
}

/**
 * Sends one batch: the error code of each entry (undefined when accepted). Throws when the call fails; should
 * stop when `signal` aborts (the caller stops waiting for it then anyway).
 */
export type SendBatch = (entries: readonly ReingestEntry[], signal?: AbortSignal) => Promise<readonly (string | undefined)[]>;

export interface ReingestTarget {
  readonly description: string;
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
  readonly send: SendBatch;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /**
   * Epoch ms after which nothing more is tried: a call still running then is abandoned, and what is not
   * accepted by then is reported undelivered.
   */
  readonly deadline?: number;
}

/** The lastError of a re-ingest cut short by its deadline. */
export const DEADLINE_REACHED = 'DeadlineReached';

class DeadlineReachedError extends Error {
  override readonly name = DEADLINE_REACHED;

  constructor() {
    super(DEADLINE_REACHED);
  }
}

/** `promise`, or a DeadlineReached rejection at `deadline` (epoch ms), whichever comes first. */
export function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  if (!Number.isFinite(deadline)) return promise;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineReachedError()), Math.max(0, deadline - Date.now()));
  return untilAborted(promise, controller.signal).finally(() => clearTimeout(timer));
}

export interface ReingestReport {
  /** Per entry, in input order: whether it was accepted. */
  readonly delivered: readonly boolean[];
  readonly attempts: number;
  readonly retriedEntries: number;
  /** The last error seen (entry error code or call error name), for the summary log. */
  readonly lastError?: string;
}

const MAX_BACKOFF_MS = 5_000;
const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'KMSThrottlingException',
  'ServiceUnavailableException',
]);

/** Whether a failed call is worth retrying: throttling, server faults and network errors are; client faults are not. */
export function isRetryableError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const { name, $fault, $retryable } = error as { name?: string; $fault?: string; $retryable?: unknown };
  if ($retryable !== undefined || (name !== undefined && THROTTLING_ERRORS.has(name))) return true;
  return $fault !== 'client';
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function reingest(
  entries: readonly ReingestEntry[],
  target: ReingestTarget,
  policy: RetryPolicy,
): Promise<ReingestReport> {
  const sleep = policy.sleep ?? defaultSleep;
  const random = policy.random ?? Math.random;
  const deadline = policy.deadline ?? Number.POSITIVE_INFINITY;
  const delivered = entries.map(() => false);
  let pending = entries.map((_, index) => index);
  let attempts = 0;
  let retriedEntries = 0;
  let lastError: string | undefined;
  const controller = new AbortController();
  const timer = Number.isFinite(deadline)
    ? setTimeout(() => controller.abort(new DeadlineReachedError()), Math.max(0, deadline - Date.now()))
    : undefined;
  const pastDeadline = (): boolean => controller.signal.aborted || Date.now() >= deadline;
  try {
    while (pending.length > 0 && attempts < policy.maxAttempts) {
      if (attempts > 0) {
        const delay = Math.floor(random() * Math.min(MAX_BACKOFF_MS, policy.baseDelayMs * 2 ** attempts));
        if (Date.now() + delay >= deadline) {
          lastError = DEADLINE_REACHED;
          break;
        }
        retriedEntries += pending.length;
        await sleep(delay);
      }
      attempts++;
      const retry: number[] = [];
      const sizes = pending.map((index) => {
        const entry = entries[index] as ReingestEntry;
        return entry.data.length + Buffer.byteLength(entry.partitionKey);
      });
      for (const batch of groupByWeight(pending, sizes, target.maxBatchBytes, target.maxBatchRecords)) {
        if (pastDeadline()) {
          retry.push(...batch);
          continue;
        }
        try {
          const codes = await untilAborted(target.send(batch.map((index) => entries[index] as ReingestEntry), controller.signal), controller.signal);
          batch.forEach((index, i) => {
            const code = codes[i];
            if (code === undefined) delivered[index] = true;
            else {
              lastError = code;
              retry.push(index);
            }
          });
        } catch (error) {
          lastError = (error as Error).name ?? String(error);
          if (isRetryableError(error)) retry.push(...batch);
        }
      }
      pending = retry;
      if (pending.length > 0 && pastDeadline()) {
        lastError = DEADLINE_REACHED;
        break;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  return lastError === undefined ? { delivered, attempts, retriedEntries } : { delivered, attempts, retriedEntries, lastError };
}

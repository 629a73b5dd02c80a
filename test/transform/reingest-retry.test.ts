/**
 * Which failed calls reingest retries, what it reports, and how it weighs entries against a batch's byte limit.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isRetryableError, reingest, type ReingestEntry, type ReingestTarget, type SendBatch } from '../../transform/reingest.ts';

const entry = (partitionKey: string, size = 10): ReingestEntry => ({ data: Buffer.alloc(size), partitionKey });
const target = (send: SendBatch, maxBatchBytes = 5_000_000): ReingestTarget => ({ description: 'scripted', maxBatchRecords: 500, maxBatchBytes, send });
const clientFault = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, $fault: 'client', ...extra });

describe('isRetryableError', () => {
  it.each([
    'ProvisionedThroughputExceededException',
    'LimitExceededException',
    'ThrottlingException',
    'KMSThrottlingException',
    'ServiceUnavailableException',
  ])('retries %s even when the SDK calls it a client fault', (name) => {
    expect(isRetryableError(clientFault(name))).toBe(true);
  });

  it('retries a client fault the SDK marks retryable', () => {
    expect(isRetryableError(clientFault('RequestTimeout', { $retryable: { throttling: false } }))).toBe(true);
    expect(isRetryableError(clientFault('RequestTimeout'))).toBe(false);
  });

  it('retries what is not an error object, and errors without a fault', () => {
    expect(isRetryableError('socket closed')).toBe(true);
    expect(isRetryableError(null)).toBe(true);
    expect(isRetryableError(undefined)).toBe(true);
    expect(isRetryableError(new Error('timeout'))).toBe(true);
  });
});

describe('reingest', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports no error, no retries and one attempt when everything is accepted at once, without sleeping', async () => {
    const sleeps: number[] = [];
    const report = await reingest([entry('a'), entry('b')], target(async (batch) => batch.map(() => undefined)), {
      maxAttempts: 3,
      baseDelayMs: 100,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(report).toStrictEqual({ delivered: [true, true], attempts: 1, retriedEntries: 0 });
    expect(sleeps).toEqual([]);
  });

  it('names a thrown value that is not an Error in its report, and retries it', async () => {
    let calls = 0;
    const report = await reingest([entry('a')], target(async () => {
      calls++;
      throw 'connection reset';
    }), { maxAttempts: 2, baseDelayMs: 0, sleep: async () => {} });
    expect(report).toEqual({ delivered: [false], attempts: 2, retriedEntries: 1, lastError: 'connection reset' });
    expect(calls).toBe(2);
  });

  it('waits on a timer between attempts when given no sleep', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const report = reingest([entry('a')], target(async (batch) => (++calls === 1 ? ['InternalFailure'] : batch.map(() => undefined))), {
      maxAttempts: 2,
      baseDelayMs: 20,
      random: () => 0.999,
    });
    // The second attempt waits floor(0.999 × 20 × 2¹) = 39 ms.
    await vi.advanceTimersByTimeAsync(38);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    expect((await report).delivered).toEqual([true]);
  });

  it('counts partition keys in bytes, not characters, against the batch limit', async () => {
    const batches: number[] = [];
    const send: SendBatch = async (batch) => {
      batches.push(batch.length);
      return batch.map(() => undefined);
    };
    // 100 bytes of data and a 10-byte key (5 characters): two entries are 220 bytes, over a 215-byte batch.
    await reingest([entry('ééééé', 100), entry('ééééé', 100), entry('ééééé', 100)], target(send, 215), { maxAttempts: 1, baseDelayMs: 0 });
    expect(batches).toEqual([1, 1, 1]);
  });
});

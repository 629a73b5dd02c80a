// @ts-nocheck
import { describe, expect, it } from 'vitest';
import {
  isRetryableError,
  reingest,
  type ReingestEntry,
  type ReingestTarget,
  type SendBatch,
} from '../../transform/reingest.ts';
import { parseStreamArn } from '../../transform/reingest-targets.ts';

function entries(count: number, size = 10): ReingestEntry[] {
  return Array.from({ length: count }, (_, i) => ({ data: Buffer.alloc(size, i % 256), partitionKey: `pk-${i}` }));
}

function target(send: SendBatch, limits: Partial<Pick<ReingestTarget, 'maxBatchRecords' | 'maxBatchBytes'>> = {}): ReingestTarget {
  return { description: 'scripted', maxBatchRecords: 500, maxBatchBytes: 5_000_000, ...limits, send };
}

function throttled(): Error {
  return Object.assign(new Error('Rate exceeded for shard'), {
    name: 'ProvisionedThroughputExceededException',
    $fault: 'client',
  });
}

const noSleep = { sleep: async () => {}, random: () => 0.5 };

describe('reingest', () => {
  it('retries only the entries that failed, until all are accepted', async () => {
    const calls: string[][] = [];
    let call = 0;
    const send: SendBatch = async (batch) => {
      calls.push(batch.map((entry) => entry.partitionKey));
      call++;
      return batch.map((_, i) => (call === 1 && i % 2 === 1 ? 'ProvisionedThroughputExceededException' : undefined));
    };
    const report = await reingest(entries(4), target(send), { maxAttempts: 5, baseDelayMs: 10, ...noSleep });
    expect(report.delivered).toEqual([true, true, true, true]);
    expect(calls).toEqual([['pk-0', 'pk-1', 'pk-2', 'pk-3'], ['pk-1', 'pk-3']]);
    expect(report).toMatchObject({ attempts: 2, retriedEntries: 2, lastError: 'ProvisionedThroughputExceededException' });
  });

  it('retries a throttled call with exponential backoff and full jitter', async () => {
    const delays: number[] = [];
    let call = 0;
    const send: SendBatch = async (batch) => {
      call++;
      if (call <= 3) throw throttled();
      return batch.map(() => undefined);
    };
    const report = await reingest(entries(2), target(send), {
      maxAttempts: 6,
      baseDelayMs: 100,
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.999,
    });
    expect(report.delivered).toEqual([true, true]);
    expect(delays).toEqual([199, 399, 799]);
  });

  it('caps the backoff at 5 seconds', async () => {
    const delays: number[] = [];
    await reingest(entries(1), target(async () => { throw throttled(); }), {
      maxAttempts: 10,
      baseDelayMs: 1000,
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.999,
    });
    expect(delays).toHaveLength(9);
    expect(Math.max(...delays)).toBe(4995);
  });

  it('gives up after maxAttempts and reports what was not delivered', async () => {
    let calls = 0;
    const send: SendBatch = async (batch) => {
      calls++;
      return batch.map((entry) => (entry.partitionKey === 'pk-1' ? 'InternalFailure' : undefined));
    };
    const report = await reingest(entries(3), target(send), { maxAttempts: 3, baseDelayMs: 1, ...noSleep });
    expect(report.delivered).toEqual([true, false, true]);
    expect(calls).toBe(3);
    expect(report.lastError).toBe('InternalFailure');
  });

  it('does not retry a call that fails for a reason retrying cannot fix', async () => {
    let calls = 0;
    const send: SendBatch = async () => {
      calls++;
      throw Object.assign(new Error('Stream meter-records not found'), { name: 'ResourceNotFoundException', $fault: 'client' });
    };
    const report = await reingest(entries(2), target(send), { maxAttempts: 5, baseDelayMs: 1, ...noSleep });
    expect(report.delivered).toEqual([false, false]);
    expect(calls).toBe(1);
    expect(report.lastError).toBe('ResourceNotFoundException');
  });

  it('splits batches by record count and by bytes', async () => {
    const sizes: number[] = [];
    const send: SendBatch = async (batch) => {
      sizes.push(batch.length);
      return batch.map(() => undefined);
    };
    await reingest(entries(1201), target(send), { maxAttempts: 1, baseDelayMs: 0, ...noSleep });
    expect(sizes).toEqual([500, 500, 201]);

    sizes.length = 0;
    // 100 bytes of data + 4 or 5 bytes of partition key each: 9 entries fit in 1,000 bytes.
    await reingest(entries(20, 100), target(send, { maxBatchBytes: 1000 }), { maxAttempts: 1, baseDelayMs: 0, ...noSleep });
    expect(sizes).toEqual([9, 9, 2]);
  });
});

describe('isRetryableError', () => {
  it.each([
    [throttled(), true],
    [Object.assign(new Error('x'), { name: 'InternalFailure', $fault: 'server' }), true],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
    [Object.assign(new Error('x'), { name: 'KMSThrottlingException', $fault: 'client' }), true],
    [Object.assign(new Error('x'), { name: 'AccessDeniedException', $fault: 'client' }), false],
    [Object.assign(new Error('x'), { name: 'ValidationException', $fault: 'client' }), false],
  ])('%s → %s', (error, retryable) => {
    expect(isRetryableError(error)).toBe(retryable);
  });
});

describe('parseStreamArn', () => {
  it('reads region and name from Kinesis and Firehose ARNs', () => {
    expect(parseStreamArn('arn:aws:kinesis:eu-west-1:123456789012:stream/meter-records', 'kinesis')).toEqual({ region: 'eu-west-1', name: 'meter-records' });
    expect(parseStreamArn('arn:aws-cn:firehose:cn-north-1:123456789012:deliverystream/meters', 'firehose')).toEqual({ region: 'cn-north-1', name: 'meters' });
  });

  it('refuses an ARN of another service', () => {
    expect(() => parseStreamArn('arn:aws:firehose:us-east-1:123456789012:deliverystream/x', 'kinesis')).toThrow('not a kinesis stream ARN');
  });
});

describe('reingest against a deadline', () => {
  const hanging: SendBatch = () => new Promise(() => {});

  it('abandons a call that never answers at the deadline and reports its entries undelivered', async () => {
    const started = Date.now();
    const report = await reingest(entries(3), target(hanging), { maxAttempts: 6, baseDelayMs: 10, deadline: started + 300 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(report).toMatchObject({ delivered: [false, false, false], attempts: 1, lastError: 'DeadlineReached' });
  });

  it('hands the call a signal that aborts at the deadline', async () => {
    let signal: AbortSignal | undefined;
    const send: SendBatch = (_batch, given) => {
      signal = given;
      return new Promise(() => {});
    };
    await reingest(entries(1), target(send), { maxAttempts: 1, baseDelayMs: 0, deadline: Date.now() + 100 });
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toMatchObject({ name: 'DeadlineReached' });
  });

  it('does not wait out a backoff that would end past the deadline', async () => {
    const delays: number[] = [];
    const report = await reingest(entries(2), target(async (batch) => batch.map(() => 'ProvisionedThroughputExceededException')), {
      maxAttempts: 6,
      baseDelayMs: 1_000,
      deadline: Date.now() + 1_500,
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.999,
    });
    // The first backoff (up to 2 s) already ends past the deadline.
    expect(delays).toEqual([]);
    expect(report).toMatchObject({ delivered: [false, false], attempts: 1, lastError: 'DeadlineReached' });
  });

  it('sends nothing when the deadline has already passed', async () => {
    let calls = 0;
    const report = await reingest(entries(2), target(async (batch) => (calls++, batch.map(() => undefined))), {
      maxAttempts: 3,
      baseDelayMs: 0,
      deadline: Date.now() - 1,
    });
    expect(calls).toBe(0);
    expect(report).toMatchObject({ delivered: [false, false], lastError: 'DeadlineReached' });
  });
});

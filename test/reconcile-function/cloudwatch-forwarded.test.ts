/**
 * The ForwardedLogEvents reader through the real CloudWatch client, against CloudWatch's API on loopback: the
 * destination types are listed, not guessed; pages of both calls are followed and bounded; a refused read and a
 * silent endpoint fail it within its bounds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cloudWatchClient } from '../../reconcile-function/aws.ts';
import { CloudWatchForwardedCounts } from '../../reconcile-function/cloudwatch-forwarded.ts';
import { filterKey } from '../../reconcile-function/forwarded-check.ts';
import { type FakeCloudWatch, type FakeCloudWatchOptions, filterSeries, startFakeCloudWatch } from '../support/fake-cloudwatch.ts';
import { startSilentServer } from '../support/silent-server.ts';

const MINUTE = 60_000;
const S = Date.parse('2026-11-25T09:00:00Z');
const at = (minutes: number) => S + minutes * MINUTE;
const GROUP = '/aws/lambda/orders-handler';
const RANGE = { from: at(0), until: at(60) };
const TIMEOUT_MS = 300;
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function reader(endpoint: string): CloudWatchForwardedCounts {
  return new CloudWatchForwardedCounts(
    cloudWatchClient({ region: 'us-east-1', timeouts: { connectionTimeoutMs: TIMEOUT_MS, idleTimeoutMs: TIMEOUT_MS }, endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
}

async function cloudWatch(options: FakeCloudWatchOptions): Promise<FakeCloudWatch> {
  const fake = await startFakeCloudWatch(options);
  closers.push(fake.close);
  return fake;
}

const minutes = (entries: [number, number][]) => new Map(entries.map(([minute, events]) => [at(minute), events]));

describe('CloudWatchForwardedCounts', () => {
  it('sums a filter\'s destination types per minute, follows both calls\' pages, and leaves other filters out', async () => {
    const fake = await cloudWatch({
      series: [
        filterSeries(GROUP, 'meter-records', minutes([[1, 4], [2, 5], [70, 99]]), 'Kinesis'),
        filterSeries(GROUP, 'meter-records', minutes([[2, 1]]), 'Firehose'),
        filterSeries(GROUP, 'someone-elses', minutes([[1, 1000]])),
        filterSeries('/aws/lambda/other', 'meter-records', minutes([[1, 1000]])),
        { dimensions: [{ Name: 'PolicyLevel', Value: 'AccountPolicy' }, { Name: 'DestinationType', Value: 'Kinesis' }, { Name: 'FilterName', Value: 'meters-policy' }], minutes: minutes([[3, 7]]) },
      ],
      pageSize: 2,
      pointsPerPage: 2,
    });
    const counts = await reader(fake.endpoint).read([{ logGroup: GROUP, filter: 'meter-records' }, { filter: 'meters-policy' }, { logGroup: GROUP, filter: 'never-published' }], RANGE);
    expect(Object.fromEntries([...counts].map(([key, series]) => [key, Object.fromEntries([...series].map(([minute, events]) => [new Date(minute).toISOString().slice(11, 16), events]))]))).toEqual({
      [filterKey({ logGroup: GROUP, filter: 'meter-records' })]: { '09:01': 4, '09:02': 6 },
      [filterKey({ filter: 'meters-policy' })]: { '09:03': 7 },
    });
    // 5 metrics at 2 a page; 3 series' points (4 in range) at 2 a page.
    expect(fake.operations()).toEqual(['ListMetrics', 'ListMetrics', 'ListMetrics', 'GetMetricData', 'GetMetricData']);
    expect(fake.ranges()[0]).toEqual(RANGE);
  });

  it('asks nothing when there is no filter to count', async () => {
    const fake = await cloudWatch({ series: [] });
    expect((await reader(fake.endpoint).read([], RANGE)).size).toBe(0);
    expect(fake.operations()).toEqual([]);
  });

  it('fails a read CloudWatch refuses, naming the filter', async () => {
    const fake = await cloudWatch({ series: [filterSeries(GROUP, 'meter-records', minutes([[1, 4]]))], status: 'Forbidden' });
    await expect(reader(fake.endpoint).read([{ logGroup: GROUP, filter: 'meter-records' }], RANGE)).rejects.toThrow(`GetMetricData AWS/Logs ForwardedLogEvents of log group ${GROUP} filter meter-records (Kinesis): Forbidden`);
  });

  it('stops a listing that never ends after 100 pages', async () => {
    const fake = await cloudWatch({ series: [filterSeries(GROUP, 'meter-records', minutes([[1, 4]]))], endlessListing: true });
    await expect(reader(fake.endpoint).read([{ logGroup: GROUP, filter: 'meter-records' }], RANGE)).rejects.toThrow('ListMetrics: more than 100 pages of AWS/Logs ForwardedLogEvents; stopped');
    expect(fake.operations().length).toBe(100);
  });

  it('fails within its 3 attempts of 300 ms against an endpoint that accepts connections and never answers', async () => {
    const silent = await startSilentServer();
    closers.push(silent.close);
    const started = Date.now();
    await expect(reader(silent.endpoint).read([{ logGroup: GROUP, filter: 'meter-records' }], RANGE)).rejects.toThrow();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(elapsed).toBeLessThan(5_000);
    expect(silent.connections()).toBeGreaterThanOrEqual(1);
  });
});

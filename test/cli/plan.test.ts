import { describe, expect, it } from 'vitest';
import {
  type BufferChoice,
  DEFAULT_PRICES,
  type PipelinePlan,
  type SourceChoice,
  type Workload,
  cheapestWithin,
  planPipeline,
} from '../../tools/lib/plan/cost-plan.ts';
import { parseHints, sourcesFrom } from '../../tools/commands/plan.ts';
import { planSourceBackup } from '../../tools/lib/plan/source-backup-cost.ts';
import { RECONCILE_MAX_RECORDS_PER_WINDOW, planReconcile, reconcileWindowFor } from '../../tools/lib/plan/reconcile-cost.ts';
import { jsonOf, runCli } from '../support/cli.ts';

// 100 records/s of 256 B, 10 per Kinesis record, output 10× input:
// Kinesis records 10/s of 256 B gzipped → input 2,560 B/s; NDJSON output 25,600 B/s; 26,280,000 records a month.
const workload: Workload = {
  eventsPerSecond: 100,
  recordBytes: 256,
  eventsPerKinesisRecord: 10,
  outputToInputRatio: 10,
  minimumBatchSeconds: 1,
  lambdaBaseMs: 20,
  lambdaMsPerInputMiB: 250,
  lambdaMemoryMb: 1024,
};
const onDemand: SourceChoice = { kind: 'kinesis-on-demand' };
const planFor = (load: Workload, hints: BufferChoice, source: SourceChoice = onDemand): PipelinePlan => planPipeline(load, source, hints, DEFAULT_PRICES);
const GIB = 1024 ** 3;

describe('plan arithmetic', () => {
  const plan = planFor(workload, { processorMB: 0.25, processorSeconds: 60, destinationMB: 5, destinationSeconds: 300 });

  it('closes processor batches on the interval when the size is not reached', () => {
    // 0.25 MiB = 262,144 B fills in 102.4 s at 2,560 B/s, so the 60 s interval wins: 60 invocations an hour.
    expect(plan.batchSeconds).toBe(60);
    expect(plan.invocationsPerHour).toBe(60);
    // A batch holds 153,600 B = 0.146484375 MiB → 20 + 250 × 0.146484375 ms.
    expect(plan.lambdaMs).toBeCloseTo(56.62109375, 10);
    // 153,600 B × 10 (this workload's output ratio) = 1,536,000 B of NDJSON, 2,048,000 B in base64.
    expect(plan.responseBytes).toBe(2_048_000);
  });

  it('writes objects when the destination size fills before its interval', () => {
    // 5 MiB = 5,242,880 B fills in 204.8 s at 25,600 B/s (< 300 s): 3600 / 204.8 objects an hour of 5 MiB.
    expect(plan.objectSeconds).toBeCloseTo(204.8, 10);
    expect(plan.objectsPerHour).toBeCloseTo(17.578125, 10);
    expect(plan.averageObjectBytes).toBeCloseTo(5_242_880, 6);
    expect(plan.worstCaseLatencySeconds).toBeCloseTo(60 + 0.05662109375 + 204.8, 10);
  });

  it('bills Firehose per record rounded up to 5 KB and Kinesis on-demand per record rounded up to 1 KB', () => {
    // Firehose: 26,280,000 × 5,120 B × $0.029/GiB.
    expect(plan.monthly.firehose).toBeCloseTo((26_280_000 * 5120 * 0.029) / GIB, 10);
    expect(plan.monthly.firehose).toBeCloseTo(3.6341, 4);
    // Kinesis: 730 h × $0.04 + 26,280,000 × 1,024 B × $0.08/GiB in + 26,280,000 × 256 B × $0.04/GiB out.
    expect(plan.monthly.kinesis).toBeCloseTo(29.2 + (26_280_000 * 1024 * 0.08) / GIB + (26_280_000 * 256 * 0.04) / GIB, 10);
    expect(plan.monthly.kinesis).toBeCloseTo(31.4556, 4);
  });

  it('prices Lambda by requests and GB-seconds, S3 by PUTs', () => {
    // 43,800 invocations a month × 0.05662109375 s × 1 GB.
    expect(plan.monthly.lambda).toBeCloseTo((43_800 * 0.2) / 1e6 + 43_800 * 0.05662109375 * 0.0000133334, 12);
    // 17.578125 objects/h × 730 h × $0.005 per 1,000.
    expect(plan.monthly.s3).toBeCloseTo(0.0641601, 6);
    expect(plan.monthly.total).toBeCloseTo(plan.monthly.firehose + plan.monthly.kinesis + plan.monthly.lambda + plan.monthly.s3, 12);
  });

  it('never closes a batch sooner than Firehose polls, and puts at least one invocation in an object', () => {
    const eager = planFor(workload, { processorMB: 0.2, processorSeconds: 0, destinationMB: 1, destinationSeconds: 0 });
    expect(eager.batchSeconds).toBe(1);
    expect(eager.invocationsPerHour).toBe(3600);
    expect(eager.objectSeconds).toBe(1);
    expect(eager.objectsPerHour).toBe(3600);
    expect(eager.averageObjectBytes).toBe(25_600);
    // 20 ms + 250 ms × 2,560 B / 1 MiB; no wait in the destination buffer.
    expect(eager.worstCaseLatencySeconds).toBeCloseTo(1 + (20 + (250 * 2560) / 1048576) / 1000, 12);
  });

  it('closes a batch on size when the buffer fills first', () => {
    const busy = planFor({ ...workload, eventsPerSecond: 1000 }, { processorMB: 0.25, processorSeconds: 60, destinationMB: 128, destinationSeconds: 900 });
    // Input 25,600 B/s fills 262,144 B in 10.24 s.
    expect(busy.batchSeconds).toBeCloseTo(10.24, 10);
    expect(busy.invocationsPerHour).toBeCloseTo(351.5625, 10);
    // 128 MiB at 256,000 B/s takes 524.288 s, under the 900 s interval.
    expect(busy.objectSeconds).toBeCloseTo(524.288, 10);
  });

  it('never makes an object larger than the destination buffer, however busy the stream', () => {
    const hints = { processorMB: 0.25, processorSeconds: 60, destinationMB: 5, destinationSeconds: 300 };
    // 50,000 records/s of 256 B = 12,800,000 B/s: a 1 s batch (the polling floor) holds 12.8 MB of output,
    // which fills 5 MiB objects: 12,800,000 × 3600 / 5,242,880 = 8,789.0625 objects an hour.
    const busy = planFor({ ...workload, eventsPerSecond: 50_000 }, hints);
    expect(busy.averageObjectBytes).toBeCloseTo(5_242_880, 6);
    expect(busy.objectsPerHour).toBeCloseTo(8_789.0625, 6);
    // 10,000,000 records/s: 2,560,000,000 B/s, still 5 MiB objects, 1,757,812.5 of them an hour.
    const extreme = planFor({ ...workload, eventsPerSecond: 10_000_000 }, hints);
    expect(extreme.averageObjectBytes).toBeCloseTo(5_242_880, 6);
    expect(extreme.objectsPerHour).toBeCloseTo(1_757_812.5, 4);
  });

  it('derives provisioned shards from throughput and bills shard hours and 25 KB PUT units', () => {
    const provisioned = planFor(workload, { processorMB: 0.25, processorSeconds: 60, destinationMB: 5, destinationSeconds: 300 }, { kind: 'kinesis-provisioned' });
    expect(provisioned.shards).toBe(1);
    // 730 h × $0.015 + 26,280,000 PUT units × $0.014 per million.
    expect(provisioned.monthly.kinesis).toBeCloseTo(10.95 + 0.36792, 10);
    const wide = planFor({ ...workload, eventsPerSecond: 25_000 }, provisioned.hints, { kind: 'kinesis-provisioned' });
    // 2,500 records/s needs ceil(2500 / 1000) = 3 shards (640,000 B/s is under one shard's 1 MiB/s).
    expect(wide.shards).toBe(3);
  });
});

describe('sources', () => {
  const hints: BufferChoice = { processorMB: 0.25, processorSeconds: 60, destinationMB: 5, destinationSeconds: 300 };

  it('bills Firehose the same for every source, and direct has no stream to pay for', () => {
    const [onDemandPlan, provisioned, direct] = (['kinesis-on-demand', 'kinesis-provisioned', 'direct'] as const).map((kind) => planFor(workload, hints, { kind }));
    expect(direct?.monthly.firehose).toBeCloseTo((26_280_000 * 5120 * 0.029) / GIB, 10);
    expect(onDemandPlan?.monthly.firehose).toBe(direct?.monthly.firehose);
    expect(provisioned?.monthly.firehose).toBe(direct?.monthly.firehose);
    expect(direct?.monthly.kinesis).toBe(0);
    expect(direct?.shards).toBe(0);
    // Buffers, Lambda and S3 do not depend on the source.
    expect(direct?.monthly.lambda).toBe(onDemandPlan?.monthly.lambda);
    expect(direct?.monthly.s3).toBe(onDemandPlan?.monthly.s3);
    expect(direct?.monthly.total).toBeCloseTo((direct?.monthly.firehose ?? 0) + (direct?.monthly.lambda ?? 0) + (direct?.monthly.s3 ?? 0), 12);
  });

  it('prices the shards asked for and says when they throttle', () => {
    // 25,000 records/s of this workload are 2,500 deliveries/s: 3 shards by records, so 2 throttle.
    const busy = { ...workload, eventsPerSecond: 25_000 };
    const two = planFor(busy, hints, { kind: 'kinesis-provisioned', shards: 2 });
    expect(two.shards).toBe(2);
    expect(two.throttled).toBe('2 shards throttle: needs 3');
    // 2 × 730 h × $0.015 + 2,500 × 3,600 × 730 PUT units × $0.014 per million.
    expect(two.monthly.kinesis).toBeCloseTo(21.9 + (6_570_000_000 * 0.014) / 1e6, 10);
    expect(planFor(busy, hints, { kind: 'kinesis-provisioned', shards: 4 }).throttled).toBeUndefined();
  });

  it('flags traffic over the default Direct PUT quota', () => {
    // 2,500 deliveries/s: over 2,000 requests/s (one per delivery), under 5,000 records/s.
    expect(planFor({ ...workload, eventsPerSecond: 25_000 }, hints, { kind: 'direct' }).throttled).toBe(
      'over the Direct PUT quota (up to 2500 requests/s): ask AWS to raise it',
    );
    expect(planFor({ ...workload, eventsPerSecond: 19_000 }, hints, { kind: 'direct' }).throttled).toBeUndefined();
  });

  it('picks the cheapest plan within the latency bound that neither throttles nor splits', () => {
    const fast: BufferChoice = { processorMB: 0.25, processorSeconds: 60, destinationMB: 5, destinationSeconds: 60 };
    const slow: BufferChoice = { processorMB: 0.25, processorSeconds: 300, destinationMB: 64, destinationSeconds: 900 };
    const plans = (['kinesis-on-demand', 'direct'] as const).flatMap((kind) => [fast, slow].map((choice) => planFor(workload, choice, { kind })));
    const within = cheapestWithin(plans, 360, 6_000_000);
    expect(within.cheapest?.source).toBe('direct');
    expect(within.cheapest?.hints).toBe(fast);
    expect(within.excluded.map(({ plan, reason }) => [plan.source, plan.hints, reason])).toEqual([
      ['kinesis-on-demand', slow, 'worst-case latency over the bound'],
      ['direct', slow, 'worst-case latency over the bound'],
    ]);
    // With a looser bound the slower, cheaper hints win.
    expect(cheapestWithin(plans, 3600, 6_000_000).cheapest?.hints).toBe(slow);
    // Splitting responses and throttled sources are never the answer.
    expect(cheapestWithin(plans, 3600, 1000).cheapest).toBeUndefined();
    const throttled = planFor({ ...workload, eventsPerSecond: 25_000 }, fast, { kind: 'direct' });
    expect(cheapestWithin([throttled], 3600, 6_000_000).excluded[0]?.reason).toBe(throttled.throttled);
  });

  it('parses --source and --shards with specific errors', () => {
    expect(sourcesFrom([], undefined)).toEqual([{ kind: 'kinesis-on-demand' }, { kind: 'kinesis-provisioned' }, { kind: 'direct' }]);
    expect(sourcesFrom(['direct', 'kinesis-provisioned', 'direct'], '2')).toEqual([{ kind: 'direct' }, { kind: 'kinesis-provisioned', shards: 2 }]);
    expect(() => sourcesFrom(['kinesis'], undefined)).toThrow('--source must be one of kinesis-on-demand, kinesis-provisioned, direct, got "kinesis"');
    expect(() => sourcesFrom(['direct'], '2')).toThrow('--shards applies to --source kinesis-provisioned');
    expect(() => sourcesFrom([], '0')).toThrow('--shards must be an integer from 1 to 10000, got "0"');
  });
});

describe('goal figures (us-east-1 list prices, default workload)', () => {
  interface Cheapest {
    source: string;
    monthly: { total: number };
    worstCaseLatencySeconds: number;
  }
  interface Report {
    recommendation: { cheapest?: Cheapest };
    baseline: { source: string; monthly: { total: number } };
  }
  const reportAt = async (eventsPerSecond: number): Promise<Report> => {
    const result = await runCli(['plan', '--events-per-second', String(eventsPerSecond), '--json']);
    expect(result.code).toBe(0);
    return jsonOf<Report>(result);
  };

  it('costs at most $2 a month at 50 records/s within 6 minutes', async () => {
    const { recommendation, baseline } = await reportAt(50);
    expect(baseline.source).toBe('kinesis-on-demand');
    expect(recommendation.cheapest?.monthly.total).toBeLessThanOrEqual(2);
    expect(recommendation.cheapest?.worstCaseLatencySeconds).toBeLessThan(360);
  });

  it('costs at most 60% of the default at 5,000 records/s within 6 minutes', async () => {
    const { recommendation, baseline } = await reportAt(5000);
    expect(recommendation.cheapest?.monthly.total).toBeLessThanOrEqual(0.6 * baseline.monthly.total);
    expect(recommendation.cheapest?.worstCaseLatencySeconds).toBeLessThan(360);
  });
});

describe('plan command', () => {
  it('parses hints and rejects out-of-range ones with a specific message', () => {
    expect(parseHints('0.25,60,5,300')).toEqual({ processorMB: 0.25, processorSeconds: 60, destinationMB: 5, destinationSeconds: 300 });
    expect(() => parseHints('0.1,60,5,300')).toThrow('--hints processor size must be a number of MiB from 0.2 to 3, got 0.1');
    expect(() => parseHints('0.25,60,5')).toThrow('four numbers');
  });

  it('prints a row per choice with prices overridable, and exits 2 on usage errors', async () => {
    const result = await runCli(['plan', '--events-per-second', '100', '--record-bytes', '256', '--events-per-kinesis-record', '10', '--output-ratio', '10', '--hints', '0.25,60,5,300', '--source', 'kinesis-on-demand', '--price', 'firehoseIngestPerGB=0', '--json']);
    expect(result.code).toBe(0);
    const { plans, prices } = jsonOf<{ plans: { monthly: { firehose: number }; objectsPerHour: number }[]; prices: { firehoseIngestPerGB: number } }>(result);
    expect(prices.firehoseIngestPerGB).toBe(0);
    expect(plans).toHaveLength(1);
    expect(plans[0]?.monthly.firehose).toBe(0);
    expect(plans[0]?.objectsPerHour).toBeCloseTo(17.578125, 10);

    const table = await runCli(['plan', '--events-per-second', '50']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('0.25 MB / 60 s   5 MB / 300 s');
    expect(table.stdout).toContain('rounded up to 5 KB');
    expect(table.stdout).toMatch(/1 MB \/ 900 s.*splits: response > 6 MB budget/);

    expect((await runCli(['plan'])).code).toBe(2);
    expect(await runCli(['plan', '--events-per-second', '-5'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--events-per-second must be a number from 0.001 to 10000000, got "-5"'),
    });
    expect(await runCli(['plan', '--events-per-secnd', '5'])).toMatchObject({ code: 2, stderr: expect.stringContaining('(did you mean --events-per-second?)') });
    expect(await runCli(['plan', '--events-per-second', '5', '--events-per-second', '50'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--events-per-second is given more than once; give it once'),
    });
    // Repeatable options still take every value.
    expect((await runCli(['plan', '--events-per-second', '5', '--price', 'kinesisShardHour=0.015', '--price', 'lambdaGBSecond=0.0000166667'])).code).toBe(0);
    const badPrice = await runCli(['plan', '--events-per-second', '5', '--price', 'gold=1']);
    expect(badPrice.code).toBe(2);
    expect(badPrice.stderr).toContain('unknown price "gold"');
    const badSource = await runCli(['plan', '--events-per-second', '5', '--source', 'kafka']);
    expect(badSource.code).toBe(2);
    expect(badSource.stderr).toContain('--source must be one of');
  });

  it('prints every source side by side, marks the cheapest within the bound and says why', async () => {
    const table = await runCli(['plan', '--events-per-second', '50', '--max-latency', '150']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/kinesis-on-demand +kinesis-provisioned \(1 shard\) +direct/);
    expect(table.stdout).toMatch(/^0\.25 MB \/ 60 s +5 MB \/ 60 s .*\* \$1\.16$/m);
    expect(table.stdout).toContain('Cheapest within 2 min 30 s: direct with 0.25 MB / 60 s → 5 MB / 60 s: $1.16 a month');
    expect(table.stdout).toMatch(/^\* direct +\$0\.91 +\$0\.00 /m);
    expect(table.stdout).toContain('Not eligible: 9 × worst-case latency over the bound.');
  });
});

describe('source-record backup cost', () => {
  it('stores the gzipped input for the retention and writes one object per buffer interval', () => {
    // Input 100 × 256 / 10 = 2,560 B/s; 5 MiB would take 2,048 s to fill, so the 300 s interval closes objects.
    const cost = planSourceBackup(workload, { retentionDays: 90, bufferMB: 5, bufferSeconds: 300 }, DEFAULT_PRICES);
    expect(cost.inputBytesPerSecond).toBe(2560);
    expect(cost.objectsPerMonth).toBe(8760);
    expect(cost.storedBytes).toBe(2560 * 90 * 86_400);
    expect(cost.monthly.storage).toBeCloseTo(((2560 * 90 * 86_400) / GIB) * 0.023, 10);
    expect(cost.monthly.puts).toBeCloseTo(8.76 * 0.005, 10);
  });

  it('is printed on a line of its own and left out with --no-source-backup', async () => {
    const withBackup = await runCli(['plan', '--events-per-second', '100', '--record-bytes', '256', '--output-ratio', '10', '--events-per-kinesis-record', '10', '--json']);
    expect(jsonOf<{ sourceBackup: { retentionDays: number; monthly: { total: number } } }>(withBackup).sourceBackup).toMatchObject({ retentionDays: 90, monthly: { total: expect.closeTo(0.4264 + 0.0438, 3) } });
    const without = await runCli(['plan', '--events-per-second', '100', '--no-source-backup']);
    expect(without.stdout).not.toContain('Source-record backup');
    const text = await runCli(['plan', '--events-per-second', '100', '--backup-retention-days', '30']);
    expect(text.stdout).toMatch(/Source-record backup .* kept over 30 days/);
  });
});

describe('continuous reconcile cost', () => {
  it('takes the longest window one invocation reconciles: an hour up to its ceiling, shorter above, none past the shortest', () => {
    expect(reconcileWindowFor(50)).toBe(3600);
    expect(reconcileWindowFor(RECONCILE_MAX_RECORDS_PER_WINDOW / 3600)).toBe(3600);
    expect(reconcileWindowFor(RECONCILE_MAX_RECORDS_PER_WINDOW / 3600 + 1)).toBe(1800);
    expect(reconcileWindowFor(5000)).toBe(1200);
    expect(reconcileWindowFor(RECONCILE_MAX_RECORDS_PER_WINDOW / 300 + 1)).toBeUndefined();
  });

  it('prices two invocations per window, the reads of its objects and listings, one report, 10 metrics, 6 alarm metrics and the count\'s reads', () => {
    const prices = { lambdaRequestsPerMillion: 0.2, lambdaGBSecond: 0.0000133334, s3PutPer1000: 0.005, s3GetPer1000: 0.0004, cloudWatchMetricMonth: 0.3, cloudWatchAlarmMetricMonth: 0.1, cloudWatchReadsPer1000: 0.01 };
    // Objects every 300 s: 8,760 a month.
    const backup = { inputBytesPerSecond: 0, objectsPerMonth: 8760, storedBytes: 0, monthly: { storage: 0, puts: 0, total: 0 } };
    const cost = planReconcile({ eventsPerSecond: 50 }, backup, { windowSeconds: 3600, objectSpanSeconds: 480 }, prices);
    expect(cost.windowsPerMonth).toBe(730);
    expect(cost.recordsPerWindow).toBe(180_000);
    // A ListMetrics page and one metric requested per window.
    expect(cost.monthly.cloudWatch).toBeCloseTo(10 * 0.3 + 6 * 0.1 + (730 * 2 * 0.01) / 1000, 10);
    // 12 backup + (3600 + 960) / 300 data objects + 24 reports; the backup's and the data's 2 days of 288 keys a
    // page each (whatever the retention), the error prefix, failed-requests/ and 8 report days listed, 1 PUT.
    const s3PerWindow = (12 + 15.2 + 24) * 0.0004 + (2 * 2 + 2 + 8 + 1) * 0.005;
    expect(cost.monthly.s3).toBeCloseTo((730 * s3PerWindow) / 1000, 10);
    // 20-minute windows: the scheduled run reads back 72 reports (24 hours of them).
    const short = planReconcile({ eventsPerSecond: 50 }, backup, { windowSeconds: 1200, objectSpanSeconds: 480 }, prices);
    expect(short.monthly.s3).toBeCloseTo((2190 * ((4 + 7.2 + 72) * 0.0004 + (2 * 2 + 2 + 8 + 1) * 0.005)) / 1000, 10);
    expect(cost.monthly.total).toBeCloseTo(cost.monthly.lambda + cost.monthly.s3 + cost.monthly.cloudWatch, 10);
  });

  it('is printed on a line of its own and left out with --no-reconcile or without the backup', async () => {
    expect((await runCli(['plan', '--events-per-second', '50'])).stdout).toMatch(/Continuous reconcile .*1-hour windows, 730 a month of 180,000 records/);
    expect((await runCli(['plan', '--events-per-second', '5000'])).stdout).toMatch(/Continuous reconcile .*20-minute windows \(set reconcileWindow\)/);
    expect((await runCli(['plan', '--events-per-second', '50', '--no-reconcile'])).stdout).not.toContain('Continuous reconcile');
    expect((await runCli(['plan', '--events-per-second', '50', '--no-source-backup'])).stdout).not.toContain('Continuous reconcile');
  });
});

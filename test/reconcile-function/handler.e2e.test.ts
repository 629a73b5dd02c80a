/**
 * The reconciling function's handler end to end against S3 on loopback (s3rver): the local pipeline (kinesalite,
 * the transform bundle) writes the samples with their source backup, which go into a pipeline bucket and an
 * Amberflo bucket as deployed in direct mode; the handler reconciles the window of arrival time with the
 * transform's code in-process. A clean window is reconciled; a loss, a conflicting and a never-logged record are
 * reported exactly, in the report, the EMF metrics and the alarm's input; what cannot be read is "not proven".
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReconcileFunctionConfig } from '../../reconcile-function/config.ts';
import { REPORT_MARGIN_MS } from '../../reconcile-function/config.ts';
import { cloudWatchClient } from '../../reconcile-function/aws.ts';
import { CloudWatchForwardedCounts } from '../../reconcile-function/cloudwatch-forwarded.ts';
import { type ReconcileDependencies, type WindowRun, createReconcileHandler } from '../../reconcile-function/handler.ts';
import { InProcessTransform } from '../../reconcile-function/in-process-transform.ts';
import type { WindowReport } from '../../reconcile-function/report.ts';
import { type ObjectStore, S3Store } from '../../tools/lib/delivery/object-store.ts';
import { exitCodeOf, runCli, transformBundle } from '../support/cli.ts';
import { EMULATOR_CREDENTIALS, type LocalS3, startS3, tempDirectory } from '../support/emulators.ts';
import { type FakeCloudWatch, filterSeries, startFakeCloudWatch } from '../support/fake-cloudwatch.ts';
import { type SilentServer, startSilentServer } from '../support/silent-server.ts';
import { synth } from '../infra/helpers.ts';

/** The local pipeline names the samples' objects 2026-11-25 09:00–09:06 (their traffic's time, not today's). */
const WINDOW = '2026-11-25T09:00:00.000Z';
const CHECKED_AT = Date.parse('2026-11-25T11:00:00Z');
const SAMPLE = { expected: 77, delivered: 70, quarantined: 7 } as const;
/**
 * CloudWatch Logs' ForwardedLogEvents for the samples' filter: the 09:00 backup object's 49 events forwarded over
 * 09:00-09:04, the 09:05 object's 28 over 09:05-09:09 (each object takes records for up to its buffer interval).
 */
const SAMPLE_FILTER = { logGroup: '/aws/lambda/orders-handler', filter: 'meter-records' } as const;
const FORWARDED_PER_MINUTE: [string, number][] = [['09:00', 10], ['09:01', 10], ['09:02', 10], ['09:03', 10], ['09:04', 9], ['09:05', 6], ['09:06', 6], ['09:07', 6], ['09:08', 5], ['09:09', 5]];
/** Forwarded in the certain minutes 09:01-09:58 (the first minute may be an earlier object's, a lag away). */
const FORWARDED_CERTAIN = 67;
const BUCKETS = { pipeline: 'pipeline', amberflo: 'amberflo', damaged: 'amberflo-damaged', relayPipeline: 'relay-pipeline', relayAmberflo: 'relay-amberflo' } as const;

const CONFIG: ReconcileFunctionConfig = {
  pipelineName: 'meters',
  pipelineAccount: '123456789012',
  metricsNamespace: 'MeterFirehose',
  delivery: 'direct',
  pipelineBucket: BUCKETS.pipeline,
  backupPrefix: 'source-backup/!{timestamp:yyyy-MM-dd}/',
  reportPrefix: 'reconcile/',
  amberfloBucket: BUCKETS.amberflo,
  amberfloRegion: 'us-east-1',
  dataPrefix: 'ingest/records/!{timestamp:yyyy-MM-dd}/',
  errorPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/',
  windowMs: 3_600_000,
  settleMs: 1_500_000,
  objectSpanMs: 480_000,
  forwardedCount: true,
  transformEnvironment: {},
};

let s3: LocalS3;
let silent: SilentServer;
let cloudWatch: FakeCloudWatch;
let out: string;
const cleanups: (() => Promise<void>)[] = [];

function store(bucket: string, endpoint = s3.endpoint, timeoutMs?: number): S3Store {
  return new S3Store({ bucket, region: 'us-east-1', endpoint, credentials: EMULATOR_CREDENTIALS, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

beforeAll(async () => {
  const directory = await tempDirectory('reconcile-function');
  cleanups.push(directory.remove);
  out = join(directory.path, 'out');
  const [code, output] = exitCodeOf(await runCli(['run', '--out', out, '--bundle', transformBundle(), '--json']));
  expect(code, output).toBe(0);
  s3 = await startS3(Object.values(BUCKETS));
  silent = await startSilentServer();
  cloudWatch = await startFakeCloudWatch({
    series: [filterSeries(SAMPLE_FILTER.logGroup, SAMPLE_FILTER.filter, new Map(FORWARDED_PER_MINUTE.map(([minute, events]) => [Date.parse(`2026-11-25T${minute}:00Z`), events])))],
  });
  for (const key of await filesUnder(out)) {
    const body = await readFile(join(out, key));
    if (key.startsWith('source-backup/')) await store(BUCKETS.pipeline).put(key, body);
    else {
      await store(BUCKETS.amberflo).put(key, body);
      await store(BUCKETS.damaged).put(key, body);
    }
    // Relay: Firehose writes the backup and both prefixes into the pipeline bucket; the forwarder copies ingest objects.
    await store(BUCKETS.relayPipeline).put(key, body);
    if (key.startsWith('ingest/')) await store(BUCKETS.relayAmberflo).put(key, body);
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([s3?.close(), silent?.close(), cloudWatch?.close(), ...cleanups.map((cleanup) => cleanup())]);
});

interface Run {
  readonly result: unknown;
  readonly lines: string[];
  readonly invoked: number[];
  readonly runs: WindowRun[];
}

function forwardedCounts(endpoint: string, timeoutMs = 5_000): CloudWatchForwardedCounts {
  return new CloudWatchForwardedCounts(
    cloudWatchClient({ region: 'us-east-1', timeouts: { connectionTimeoutMs: timeoutMs, idleTimeoutMs: timeoutMs }, endpoint, credentials: EMULATOR_CREDENTIALS }),
  );
}

async function handle(event: unknown, overrides: Partial<ReconcileDependencies> = {}, remainingMs = 900_000): Promise<Run> {
  const lines: string[] = [];
  const invoked: number[] = [];
  const runs: WindowRun[] = [];
  const dependencies: ReconcileDependencies = {
    config: CONFIG,
    pipelineStore: store(BUCKETS.pipeline),
    amberfloStore: store(BUCKETS.amberflo),
    transformer: new InProcessTransform({}, 'us-east-1'),
    forwardedCounts: forwardedCounts(cloudWatch.endpoint),
    invokeWindow: async (start, run) => {
      invoked.push(start);
      runs.push(run);
    },
    now: () => CHECKED_AT,
    log: (line) => lines.push(line),
    ...overrides,
  };
  const result = await createReconcileHandler(() => dependencies)(event, { getRemainingTimeInMillis: () => remainingMs });
  return { result, lines, invoked, runs };
}

function metricsOf(line: string): Record<string, number> {
  const document = JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } };
  const [directive] = document._aws.CloudWatchMetrics;
  expect(directive).toMatchObject({ Namespace: 'MeterFirehose', Dimensions: [['Pipeline']] });
  expect(document['Pipeline']).toBe('meters');
  return Object.fromEntries(directive!.Metrics.map(({ Name }) => [Name, document[Name] as number]));
}

/** The findings alarm's expression, as synthesized, evaluated on one window's metrics. */
function findingsAlarmInput(metrics: Record<string, number>): number {
  const { template } = synth({});
  const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find((resource) => String(resource.Properties.AlarmName).endsWith('-reconcile-findings'));
  const queries = alarm!.Properties.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[];
  const values = new Map(queries.filter((query) => query.MetricStat !== undefined).map((query) => [query.Id, metrics[query.MetricStat!.Metric.MetricName] ?? 0]));
  const expression = queries.find((query) => query.Expression !== undefined)!.Expression!;
  return expression.split(' + ').reduce((sum, id) => sum + (values.get(id) as number), 0);
}

/** The store with the keys `hidden` picks left out of its listings: objects lost. */
function hiding(inner: ObjectStore, hidden: (key: string) => boolean): ObjectStore {
  return { locate: (key) => inner.locate(key), put: (key, body) => inner.put(key, body), get: (key) => inner.get(key), list: async (prefix) => (await inner.list(prefix)).filter((key) => !hidden(key)) };
}

async function reportAt(bucket: string, key: string): Promise<WindowReport> {
  return JSON.parse((await store(bucket).get(key)).toString('utf8')) as WindowReport;
}

const REPORT_KEY = `reconcile/2026-11-25/${WINDOW}.json`;

describe('the reconciling function against S3 (s3rver), direct mode', () => {
  it('reconciles a clean window of arrival time: 77 expected = 70 delivered + 7 quarantined; proven, nothing to act on', async () => {
    const listed: string[] = [];
    const listing = (inner: ObjectStore): ObjectStore => ({ ...hiding(inner, () => false), list: (prefix) => (listed.push(prefix), inner.list(prefix)) });
    const { result, lines } = await handle({ window: WINDOW }, { pipelineStore: listing(store(BUCKETS.pipeline)), amberfloStore: listing(store(BUCKETS.amberflo)) });
    // Each prefix is listed for the dates the window needs only, whatever the retention; the error prefix's type
    // expression comes before its date, and Amberflo's reasons are not named by arrival: those are listed whole.
    expect([...new Set(listed)].sort()).toEqual(['errors/', 'failed-requests/', 'ingest/records/2026-11-25/', 'source-backup/2026-11-25/']);
    expect(result).toMatchObject({ status: 'reconciled', findings: [], total: { expected: SAMPLE.expected, delivered: SAMPLE.delivered, quarantined: SAMPLE.quarantined, missing: 0 } });
    const metrics = metricsOf(lines.at(-1) as string);
    expect(metrics).toMatchObject({ ReconcileExpected: 77, ReconcileDelivered: 70, ReconcileQuarantined: 7, ReconcileMissing: 0, ReconcileWindowsProven: 1, ReconcileWindowsNotProven: 0 });
    expect(findingsAlarmInput(metrics)).toBe(0);
    expect((await reportAt(BUCKETS.pipeline, REPORT_KEY)).status).toBe('reconciled');
    // CloudWatch Logs' own count agrees: all 77 events in the backup, 67 of them forwarded in the certain minutes.
    expect((result as WindowReport).forwarded).toEqual({
      certainMinutes: { from: '2026-11-25T09:01:00.000Z', until: '2026-11-25T09:59:00.000Z' },
      filters: [{ ...SAMPLE_FILTER, backupEvents: SAMPLE.expected, forwardedCertain: FORWARDED_CERTAIN, forwardedPossible: SAMPLE.expected, unbacked: 0, beyondForwarded: 0 }],
      uncounted: [],
      unbacked: 0,
    });
    expect(metrics['ReconcileUnbackedLogEvents']).toBe(0);
  }, 60_000);

  it('does not trust a window whose backup and deliveries were both lost: CloudWatch Logs forwarded events no backup object holds', async () => {
    // Records a replaced delivery stream never read (it starts at LATEST) leave nothing behind: by the backup alone,
    // an empty window.
    const lostBackup = hiding(store(BUCKETS.pipeline), (key) => key.startsWith('source-backup/'));
    const lostDeliveries = hiding(store(BUCKETS.amberflo), () => true);
    const run = await handle({ window: WINDOW, knownFilters: [SAMPLE_FILTER] }, { pipelineStore: lostBackup, amberfloStore: lostDeliveries });
    const report = run.result as WindowReport;
    expect(report.total).toMatchObject({ expected: 0, delivered: 0, missing: 0 });
    expect(report.status).toBe('findings');
    expect(report.findings).toEqual(['unbacked']);
    expect(report.forwarded?.filters).toEqual([{ ...SAMPLE_FILTER, backupEvents: 0, forwardedCertain: FORWARDED_CERTAIN, forwardedPossible: 0, unbacked: FORWARDED_CERTAIN, beyondForwarded: 0 }]);
    const metrics = metricsOf(run.lines.at(-1) as string);
    expect(metrics).toMatchObject({ ReconcileUnbackedLogEvents: FORWARDED_CERTAIN, ReconcileMissing: 0, ReconcileWindowsProven: 1 });
    expect(findingsAlarmInput(metrics)).toBe(FORWARDED_CERTAIN);
  }, 60_000);

  it('sees one lost backup object: its 28 events, 18 of them in certain minutes, are unbacked, and its deliveries unexpected', async () => {
    const lostObject = hiding(store(BUCKETS.pipeline), (key) => key.startsWith('source-backup/') && key.includes('-2026-11-25-09-05-'));
    const run = await handle({ window: WINDOW }, { pipelineStore: lostObject });
    const report = run.result as WindowReport;
    expect(report.findings).toEqual(['unexpected', 'unbacked']);
    expect(report.forwarded).toMatchObject({ unbacked: 18, filters: [{ backupEvents: 49, forwardedCertain: FORWARDED_CERTAIN, unbacked: 18 }] });
  }, 60_000);

  it('reports "not proven" when CloudWatch never answers: the independent count is part of the proof', async () => {
    const started = Date.now();
    const run = await handle({ window: WINDOW }, { forwardedCounts: forwardedCounts(silent.endpoint, 300) });
    expect(run.result).toMatchObject({ status: 'not-proven', reason: expect.stringMatching(/^CloudWatch Logs' ForwardedLogEvents could not be read: /) });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(metricsOf(run.lines.at(-1) as string)).toEqual({ ReconcileWindowsProven: 0, ReconcileWindowsNotProven: 1 });
  }, 60_000);

  it('reads deliveries named up to the window\'s settle time on a first check, however late it runs, and up to now on a re-check', async () => {
    // A data object named a day later, holding a record no log event explains.
    const amberflo = store(BUCKETS.amberflo);
    const [first] = (await amberflo.list('ingest/records/')).sort();
    const record = JSON.parse(gunzipSync(await amberflo.get(first as string)).toString('utf8').split('\n')[0] as string) as Record<string, unknown>;
    const laterKey = 'ingest/records/2026-11-26/meter-firehose-1-2026-11-26-09-00-00-00000000-0000-4000-8000-000000000001.gz';
    const withLater: ObjectStore = {
      locate: (key) => amberflo.locate(key),
      put: (key, body) => amberflo.put(key, body),
      get: async (key) => (key === laterKey ? gzipSync(`${JSON.stringify({ ...record, uniqueId: 'replayed-elsewhere-0001' })}\n`) : amberflo.get(key)),
      list: async (prefix) => [...(await amberflo.list(prefix)), ...(laterKey.startsWith(prefix) ? [laterKey] : [])],
    };
    const lateFirstCheck = await handle({ window: WINDOW }, { amberfloStore: withLater, now: () => Date.parse('2026-11-28T10:30:00Z') });
    expect(lateFirstCheck.result).toMatchObject({ status: 'reconciled', total: { delivered: SAMPLE.delivered, unexpected: 0 } });
    const recheck = await handle({ window: WINDOW, recheck: true }, { amberfloStore: withLater, now: () => Date.parse('2026-11-28T10:30:00Z') });
    expect(recheck.result).toMatchObject({ status: 'findings', findings: ['unexpected'], total: { unexpected: 1 } });
    await expect(handle({ window: WINDOW, recheck: 'yes' })).rejects.toThrow('recheck must be true or false, got "yes"');
  }, 60_000);

  it('with the independent count off, asks CloudWatch nothing and trusts the backup as before', async () => {
    const asked: unknown[] = [];
    const lostBackup = hiding(store(BUCKETS.pipeline), (key) => key.startsWith('source-backup/'));
    const run = await handle(
      { window: WINDOW, knownFilters: [SAMPLE_FILTER] },
      { config: { ...CONFIG, forwardedCount: false }, pipelineStore: lostBackup, amberfloStore: hiding(store(BUCKETS.amberflo), () => true), forwardedCounts: { read: async (filters) => (asked.push(filters), new Map()) } },
    );
    expect(asked).toEqual([]);
    expect(run.result).toMatchObject({ status: 'reconciled', findings: [] });
    expect((run.result as WindowReport).forwarded).toBeUndefined();
    expect(metricsOf(run.lines.at(-1) as string)).not.toHaveProperty('ReconcileUnbackedLogEvents');
  }, 60_000);

  it('refuses a window event whose knownFilters are not filters', async () => {
    await expect(handle({ window: WINDOW, knownFilters: [{ logGroup: 7 }] })).rejects.toThrow('knownFilters must be a list of {filter, logGroup?} strings');
  });

  it('reports exactly a lost record, a conflicting one and a never-logged one, with the replay that recovers the loss', async () => {
    const damaged = store(BUCKETS.damaged);
    const [key] = (await damaged.list('ingest/records/')).sort();
    const [lost, changed, ...rest] = gunzipSync(await damaged.get(key as string)).toString('utf8').split('\n').filter(Boolean);
    const lostRecord = JSON.parse(lost as string) as { uniqueId: string };
    const changedRecord = JSON.parse(changed as string) as { uniqueId: string; meterValue: number };
    const neverLogged = { ...changedRecord, uniqueId: 'never-logged-0001', meterValue: 42 };
    const lines = [JSON.stringify({ ...changedRecord, meterValue: changedRecord.meterValue + 100 }), ...rest, JSON.stringify(neverLogged)];
    await damaged.put(key as string, gzipSync(`${lines.join('\n')}\n`));

    const run = await handle({ window: WINDOW }, { amberfloStore: damaged, pipelineStore: store(BUCKETS.pipeline) });
    const report = run.result as WindowReport;
    expect(report.status).toBe('findings');
    expect(report.findings).toEqual(['missing', 'conflicting', 'unexpected']);
    expect(report.total).toMatchObject({ expected: 77, missing: 1, conflicting: 1, unexpected: 1, refused: 0 });
    expect(report.toRecover.map((record) => [record.outcome, record.uniqueId])).toEqual([['missing', lostRecord.uniqueId]]);
    expect(report.conflicts.map((conflict) => [conflict.uniqueId, conflict.expectedValue, conflict.deliveredValue])).toEqual([[changedRecord.uniqueId, changedRecord.meterValue, changedRecord.meterValue + 100]]);
    expect(report.unexpected.map((record) => [record.uniqueId, record.meterValue])).toEqual([['never-logged-0001', 42]]);
    expect(report.replay?.command).toMatch(/^npx meter-firehose replay s3:\/\/pipeline\/source-backup\/ --from-backup --since \S+ --until \S+ --log-group \S+ --stream-arn /);

    const metrics = metricsOf(run.lines.at(-1) as string);
    expect(metrics).toMatchObject({ ReconcileMissing: 1, ReconcileConflicting: 1, ReconcileUnexpected: 1, ReconcileRefused: 0, ReconcileWindowsProven: 1 });
    expect(findingsAlarmInput(metrics)).toBe(3);
    expect(await reportAt(BUCKETS.pipeline, REPORT_KEY)).toEqual(report);

    // The window's report has findings: the next scheduled run checks it again (within the look-back).
    const scheduled = await handle({ source: 'aws.events' }, { now: () => Date.parse('2026-11-25T10:30:00Z') });
    expect(scheduled.invoked).toEqual([Date.parse(WINDOW)]);
    // With the filters recent reports counted (a window whose backup shows none of them is still counted), and as a
    // re-check: deliveries named up to now are read, so a replay clears the findings.
    expect(scheduled.runs).toEqual([{ knownFilters: [SAMPLE_FILTER], recheck: true }]);
    // Three days later, with no report since (the function stopped): the windows missed are caught up, newest first,
    // 24 a run; the reported window, past the 24-hour re-check, is not read again.
    const caughtUp = await handle({ source: 'aws.events' }, { now: () => Date.parse('2026-11-28T10:30:00Z') });
    expect(caughtUp.invoked).toHaveLength(24);
    expect(caughtUp.invoked[0]).toBe(Date.parse('2026-11-28T09:00:00Z'));
    expect(Math.min(...caughtUp.invoked)).toBeGreaterThan(Date.parse(WINDOW));
    expect(scheduled.result).toEqual({ windows: [WINDOW] });
    // A window whose run cannot be started is counted not proven, so the alarm sees it.
    const refused = await handle({ source: 'aws.events' }, { now: () => Date.parse('2026-11-25T10:30:00Z'), invokeWindow: async () => Promise.reject(new Error('TooManyRequestsException')) });
    expect(refused.result).toEqual({ windows: [] });
    expect(metricsOf(refused.lines[0] as string)).toEqual({ ReconcileWindowsProven: 0, ReconcileWindowsNotProven: 1 });
  }, 60_000);

  it('reports a window whose delivered objects cannot be read "not proven", with no record counts (never zero missing)', async () => {
    const run = await handle({ window: WINDOW }, { amberfloStore: store('no-such-bucket') });
    const report = run.result as WindowReport;
    expect(report.status).toBe('not-proven');
    expect(report.reason).toMatch(/NoSuchBucket|does not exist/i);
    expect(report.total).toBeUndefined();
    const metrics = metricsOf(run.lines.at(-1) as string);
    expect(metrics).toEqual({ ReconcileWindowsProven: 0, ReconcileWindowsNotProven: 1 });
    expect((await reportAt(BUCKETS.pipeline, REPORT_KEY)).status).toBe('not-proven');
  }, 60_000);

  it('reports "not proven" when S3 never answers (every call bounded), and when the invocation has no time left', async () => {
    const started = Date.now();
    const silentRun = await handle({ window: WINDOW }, { amberfloStore: store(BUCKETS.amberflo, silent.endpoint, 300) });
    expect((silentRun.result as WindowReport).status).toBe('not-proven');
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(silent.connections()).toBeGreaterThan(0);

    const late = await handle({ window: WINDOW }, {}, REPORT_MARGIN_MS + 1);
    expect(late.result).toMatchObject({ status: 'not-proven', reason: expect.stringMatching(/ran out of time/) });
    expect(metricsOf(late.lines.at(-1) as string)).toEqual({ ReconcileWindowsProven: 0, ReconcileWindowsNotProven: 1 });
  }, 90_000);
});

describe('the reconciling function against S3 (s3rver), relay mode', () => {
  const RELAY = { ...CONFIG, delivery: 'relay' as const, pipelineBucket: BUCKETS.relayPipeline, amberfloBucket: BUCKETS.relayAmberflo, amberfloKeysSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf' };

  it('counts what the forwarder wrote to Amberflo\'s bucket, not what sits in the pipeline bucket, and errors from the pipeline bucket', async () => {
    const relayPipeline = store(BUCKETS.relayPipeline);
    const relayAmberflo = store(BUCKETS.relayAmberflo);
    const clean = await handle({ window: WINDOW }, { config: RELAY, pipelineStore: relayPipeline, amberfloStore: relayAmberflo });
    expect(clean.result).toMatchObject({ status: 'reconciled', total: { expected: 77, delivered: 70, quarantined: 7 } });

    // An ingest object the forwarder never copied: still in the pipeline bucket, missing in Amberflo's.
    const notForwarded: ObjectStore = {
      locate: (key) => relayAmberflo.locate(key),
      put: (key, body) => relayAmberflo.put(key, body),
      get: (key) => relayAmberflo.get(key),
      list: async (prefix) => (prefix.startsWith('ingest/') ? [] : relayAmberflo.list(prefix)),
    };
    const lost = await handle({ window: WINDOW }, { config: RELAY, pipelineStore: relayPipeline, amberfloStore: notForwarded });
    expect(lost.result).toMatchObject({ status: 'findings', findings: ['missing'], total: { expected: 77, delivered: 0, quarantined: 7, missing: 70 } });
  }, 60_000);
});

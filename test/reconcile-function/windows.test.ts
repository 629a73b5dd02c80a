import { describe, expect, it } from 'vitest';
import { RECONCILE_ENV, reconcileConfigFrom } from '../../reconcile-function/config.ts';
import { type WindowStatus, dueWindows, newestSettledWindow, reportDayPrefixes, reportKey, windowOfReportKey } from '../../reconcile-function/windows.ts';

const HOUR = 3_600_000;
// Any day works: times are built from this one, never from the clock.
const DAY = Date.parse('2031-03-09T00:00:00Z');
const OPTIONS = { windowMs: HOUR, settleMs: 25 * 60_000, lookBackMs: 24 * HOUR, catchUpMs: 24 * HOUR, maxWindows: 24 };

describe('the windows a scheduled run reconciles', () => {
  it('starts with the newest window closed and settled (ends at least the settle delay ago)', () => {
    expect(newestSettledWindow({ now: DAY + 10 * HOUR + 24 * 60_000, ...OPTIONS })).toBe(DAY + 8 * HOUR);
    expect(newestSettledWindow({ now: DAY + 10 * HOUR + 25 * 60_000, ...OPTIONS })).toBe(DAY + 9 * HOUR);
    // A new pipeline (no reports) starts there, not at history it never saw.
    expect(dueWindows(new Map(), { now: DAY + 10 * HOUR + 30 * 60_000, ...OPTIONS })).toEqual([DAY + 9 * HOUR]);
  });

  it('takes windows without a report and re-checks those not reconciled, back to the oldest report in the look-back', () => {
    const reports = new Map<number, WindowStatus>([
      [DAY + 3 * HOUR, 'reconciled'],
      [DAY + 4 * HOUR, 'findings'],
      [DAY + 5 * HOUR, 'reconciled'],
      [DAY + 6 * HOUR, 'not-proven'],
      [DAY + 8 * HOUR, 'reconciled'],
    ]);
    expect(dueWindows(reports, { now: DAY + 10 * HOUR + 30 * 60_000, ...OPTIONS })).toEqual([DAY + 9 * HOUR, DAY + 7 * HOUR, DAY + 6 * HOUR, DAY + 4 * HOUR]);
  });

  it('stops re-checking a window past the look-back, and starts at most maxWindows', () => {
    const now = DAY + 30 * HOUR + 30 * 60_000;
    // Newest settled: DAY + 29 h; the look-back reaches DAY + 6 h.
    expect(dueWindows(new Map([[DAY + 2 * HOUR, 'findings']]), { now, ...OPTIONS })).toEqual([DAY + 29 * HOUR]);
    const reports = new Map<number, WindowStatus>([[DAY + 10 * HOUR, 'reconciled']]);
    expect(dueWindows(reports, { now, ...OPTIONS })).toHaveLength(19);
    expect(dueWindows(reports, { now, ...OPTIONS, maxWindows: 3 })).toEqual([DAY + 29 * HOUR, DAY + 28 * HOUR, DAY + 27 * HOUR]);
  });

  it('catches up windows without a report back to the catch-up look-back (the function stopped), re-checking only the recent ones', () => {
    // Three days after the last report (window DAY + 2 h); a report older than the re-check look-back is only listed.
    const now = DAY + 3 * 24 * HOUR + 30 * 60_000;
    const reports = new Map<number, WindowStatus>([
      [DAY + 2 * HOUR, 'reported'],
      [DAY + 3 * HOUR, 'reported'],
      [DAY + 40 * HOUR, 'findings'],
      [DAY + 60 * HOUR, 'reconciled'],
    ]);
    const due = dueWindows(reports, { now, ...OPTIONS, catchUpMs: 7 * 24 * HOUR, maxWindows: 100 });
    // Newest settled: DAY + 71 h. Every window from DAY + 4 h on is due but DAY + 60 h (reconciled) and DAY + 40 h
    // (findings, but past the 24-hour re-check look-back, which starts at DAY + 48 h); DAY + 2 h and 3 h have reports.
    expect(due[0]).toBe(DAY + 71 * HOUR);
    expect(due.at(-1)).toBe(DAY + 4 * HOUR);
    expect(due).toHaveLength(68 - 2);
    expect(due).not.toContain(DAY + 60 * HOUR);
    expect(due).not.toContain(DAY + 40 * HOUR);
    // Within the re-check look-back, the same report makes its window due.
    expect(dueWindows(reports, { now: DAY + 50 * HOUR, ...OPTIONS, catchUpMs: 7 * 24 * HOUR })).toContain(DAY + 40 * HOUR);
    // The newest first, at most maxWindows a run: the rest at the next runs.
    expect(dueWindows(reports, { now, ...OPTIONS, catchUpMs: 7 * 24 * HOUR })).toEqual(due.slice(0, 24));
  });

  it('re-checks and catches up to the edge of each look-back, not a window further', () => {
    const now = DAY + 48 * HOUR + 30 * 60_000;
    // Newest settled: DAY + 47 h; the re-check look-back starts at DAY + 24 h, the 2-day catch-up at DAY.
    const edges = new Map<number, WindowStatus>([
      [DAY - HOUR, 'reported'],
      [DAY + 23 * HOUR, 'findings'],
      [DAY + 24 * HOUR, 'findings'],
      ...Array.from({ length: 22 }, (_, i) => [DAY + (25 + i) * HOUR, 'reconciled'] as [number, WindowStatus]),
      [DAY + 47 * HOUR, 'reconciled'],
    ]);
    // DAY + 24 h is the oldest re-checked; DAY + 23 h is past it. The report of DAY - 1 h is past the catch-up, so the
    // oldest report in it is DAY + 23 h's: the windows before it were never the pipeline's to catch up.
    expect(dueWindows(edges, { now, ...OPTIONS, catchUpMs: 48 * HOUR, maxWindows: 100 })).toEqual([DAY + 24 * HOUR]);
    // A report at the catch-up's oldest window: the windows after it without a report are caught up.
    const withOldest = new Map([...edges, [DAY, 'reported' as const]]);
    const due = dueWindows(withOldest, { now, ...OPTIONS, catchUpMs: 48 * HOUR, maxWindows: 100 });
    expect(due).toEqual([DAY + 24 * HOUR, ...Array.from({ length: 22 }, (_, i) => DAY + (22 - i) * HOUR)]);
  });

  it('a report of a window not yet settled does not hold back the newest settled one', () => {
    const now = DAY + 10 * HOUR + 30 * 60_000;
    expect(dueWindows(new Map([[DAY + 10 * HOUR, 'reconciled']]), { now, ...OPTIONS })).toEqual([DAY + 9 * HOUR]);
    // A report only listed counts as done, however recent.
    expect(dueWindows(new Map([[DAY + 9 * HOUR, 'reported']]), { now, ...OPTIONS })).toEqual([]);
  });

  it('names reports by day and window, and reads the window back from the key', () => {
    const key = reportKey('reconcile/', DAY + 5 * HOUR);
    expect(key).toBe('reconcile/2031-03-09/2031-03-09T05:00:00.000Z.json');
    expect(windowOfReportKey(key)).toBe(DAY + 5 * HOUR);
    expect(windowOfReportKey('reconcile/2031-03-09/notes.txt')).toBeUndefined();
    expect(windowOfReportKey(`${key}.bak`)).toBeUndefined();
    expect(reportDayPrefixes('reconcile/', DAY + 5 * HOUR, 24 * HOUR)).toEqual(['reconcile/2031-03-08/', 'reconcile/2031-03-09/']);
  });
});

describe('the function configuration', () => {
  const env = {
    [RECONCILE_ENV.pipelineName]: 'meters',
    [RECONCILE_ENV.metricsNamespace]: 'MeterFirehose',
    [RECONCILE_ENV.delivery]: 'relay',
    [RECONCILE_ENV.pipelineBucket]: 'pipeline',
    [RECONCILE_ENV.backupPrefix]: 'source-backup/',
    [RECONCILE_ENV.reportPrefix]: 'reconcile/',
    [RECONCILE_ENV.pipelineAccount]: '123456789012',
    [RECONCILE_ENV.amberfloBucket]: 'amberflo',
    [RECONCILE_ENV.amberfloRegion]: 'us-west-2',
    [RECONCILE_ENV.amberfloKeysSecretArn]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf',
    [RECONCILE_ENV.dataPrefix]: 'ingest/records/',
    [RECONCILE_ENV.errorPrefix]: 'errors/',
    [RECONCILE_ENV.windowSeconds]: '3600',
    [RECONCILE_ENV.settleSeconds]: '1740',
    [RECONCILE_ENV.objectSpanSeconds]: '480',
    [RECONCILE_ENV.forwardedCount]: 'on',
    [RECONCILE_ENV.transformEnvironment]: '{"UNKNOWN_FIELDS":"drop"}',
  };

  it('reads what the construct sets', () => {
    expect(reconcileConfigFrom(env)).toMatchObject({ pipelineAccount: '123456789012', delivery: 'relay', windowMs: HOUR, settleMs: 1_740_000, objectSpanMs: 480_000, transformEnvironment: { UNKNOWN_FIELDS: 'drop' } });
  });

  it('refuses what it cannot work with, naming the variable', () => {
    expect(() => reconcileConfigFrom({ ...env, [RECONCILE_ENV.amberfloKeysSecretArn]: '' })).toThrow(/AMBERFLO_KEYS_SECRET_ARN is required with relay delivery/);
    expect(() => reconcileConfigFrom({ ...env, [RECONCILE_ENV.windowSeconds]: '7000' })).toThrow(/WINDOW_SECONDS must divide a day/);
    expect(() => reconcileConfigFrom({ ...env, [RECONCILE_ENV.delivery]: 'carrier-pigeon' })).toThrow(/DELIVERY must be direct or relay/);
    expect(() => reconcileConfigFrom({ ...env, [RECONCILE_ENV.pipelineBucket]: undefined })).toThrow(/PIPELINE_BUCKET is not set/);
    expect(() => reconcileConfigFrom({ ...env, [RECONCILE_ENV.forwardedCount]: 'yes' })).toThrow('FORWARDED_COUNT must be on or off, got "yes"');
    expect(reconcileConfigFrom({ ...env, [RECONCILE_ENV.forwardedCount]: 'off' }).forwardedCount).toBe(false);
    expect(() => reconcileConfigFrom({ ...env, [RECONCILE_ENV.pipelineAccount]: '1234' })).toThrow('PIPELINE_ACCOUNT must be a 12-digit AWS account id, got "1234"');
  });
});

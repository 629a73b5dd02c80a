/**
 * What continuous reconcile costs: one invocation per window (plus the scheduled run that starts it), sized by the
 * records of the window at the throughput one invocation measured (bench/reconcile-function.ts); S3 GETs of the
 * window's backup and data objects, LIST pages of the days of the dated prefixes its reads reach, one report PUT; its CloudWatch metrics and alarms, and the reads of the independent count (one ListMetrics page and one
 * metric requested per subscription filter). Windows re-checked after findings are left out (rare, same cost each).
 */
import { CATCH_UP_LOOK_BACK_MS, RECHECK_LOOK_BACK_MS } from '../../../reconcile-function/config.ts';
import type { BackupCost } from './source-backup-cost.ts';
import { HOURS_PER_MONTH, type Prices, type Workload } from './cost-plan.ts';

/** Records one invocation reconciles per second, measured with bench/reconcile-function.ts (README, "Continuous reconcile"). */
export const RECONCILE_RECORDS_PER_SECOND = 25_000;
/**
 * Records one invocation reconciles within its 2048 MB: measured 811 MiB peak for 3.6 M records (about 180 bytes a
 * record over a 170 MiB base), so 7.2 M keep a quarter of the memory spare. Its 15 minutes allow far more.
 */
export const RECONCILE_MAX_RECORDS_PER_WINDOW = 7_200_000;
/** The window lengths `reconcileWindow` may take that are whole minutes dividing an hour, longest first. */
const WINDOW_CHOICES_SECONDS = [3600, 1800, 1200, 900, 600, 300] as const;
/** Listing, the reports' look-back, writing the report: the time of an invocation with no records. */
const RECONCILE_BASE_SECONDS = 2;
const RECONCILE_MEMORY_GB = 2;
/** Reconcile*: seven record counts, the unbacked log events and two window counts, with the Pipeline dimension. */
const RECONCILE_METRICS = 10;
/** Metrics in the findings alarm's expression (missing, conflicting, unexpected, unbacked, refused) and the not-proven alarm's one. */
const RECONCILE_ALARM_METRICS = 6;
/** Subscription filters priced: one (each more adds one metric requested per window). */
const FILTERS_PRICED = 1;
/** Report days a scheduled run lists: the catch-up look-back's, and today. */
const REPORT_DAYS_LISTED = CATCH_UP_LOOK_BACK_MS / 86_400_000 + 1;
/** Days of a dated prefix a window's reads reach: its own, and the next or the previous one near midnight. */
const DAYS_LISTED = 2;

export interface ReconcileSettings {
  readonly windowSeconds: number;
  /** How far around the window data objects are read: both buffer intervals and a transform timeout. */
  readonly objectSpanSeconds: number;
}

export interface ReconcileCost {
  readonly windowsPerMonth: number;
  readonly recordsPerWindow: number;
  readonly invocationSeconds: number;
  readonly monthly: { readonly lambda: number; readonly s3: number; readonly cloudWatch: number; readonly total: number };
}

type ReconcilePrices = Pick<Prices, 'lambdaRequestsPerMillion' | 'lambdaGBSecond' | 's3PutPer1000' | 's3GetPer1000' | 'cloudWatchMetricMonth' | 'cloudWatchAlarmMetricMonth' | 'cloudWatchReadsPer1000'>;

/** The longest window whose records one invocation reconciles; undefined above the shortest window's ceiling. */
export function reconcileWindowFor(eventsPerSecond: number): number | undefined {
  return WINDOW_CHOICES_SECONDS.find((seconds) => eventsPerSecond * seconds <= RECONCILE_MAX_RECORDS_PER_WINDOW);
}

export function planReconcile(workload: Pick<Workload, 'eventsPerSecond'>, backup: BackupCost, settings: ReconcileSettings, prices: ReconcilePrices): ReconcileCost {
  const windowsPerMonth = (HOURS_PER_MONTH * 3600) / settings.windowSeconds;
  const recordsPerWindow = workload.eventsPerSecond * settings.windowSeconds;
  const invocationSeconds = RECONCILE_BASE_SECONDS + recordsPerWindow / RECONCILE_RECORDS_PER_SECOND;
  // The backup's objects and the data objects are buffered alike (the destination's hints).
  const objectSeconds = (HOURS_PER_MONTH * 3600) / backup.objectsPerMonth;
  const objectsPerDay = 86_400 / objectSeconds;
  // The scheduled run reads back the reports of the re-check look-back.
  const reportsRead = RECHECK_LOOK_BACK_MS / 1000 / settings.windowSeconds;
  const getsPerWindow = settings.windowSeconds / objectSeconds + (settings.windowSeconds + 2 * settings.objectSpanSeconds) / objectSeconds + reportsRead;
  // Backup and data prefixes, a day's keys 1,000 a page, for the days a window's reads reach; the error prefix,
  // failed-requests/ and the reports' days a page each.
  const listsPerWindow = 2 * DAYS_LISTED * Math.ceil(objectsPerDay / 1000) + 2 + REPORT_DAYS_LISTED;
  const lambda =
    (2 * windowsPerMonth * prices.lambdaRequestsPerMillion) / 1e6 + windowsPerMonth * (invocationSeconds + RECONCILE_BASE_SECONDS) * RECONCILE_MEMORY_GB * prices.lambdaGBSecond;
  const s3 = (windowsPerMonth * (getsPerWindow * prices.s3GetPer1000 + (listsPerWindow + 1) * prices.s3PutPer1000)) / 1000;
  const cloudWatch =
    RECONCILE_METRICS * prices.cloudWatchMetricMonth + RECONCILE_ALARM_METRICS * prices.cloudWatchAlarmMetricMonth + (windowsPerMonth * (1 + FILTERS_PRICED) * prices.cloudWatchReadsPer1000) / 1000;
  return { windowsPerMonth, recordsPerWindow, invocationSeconds, monthly: { lambda, s3, cloudWatch, total: lambda + s3 + cloudWatch } };
}

/**
 * The reconciling function. A scheduled run (EventBridge) finds the windows due and invokes the function once per
 * window, asynchronously, so windows are reconciled in parallel; a window's run reconciles it within the time
 * the invocation has, then writes its report and its metrics. I/O is injected (aws.ts wires AWS).
 */
import type { Context } from 'aws-lambda';
import { staticPrefix } from '../tools/lib/delivery/object-layout.ts';
import type { ObjectStore } from '../tools/lib/delivery/object-store.ts';
import { FAILED_REQUESTS_PREFIX } from '../tools/lib/amberflo/failed-requests.ts';
import { type ReconcileReport, type ReconcileSources, type Transformer, reconcile } from '../tools/lib/reconcile/reconcile.ts';
import { DEFAULT_POLICY } from '../tools/lib/reconcile/verdict.ts';
import { DEFAULT_CONFIG, loadConfig } from '../transform/config.ts';
import { CATCH_UP_LOOK_BACK_MS, FORWARDING_LAG_MS, MAX_FAN_OUT, MAX_KNOWN_FILTERS, RECHECK_LOOK_BACK_MS, REPORT_MARGIN_MS, type ReconcileFunctionConfig } from './config.ts';
import { type ForwardedCheck, type ForwardedCountReader, type SubscriptionFilterId, checkForwarded, countRanges, filterIdOf, filterKey, filtersToCount, readRange } from './forwarded-check.ts';
import { type WindowReport, metricLine, notProvenReport, provenReport } from './report.ts';
import { type WindowStatus, dueWindows, newestSettledWindow, reportDayPrefixes, reportKey, windowOfReportKey } from './windows.ts';

/** Records of each kind listed in a report (the counts are always whole). */
const LIST_LIMIT = 1_000;

export interface ReconcileDependencies {
  readonly config: ReconcileFunctionConfig;
  /** The pipeline bucket: the source backup, the reports (and the error prefix with relay delivery). */
  readonly pipelineStore: ObjectStore;
  /** Amberflo's bucket, as the pipeline delivers to it: the data prefix, failed-requests/ (and the error prefix with direct delivery). */
  readonly amberfloStore: ObjectStore;
  readonly transformer: Transformer;
  /** CloudWatch Logs' ForwardedLogEvents: the independent count of what the backup must hold. */
  readonly forwardedCounts: ForwardedCountReader;
  /** Starts the reconcile of one window in an invocation of its own. */
  readonly invokeWindow: (start: number, run: WindowRun) => Promise<void>;
  readonly now: () => number;
  readonly log: (line: string) => void;
}

/** What the scheduled run tells a window's run. */
export interface WindowRun {
  /** Subscription filters counted in recent reports: their ForwardedLogEvents are read even if the window's backup shows none. */
  readonly knownFilters: readonly SubscriptionFilterId[];
  /**
   * The window's last report had findings: deliveries named up to now are read, so replays clear them. Otherwise
   * only those named up to the window's settle time (what a first check reads, however late it runs).
   */
  readonly recheck: boolean;
}

/** A window's run; anything else (the schedule's event) is a scheduled run. */
export interface WindowEvent extends Partial<WindowRun> {
  readonly window: string;
}

export type ReconcileHandler = (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<{ windows: string[] } | WindowReport>;

export function createReconcileHandler(dependencies: () => ReconcileDependencies): ReconcileHandler {
  return async (event, context) => {
    const deps = dependencies();
    const { window, knownFilters = [], recheck = false } = (event ?? {}) as Partial<WindowEvent>;
    if (typeof window === 'string') {
      const start = Date.parse(window);
      if (!Number.isFinite(start) || start % deps.config.windowMs !== 0) throw new Error(`not a window start: ${JSON.stringify(window)}`);
      if (!Array.isArray(knownFilters) || !knownFilters.every(isFilterId)) throw new Error('knownFilters must be a list of {filter, logGroup?} strings');
      if (typeof recheck !== 'boolean') throw new Error(`recheck must be true or false, got ${JSON.stringify(recheck)}`);
      return reconcileWindow(deps, start, context, { knownFilters, recheck });
    }
    return { windows: await scheduleWindows(deps) };
  };
}

/** Lists the reports of the catch-up look-back (reading the re-check look-back's), invokes one run per due window; returns the windows started. A window that cannot be started is counted not proven. */
export async function scheduleWindows(deps: ReconcileDependencies): Promise<string[]> {
  const { config } = deps;
  const now = deps.now();
  const newest = newestSettledWindow({ now, windowMs: config.windowMs, settleMs: config.settleMs });
  const reports = new Map<number, WindowStatus>();
  const known = new Map<string, SubscriptionFilterId>();
  const oldestRead = newest - RECHECK_LOOK_BACK_MS + config.windowMs;
  for (const prefix of reportDayPrefixes(config.reportPrefix, newest, CATCH_UP_LOOK_BACK_MS)) {
    for (const key of await deps.pipelineStore.list(prefix)) {
      const start = windowOfReportKey(key);
      if (start === undefined) continue;
      // Older reports only say their window was reconciled once: listed, not read.
      if (start < oldestRead) {
        reports.set(start, 'reported');
        continue;
      }
      const summary = await reportSummary(deps.pipelineStore, key);
      reports.set(start, summary.status);
      for (const filter of summary.filters) known.set(filterKey(filter), filter);
    }
  }
  const knownFilters = [...known.values()].slice(0, MAX_KNOWN_FILTERS);
  if (known.size > MAX_KNOWN_FILTERS) {
    deps.log(JSON.stringify({ level: 'WARN', message: `reconcile: ${known.size} subscription filters in recent reports; each window's run is given ${MAX_KNOWN_FILTERS} (the rest are counted when its backup shows them)`, Pipeline: config.pipelineName }));
  }
  const due = dueWindows(reports, { now, windowMs: config.windowMs, settleMs: config.settleMs, lookBackMs: RECHECK_LOOK_BACK_MS, catchUpMs: CATCH_UP_LOOK_BACK_MS, maxWindows: MAX_FAN_OUT });
  const started: number[] = [];
  for (const start of due) {
    try {
      await deps.invokeWindow(start, { knownFilters, recheck: reports.get(start) === 'findings' });
      started.push(start);
    } catch (error) {
      // Counted not proven now (the alarm sees it); without a report, the window is due again at the next run.
      const check = { pipeline: config.pipelineName, from: start, until: start + config.windowMs, checkedAt: now, backupLocation: deps.pipelineStore.locate(staticPrefix(config.backupPrefix)) };
      deps.log(metricLine(notProvenReport(check, `its reconcile could not be started: ${error instanceof Error ? error.message : String(error)}`), config.metricsNamespace, now));
    }
  }
  const windows = started.map((start) => new Date(start).toISOString());
  deps.log(JSON.stringify({ level: 'INFO', message: `reconcile: ${due.length} windows due, ${started.length} started`, Pipeline: config.pipelineName, windows }));
  return windows;
}

/** A report's status and the filters it counted. One that cannot be read or parsed counts as not proven: its window is checked again. */
async function reportSummary(store: ObjectStore, key: string): Promise<{ status: WindowStatus; filters: SubscriptionFilterId[] }> {
  try {
    const report = JSON.parse((await store.get(key)).toString('utf8')) as { status?: unknown; forwarded?: { filters?: unknown } };
    const status = report.status === 'reconciled' || report.status === 'findings' ? report.status : 'not-proven';
    const filters = Array.isArray(report.forwarded?.filters) ? (report.forwarded.filters as unknown[]).filter(isFilterId).map(filterIdOf) : [];
    return { status, filters };
  } catch {
    return { status: 'not-proven', filters: [] };
  }
}

function isFilterId(value: unknown): value is SubscriptionFilterId {
  const candidate = value as Partial<SubscriptionFilterId> | null;
  return typeof candidate === 'object' && candidate !== null && (candidate.logGroup === undefined || typeof candidate.logGroup === 'string') && typeof candidate.filter === 'string';
}

/** Reconciles one window; a window it cannot read, or cannot finish in time, is reported not proven. */
export async function reconcileWindow(
  deps: ReconcileDependencies,
  start: number,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  run: WindowRun = { knownFilters: [], recheck: false },
): Promise<WindowReport> {
  const { config } = deps;
  const checkedAt = deps.now();
  const budgetMs = context.getRemainingTimeInMillis() - REPORT_MARGIN_MS;
  const check = { pipeline: config.pipelineName, from: start, until: start + config.windowMs, checkedAt, backupLocation: deps.pipelineStore.locate(staticPrefix(config.backupPrefix)) };
  let report: WindowReport;
  if (budgetMs <= 0) {
    report = notProvenReport(check, 'the invocation had no time left to reconcile');
  } else {
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`ran out of time: not finished within ${Math.round(budgetMs / 1000)} s (raise the function's timeout or shorten reconcileWindow)`)), budgetMs);
    });
    try {
      const proof = await Promise.race([proveWindow(deps, start, checkedAt, run), outOfTime]);
      report = provenReport(check, proof.reconciled, proof.forwarded);
    } catch (error) {
      report = notProvenReport(check, error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
    }
  }
  try {
    await deps.pipelineStore.put(reportKey(config.reportPrefix, start), Buffer.from(`${JSON.stringify(report, null, 2)}\n`));
  } catch (error) {
    // Without its report the window is due again at the next run; the metrics below still say what was found.
    deps.log(JSON.stringify({ level: 'ERROR', message: `reconcile: writing the report of ${report.window.from} failed: ${error instanceof Error ? error.message : String(error)}`, Pipeline: config.pipelineName }));
  }
  deps.log(metricLine(report, config.metricsNamespace, checkedAt));
  return report;
}

/** The window reconciled, then the independent count of its backup. */
async function proveWindow(deps: ReconcileDependencies, start: number, checkedAt: number, run: WindowRun): Promise<{ reconciled: ReconcileReport; forwarded?: ForwardedCheck }> {
  const { config } = deps;
  // Deliveries are named by their records' arrival, so a first check's range does not grow with its lateness.
  const deliveredUntil = run.recheck ? checkedAt : Math.min(checkedAt, start + config.windowMs + config.settleMs);
  const reconciled = await reconcile(sourcesOf(deps), deps.transformer, optionsOf(config, start, deliveredUntil));
  if (!config.forwardedCount) return { reconciled };
  const backup = reconciled.arrivalBackup ?? { named: [], events: [] };
  const ranges = countRanges({ window: { from: start, until: start + config.windowMs }, named: backup.named, namedBefore: backup.namedBefore, objectSpanMs: config.objectSpanMs, lagMs: FORWARDING_LAG_MS });
  const input = { ranges, account: config.pipelineAccount, backup: backup.events, known: run.knownFilters };
  let counts;
  try {
    counts = await deps.forwardedCounts.read(filtersToCount(input), readRange(ranges));
  } catch (error) {
    throw new Error(`CloudWatch Logs' ForwardedLogEvents could not be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { reconciled, forwarded: checkForwarded(input, counts) };
}

function sourcesOf(deps: ReconcileDependencies): ReconcileSources {
  const { config } = deps;
  const at = (store: ObjectStore, template: string) => ({ store, prefix: staticPrefix(template), template, description: store.locate(staticPrefix(template)) });
  return {
    backup: at(deps.pipelineStore, config.backupPrefix),
    // Relay: what the forwarder wrote to Amberflo's bucket (the same keys as in the pipeline bucket), not its source.
    data: at(deps.amberfloStore, config.dataPrefix),
    errors: at(config.delivery === 'relay' ? deps.pipelineStore : deps.amberfloStore, config.errorPrefix),
    // Amberflo's reason objects are not named by arrival: listed whole.
    amberflo: { store: deps.amberfloStore, prefix: FAILED_REQUESTS_PREFIX, description: deps.amberfloStore.locate(FAILED_REQUESTS_PREFIX) },
  };
}

function optionsOf(config: ReconcileFunctionConfig, start: number, deliveredUntil: number) {
  const until = start + config.windowMs;
  return {
    window: {
      since: start,
      until,
      logGroups: [],
      // Data and error objects named up to the buffer intervals before the window, and up to now: re-ingest and replays deliver later.
      readFrom: start - config.objectSpanMs,
      readUntil: deliveredUntil + config.objectSpanMs,
      objectSpanMs: config.objectSpanMs,
      arrival: { from: start, until },
    },
    by: 'meter' as const,
    meters: [],
    policy: DEFAULT_POLICY,
    recordPrefix: recordPrefixOf(config.transformEnvironment),
    listLimit: LIST_LIMIT,
  };
}

function recordPrefixOf(environment: Readonly<Record<string, string>>): string {
  try {
    return loadConfig(environment).prefix;
  } catch {
    return DEFAULT_CONFIG.prefix;
  }
}

/**
 * The reconciling function. A scheduled run (EventBridge) finds the windows due and invokes the function once per
 * window, asynchronously, so windows are reconciled in parallel; a window's run reconciles it within the time
 * the invocation has, then writes its report and its metrics. I/O is injected (aws.ts wires AWS).
 */
import type { Context } from 'aws-lambda';
import type { ObjectStore } from '../tools/lib/delivery/object-store.ts';
import { FAILED_REQUESTS_PREFIX } from '../tools/lib/amberflo/failed-requests.ts';
import { type ReconcileSources, type Transformer, reconcile } from '../tools/lib/reconcile/reconcile.ts';
import { DEFAULT_POLICY } from '../tools/lib/reconcile/verdict.ts';
import { DEFAULT_CONFIG, loadConfig } from '../transform/config.ts';
import { MAX_FAN_OUT, RECHECK_LOOK_BACK_MS, REPORT_MARGIN_MS, type ReconcileFunctionConfig } from './config.ts';
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
  /** Starts the reconcile of one window in an invocation of its own. */
  readonly invokeWindow: (start: number) => Promise<void>;
  readonly now: () => number;
  readonly log: (line: string) => void;
}

/** A window's run; anything else (the schedule's event) is a scheduled run. */
export interface WindowEvent {
  readonly window: string;
}

export type ReconcileHandler = (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<{ windows: string[] } | WindowReport>;

export function createReconcileHandler(dependencies: () => ReconcileDependencies): ReconcileHandler {
  return async (event, context) => {
    const deps = dependencies();
    const window = (event as Partial<WindowEvent> | null)?.window;
    if (typeof window === 'string') {
      const start = Date.parse(window);
      if (!Number.isFinite(start) || start % deps.config.windowMs !== 0) throw new Error(`not a window start: ${JSON.stringify(window)}`);
      return reconcileWindow(deps, start, context);
    }
    return { windows: await scheduleWindows(deps) };
  };
}

/** Lists the reports of the look-back, invokes one run per due window; returns the windows started. A window that cannot be started is counted not proven. */
export async function scheduleWindows(deps: ReconcileDependencies): Promise<string[]> {
  const { config } = deps;
  const now = deps.now();
  const newest = newestSettledWindow({ now, windowMs: config.windowMs, settleMs: config.settleMs });
  const reports = new Map<number, WindowStatus>();
  for (const prefix of reportDayPrefixes(config.reportPrefix, newest, RECHECK_LOOK_BACK_MS)) {
    for (const key of await deps.pipelineStore.list(prefix)) {
      const start = windowOfReportKey(key);
      if (start !== undefined) reports.set(start, await reportStatus(deps.pipelineStore, key));
    }
  }
  const due = dueWindows(reports, { now, windowMs: config.windowMs, settleMs: config.settleMs, lookBackMs: RECHECK_LOOK_BACK_MS, maxWindows: MAX_FAN_OUT });
  const started: number[] = [];
  for (const start of due) {
    try {
      await deps.invokeWindow(start);
      started.push(start);
    } catch (error) {
      // Counted not proven now (the alarm sees it); without a report, the window is due again at the next run.
      const check = { pipeline: config.pipelineName, from: start, until: start + config.windowMs, checkedAt: now, backupLocation: deps.pipelineStore.locate(config.backupPrefix) };
      deps.log(metricLine(notProvenReport(check, `its reconcile could not be started: ${error instanceof Error ? error.message : String(error)}`), config.metricsNamespace, now));
    }
  }
  const windows = started.map((start) => new Date(start).toISOString());
  deps.log(JSON.stringify({ level: 'INFO', message: `reconcile: ${due.length} windows due, ${started.length} started`, Pipeline: config.pipelineName, windows }));
  return windows;
}

/** A report that cannot be read or parsed counts as not proven: its window is checked again. */
async function reportStatus(store: ObjectStore, key: string): Promise<WindowStatus> {
  try {
    const status = (JSON.parse((await store.get(key)).toString('utf8')) as { status?: unknown }).status;
    return status === 'reconciled' || status === 'findings' ? status : 'not-proven';
  } catch {
    return 'not-proven';
  }
}

/** Reconciles one window; a window it cannot read, or cannot finish in time, is reported not proven. */
export async function reconcileWindow(deps: ReconcileDependencies, start: number, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<WindowReport> {
  const { config } = deps;
  const checkedAt = deps.now();
  const budgetMs = context.getRemainingTimeInMillis() - REPORT_MARGIN_MS;
  const check = { pipeline: config.pipelineName, from: start, until: start + config.windowMs, checkedAt, backupLocation: deps.pipelineStore.locate(config.backupPrefix) };
  let report: WindowReport;
  if (budgetMs <= 0) {
    report = notProvenReport(check, 'the invocation had no time left to reconcile');
  } else {
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`ran out of time: not finished within ${Math.round(budgetMs / 1000)} s (raise the function's timeout or shorten reconcileWindow)`)), budgetMs);
    });
    try {
      const result = await Promise.race([reconcile(sourcesOf(deps), deps.transformer, optionsOf(config, start, checkedAt)), outOfTime]);
      report = provenReport(check, result);
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

function sourcesOf(deps: ReconcileDependencies): ReconcileSources {
  const { config } = deps;
  const at = (store: ObjectStore, prefix: string) => ({ store, prefix, description: store.locate(prefix) });
  return {
    backup: at(deps.pipelineStore, config.backupPrefix),
    // Relay: what the forwarder wrote to Amberflo's bucket (the same keys as in the pipeline bucket), not its source.
    data: at(deps.amberfloStore, config.dataPrefix),
    errors: at(config.delivery === 'relay' ? deps.pipelineStore : deps.amberfloStore, config.errorPrefix),
    amberflo: at(deps.amberfloStore, FAILED_REQUESTS_PREFIX),
  };
}

function optionsOf(config: ReconcileFunctionConfig, start: number, checkedAt: number) {
  const until = start + config.windowMs;
  return {
    window: {
      since: start,
      until,
      logGroups: [],
      // Data and error objects named up to the buffer intervals before the window, and up to now: re-ingest and replays deliver later.
      readFrom: start - config.objectSpanMs,
      readUntil: checkedAt + config.objectSpanMs,
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

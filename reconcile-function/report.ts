/**
 * What a window's check leaves behind: its JSON report (the records that need action and the command that
 * recovers them) and its metrics, as Embedded Metric Format log lines. A window not proven publishes no counts:
 * never "zero missing" for what could not be read.
 */
import type { ReconcileReport } from '../tools/lib/reconcile/reconcile.ts';
import type { Totals } from '../tools/lib/reconcile/verdict.ts';
import type { ForwardedCheck } from './forwarded-check.ts';
import { RECONCILE_RECORD_METRICS, RECONCILE_UNBACKED_METRIC } from './metric-names.ts';
import type { WindowStatus } from './windows.ts';

/** Each record metric with the field of the totals it reads (checked here, where Totals is known). */
const RECORD_METRICS: readonly (readonly [string, Exclude<keyof Totals, 'quarantinedByReason'>])[] = RECONCILE_RECORD_METRICS;

export interface WindowCheck {
  readonly pipeline: string;
  readonly from: number;
  readonly until: number;
  readonly checkedAt: number;
  /** Where the report's replay command reads the backup, e.g. `s3://bucket/source-backup/`. */
  readonly backupLocation: string;
}

export interface WindowReport {
  readonly pipeline: string;
  readonly window: { readonly from: string; readonly until: string };
  readonly checkedAt: string;
  readonly status: WindowStatus;
  /** Why the window is not proven. */
  readonly reason?: string;
  readonly findings: readonly string[];
  readonly total?: Totals;
  readonly events?: number;
  readonly read?: Pick<ReconcileReport, 'backupObjects' | 'dataObjects' | 'errorObjects'> & { readonly amberflo?: ReconcileReport['amberflo'] };
  readonly toRecover: ReconcileReport['toRecover'];
  readonly toRecoverNotListed: number;
  readonly unexpected: ReconcileReport['unexpectedRecords'];
  readonly conflicts: ReconcileReport['conflicts'];
  readonly replay?: { readonly since: string; readonly until: string; readonly logGroups: readonly string[]; readonly command: string };
  /** CloudWatch Logs' own count of the events it forwarded, against the backup's (finding `unbacked` when the backup holds fewer). */
  readonly forwarded?: ForwardedCheck;
}

/** The report of a window reconcile read through. Empty windows are proven: nothing arrived, nothing is owed. */
export function provenReport(check: WindowCheck, report: ReconcileReport, forwarded?: ForwardedCheck): WindowReport {
  const findings = [...report.verdict.findings.filter((finding) => finding !== 'empty'), ...((forwarded?.unbacked ?? 0) > 0 ? ['unbacked'] : [])];
  const span = report.recoverySpan;
  return {
    pipeline: check.pipeline,
    window: windowText(check),
    checkedAt: new Date(check.checkedAt).toISOString(),
    status: findings.length === 0 ? 'reconciled' : 'findings',
    findings,
    total: report.total,
    events: report.events,
    read: { backupObjects: report.backupObjects, dataObjects: report.dataObjects, errorObjects: report.errorObjects, ...(report.amberflo === undefined ? {} : { amberflo: report.amberflo }) },
    toRecover: report.toRecover,
    toRecoverNotListed: report.total.missing + report.total.refused - report.toRecover.length,
    unexpected: report.unexpectedRecords,
    conflicts: report.conflicts,
    ...(span === undefined
      ? {}
      : { replay: { since: iso(span.since), until: iso(span.until), logGroups: span.logGroups, command: replayCommand(check.backupLocation, span) } }),
    ...(forwarded === undefined ? {} : { forwarded }),
  };
}

export function notProvenReport(check: WindowCheck, reason: string): WindowReport {
  return {
    pipeline: check.pipeline,
    window: windowText(check),
    checkedAt: new Date(check.checkedAt).toISOString(),
    status: 'not-proven',
    reason,
    findings: [],
    toRecover: [],
    toRecoverNotListed: 0,
    unexpected: [],
    conflicts: [],
  };
}

/** The EMF line of a window's check, in `namespace` with the Pipeline dimension. */
export function metricLine(report: WindowReport, namespace: string, timestamp: number): string {
  const proven = report.status !== 'not-proven';
  const values: Record<string, number> = { ReconcileWindowsProven: proven ? 1 : 0, ReconcileWindowsNotProven: proven ? 0 : 1 };
  if (proven && report.total !== undefined) for (const [name, key] of RECORD_METRICS) values[name] = report.total[key];
  if (proven && report.forwarded !== undefined) values[RECONCILE_UNBACKED_METRIC] = report.forwarded.unbacked;
  return JSON.stringify({
    level: report.status === 'reconciled' ? 'INFO' : 'WARN',
    message: `reconcile window ${report.window.from}: ${report.status}${report.reason === undefined ? '' : ` (${report.reason})`}`,
    Pipeline: report.pipeline,
    window: report.window,
    status: report.status,
    findings: report.findings,
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [['Pipeline']], Metrics: Object.keys(values).map((Name) => ({ Name, Unit: 'Count' })) }],
    },
    ...values,
  });
}

function replayCommand(backupLocation: string, span: NonNullable<ReconcileReport['recoverySpan']>): string {
  return [
    'npx meter-firehose replay',
    shellWord(backupLocation),
    '--from-backup',
    `--since ${iso(span.since)}`,
    `--until ${iso(span.until)}`,
    ...span.logGroups.map((group) => `--log-group ${shellWord(group)}`),
    '--stream-arn arn:aws:kinesis:REGION:ACCOUNT:stream/NAME',
  ].join(' ');
}

function windowText(check: WindowCheck): WindowReport['window'] {
  return { from: iso(check.from), until: iso(check.until) };
}

function shellWord(text: string): string {
  return /^[\w./:@+-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

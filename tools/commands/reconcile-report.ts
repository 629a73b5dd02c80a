/** `reconcile`'s report for people: totals per outcome (records, then meterValue), the findings, and what recovers each. */
import { formatNumber, formatTable } from '../lib/cli/table.ts';
import type { ReconcileReport, ReconcileSources } from '../lib/reconcile/reconcile.ts';
import type { GroupBy, GroupTotals, Totals } from '../lib/reconcile/verdict.ts';

export interface ReportContext {
  readonly since: number;
  readonly until: number;
  readonly by: GroupBy;
  readonly sources: ReconcileSources;
  readonly replay: string | undefined;
  /** The key dates of the backup objects read (yyyy-MM-dd, both excluded). */
  readonly backupRange: { readonly after: string; readonly before: string };
}

const OUTCOMES = ['expected', 'delivered', 'quarantined', 'refused', 'missing', 'conflicting', 'unexpected'] as const;

export function formatReport(report: ReconcileReport, context: ReportContext): string {
  const { total } = report;
  const lines: string[] = [];
  lines.push(
    `Reconcile ${iso(context.since)} to ${iso(context.until)}: ${report.events} log events in ${report.backupObjects.read} source backup objects ` +
      `(${context.sources.backup.description}, dated after ${context.backupRange.after} and before ${context.backupRange.before}: CloudWatch Logs takes events up to 14 days late)`,
  );
  lines.push(
    `read ${report.dataObjects.read} data objects (${context.sources.data.description}), ${report.errorObjects.read} error objects (${context.sources.errors.description})` +
      (report.amberflo === undefined ? ', no Amberflo reason objects (none found; --amberflo LOCATION)' : `, ${report.amberflo.reasons} Amberflo reason objects (${context.sources.amberflo?.description})`),
    '',
  );
  const keyColumns = context.by === 'meter' ? ['meter'] : ['meter', context.by];
  const keyOf = (group: GroupTotals): string[] => (context.by === 'meter' ? [group.meterApiName] : [group.meterApiName, group.customerId ?? group.account ?? '-']);
  const totalKey = context.by === 'meter' ? ['total'] : ['total', ''];
  const counts = (group: Totals, key: string[]) => [...key, ...OUTCOMES.map((outcome) => group[outcome]), group.duplicated, group.outsideWindow];
  const values = (group: Totals, key: string[]) => [...key, ...OUTCOMES.map((outcome) => formatNumber(group[`${outcome}Value`]))];
  const right = (columns: number) => Array.from({ length: columns }, (_, i) => i + keyColumns.length);
  lines.push(
    'Records (expected = delivered + quarantined + refused + missing):',
    formatTable([...keyColumns, ...OUTCOMES, 'duplicated', 'outside window'], [...report.groups.map((group) => counts(group, keyOf(group))), counts(total, totalKey)], { rightAligned: right(OUTCOMES.length + 2) }),
    'meterValue (as logged; unexpected: as delivered):',
    formatTable([...keyColumns, ...OUTCOMES], [...report.groups.map((group) => values(group, keyOf(group))), values(total, totalKey)], { rightAligned: right(OUTCOMES.length) }),
  );
  const reasons = Object.entries(total.quarantinedByReason);
  if (reasons.length > 0) {
    lines.push(
      `Quarantined by reason (under the error prefix, not billed; replay after a fix${report.verdict.findings.includes('quarantined') ? '' : '; --fail-on-quarantine to fail on them'}):`,
      formatTable(['reason', 'records', 'meterValue'], reasons.map(([reason, { records, value }]) => [reason, records, formatNumber(value)]), { rightAligned: [1, 2] }),
    );
  }
  lines.push(notes(report).map((note) => `  ${note}`).join('\n'), '');
  lines.push(...findings(report, context));
  lines.push(verdictLine(report), '');
  return lines.join('\n');
}

function notes(report: ReconcileReport): string[] {
  const { homeAccount } = report;
  return [
    'duplicated: the same uniqueId delivered again with the same content (Amberflo discards it); not an error.',
    'outside window: delivered records of log events outside the window, found in the backup (read because objects span the buffer intervals); not errors.',
    ...(homeAccount.from === 'data' ? [`the pipeline's account is ${homeAccount.account}: the one account of the backup whose derived uniqueIds are delivered without an account prefix.`] : []),
    ...(report.repeatedEvents > 0 ? [`${report.repeatedEvents} log events were in the backup more than once (a log group matched by two subscription filters?): counted once.`] : []),
    ...(report.quarantinedOutsideWindow > 0 ? [`${report.quarantinedOutsideWindow} failed events under the error prefix are outside the window: not counted.`] : []),
    ...(report.unattributableErrorRecords > 0 ? [`${report.unattributableErrorRecords} error records name no log event (raw data neither gzip nor JSON): \`inspect\` shows them.`] : []),
  ];
}

/** Each record that needs action, by kind, and what recovers it. */
function findings(report: ReconcileReport, context: ReportContext): string[] {
  const { total } = report;
  const lines: string[] = [];
  if (report.conflicts.length > 0) {
    lines.push(
      `Conflicting records (${listed(report.conflicts.length, total.conflicting)}): the same uniqueId with other content than logged; Amberflo discards only identical copies, so it bills ` +
        'whichever it ingested first. Ask Amberflo to correct each, and find what wrote the object:',
      formatTable(
        ['uniqueId', 'logged', 'delivered', 'problem', 'object'],
        report.conflicts.map((conflict) => [conflict.uniqueId, formatNumber(conflict.expectedValue), conflict.deliveredValue === undefined ? '-' : formatNumber(conflict.deliveredValue), conflict.problem, conflict.object]),
        { rightAligned: [1, 2] },
      ),
      '',
    );
  }
  if (report.unexpectedRecords.length > 0) {
    lines.push(
      `Unexpected records (${listed(report.unexpectedRecords.length, total.unexpected)}): delivered, but no log event of the backup gives them (never logged, or their backup object is lost). ` +
        'Find what wrote the object; ask Amberflo to remove those not to be billed:',
      formatTable(
        ['uniqueId', 'meter', 'customer', 'value', 'object'],
        report.unexpectedRecords.map((record) => [record.uniqueId, record.meterApiName, record.customerId, formatNumber(record.meterValue), record.object]),
        { rightAligned: [3] },
      ),
      '',
    );
  }
  if (report.toRecover.length > 0) {
    lines.push(
      `Records to recover (${listed(report.toRecover.length, total.missing + total.refused)}; missing: never delivered; refused: Amberflo wrote a reason for their object, \`amberflo-failures\` shows it, fix that first):`,
      formatTable(
        ['outcome', 'uniqueId', 'meter', 'customer', 'value', 'today', 'log group', 'log stream', 'event id', 'index', 'time'],
        report.toRecover.map((record) => [record.outcome, record.uniqueId ?? '-', record.meterApiName, record.customerId, record.meterValue === undefined ? '-' : formatNumber(record.meterValue), record.verdict, record.logGroup, record.logStream, record.eventId, record.index, iso(record.timestamp)]),
        { rightAligned: [4, 9] },
      ),
    );
  }
  if (context.replay !== undefined) {
    lines.push('Recover them from the backup (every log event of that span is sent again with its id; Amberflo discards those it has):', `  ${context.replay}`, '', 'Then run this reconcile again.', '');
  }
  return lines;
}

function verdictLine(report: ReconcileReport): string {
  const { total, verdict } = report;
  if (verdict.findings.includes('empty')) {
    return 'NOT reconciled: the source backup holds no log event of this window, so nothing is proven (a wrong window or backup location?); --allow-empty if it may be empty';
  }
  if (verdict.reconciled) {
    if (report.events === 0) return 'reconciled: the source backup holds no log event of this window (--allow-empty)';
    const sums = report.groups.filter((group) => group.deliveredValue !== 0).map((group) => `${group.meterApiName}${group.customerId === undefined && group.account === undefined ? '' : `/${group.customerId ?? group.account}`} ${formatNumber(group.deliveredValue)}`);
    return `reconciled: ${formatNumber(total.expected)} records (${formatNumber(total.delivered)} delivered, ${formatNumber(total.quarantined)} quarantined); meterValue delivered: ${sums.join(', ') || 'none'}`;
  }
  const parts = verdict.findings.map((finding) => `${formatNumber(total[finding as Exclude<typeof finding, 'empty'>])} ${finding}`);
  return `NOT reconciled: ${parts.join(', ')} of ${formatNumber(total.expected)} expected records`;
}

function listed(shown: number, all: number): string {
  return shown === all ? String(all) : `${shown} of ${all} listed`;
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

/**
 * `reconcile`: prove for a time window that every meter record logged (the source backup, through the
 * transform's rules) was delivered, quarantined under the error prefix, or refused by Amberflo; list what is
 * missing with the log event it came from and the replay that recovers it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandSpec, type OptionValues, UsageError, booleanOption, formatHelp, listOption, numberOption, parseCommandArgs, stringOption, timeOption } from '../lib/cli/args.ts';
import { FAILED_REQUESTS_PREFIX } from '../lib/amberflo/failed-requests.ts';
import { createProgress } from '../lib/cli/progress.ts';
import { formatNumber, formatTable } from '../lib/cli/table.ts';
import { PrefixError, staticPrefix, validatePrefix } from '../lib/delivery/object-layout.ts';
import { DirectoryStore } from '../lib/delivery/object-store.ts';
import { TRANSFORM_BUNDLE } from '../lib/cli/paths.ts';
import { LocalTransform } from '../lib/reconcile/local-transform.ts';
import { type ObjectLocation, type ReconcileReport, type ReconcileSources, reconcile } from '../lib/reconcile/reconcile.ts';
import type { GroupTotals } from '../lib/reconcile/ledger.ts';
import { DEFAULT_CONFIG, loadConfig } from '../../transform/config.ts';
import { PIPELINE_DEFAULTS } from '../../infra/defaults.ts';
import { type ErrorSource, LOCATION_OPTIONS, errorSourceFrom } from './error-source.ts';
import { EXIT, type CommandIO, printJson } from './io.ts';
import { PIPELINE_OPTIONS, regionOption, transformEnvironment } from './pipeline-options.ts';

export const RECONCILE_SPEC: CommandSpec = {
  name: 'reconcile',
  summary:
    'Reconcile a time window: every meter record logged (the source backup, run through the transform bundle) ' +
    "against what was delivered, quarantined under the error prefix, or refused by Amberflo (its failed-requests/); " +
    'totals per meter, the missing records with their log events, and the replay that recovers them.',
  usage: 'cli reconcile [options] --since TIME [--until TIME] [DIRECTORY | s3://BUCKET]',
  options: {
    since: { type: 'string', value: 'TIME', description: 'Log events at or after this time are expected (ISO-8601 or epoch ms); required' },
    until: { type: 'string', value: 'TIME', description: 'Log events before this time are expected', default: 'now' },
    'log-group': { type: 'string', multiple: true, value: 'NAME', description: 'Only log events of this log group' },
    meter: { type: 'string', multiple: true, value: 'NAME', description: 'Only records of this meterApiName' },
    by: { type: 'string', value: 'meter|customer', description: 'Totals per meter, or per meter and customer', default: 'meter' },
    backup: {
      type: 'string',
      value: 'LOCATION',
      description: 'The source-record backup: a directory or s3://PIPELINE-BUCKET[/PREFIX]',
      default: 'the backup prefix in LOCATION',
    },
    amberflo: {
      type: 'string',
      value: 'LOCATION',
      description: "Amberflo's reason objects: its bucket (s3://BUCKET) or a directory synced from its failed-requests/",
      default: 'failed-requests/ in LOCATION, when readable',
    },
    'data-prefix': PIPELINE_OPTIONS['data-prefix'] as NonNullable<(typeof PIPELINE_OPTIONS)['data-prefix']>,
    'error-prefix': PIPELINE_OPTIONS['error-prefix'] as NonNullable<(typeof PIPELINE_OPTIONS)['error-prefix']>,
    'backup-prefix': { type: 'string', value: 'PREFIX', description: 'Source-record backup prefix', default: PIPELINE_DEFAULTS.sourceBackupPrefix },
    'processor-interval': PIPELINE_OPTIONS['processor-interval'] as NonNullable<(typeof PIPELINE_OPTIONS)['processor-interval']>,
    'buffer-interval': PIPELINE_OPTIONS['buffer-interval'] as NonNullable<(typeof PIPELINE_OPTIONS)['buffer-interval']>,
    'delivered-until': {
      type: 'string',
      value: 'TIME',
      description: 'Read data and error objects written up to this time (replays deliver later than the window)',
      default: 'now',
    },
    bundle: PIPELINE_OPTIONS['bundle'] as NonNullable<(typeof PIPELINE_OPTIONS)['bundle']>,
    'transform-env': {
      type: 'string',
      multiple: true,
      value: 'KEY=VALUE',
      description: "The deployed transform's settings, e.g. UNKNOWN_FIELDS=drop (the meter-time limits are lifted: the backup keeps no arrival time)",
    },
    list: { type: 'string', value: 'N', description: 'Missing records listed with their log events (0-100000)', default: '100' },
    's3-endpoint': LOCATION_OPTIONS['s3-endpoint'],
    region: LOCATION_OPTIONS.region,
    timeout: LOCATION_OPTIONS.timeout,
    json: { type: 'boolean', description: 'Print the result as JSON' },
    progress: { type: 'boolean', description: 'Report progress on stderr even when it is not a terminal' },
  },
  examples: [
    'cli reconcile --since 2026-11-25T00:00:00Z --until 2026-11-26T00:00:00Z          # the local pipeline output (.local/bucket)',
    'cli reconcile s3://my-amberflo-bucket --backup s3://my-pipeline-bucket --since 2026-11-25T00:00:00Z --until 2026-11-26T00:00:00Z',
    'cli reconcile s3://my-amberflo-bucket --backup s3://my-pipeline-bucket --since 2026-11-25T00:00:00Z --until 2026-11-26T00:00:00Z --by customer --json',
  ],
};

export async function reconcileCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(RECONCILE_SPEC, argv);
  if (booleanOption(values, 'help')) {
    io.stdout(formatHelp(RECONCILE_SPEC));
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`reconcile takes one location, got ${positionals.length}`);
  const now = Date.now();
  const since = timeOption(values, 'since');
  if (since === undefined) throw new UsageError('reconcile needs a time window: --since TIME (and --until TIME, default now)');
  const until = timeOption(values, 'until') ?? now;
  if (since >= until) throw new UsageError('--since must be earlier than --until');
  const deliveredUntil = timeOption(values, 'delivered-until') ?? Math.max(now, until);
  if (deliveredUntil < until) throw new UsageError('--delivered-until must not be earlier than --until');
  const by = stringOption(values, 'by') ?? 'meter';
  if (by !== 'meter' && by !== 'customer') throw new UsageError(`--by must be meter or customer, got "${by}"`);
  const templates = {
    data: prefixTemplate(values, 'data-prefix', PIPELINE_DEFAULTS.dataOutputPrefix, 'data'),
    errors: prefixTemplate(values, 'error-prefix', PIPELINE_DEFAULTS.errorOutputPrefix, 'error'),
    backup: prefixTemplate(values, 'backup-prefix', PIPELINE_DEFAULTS.sourceBackupPrefix, 'data'),
  };
  // Firehose names an object by the arrival of its oldest record: a record of the window can be in an object
  // named up to both buffer intervals (and an invocation) earlier.
  const processorSeconds = numberOption(values, 'processor-interval', PIPELINE_DEFAULTS.processorBufferIntervalSeconds, { min: 0, max: 900, integer: true });
  const destinationSeconds = numberOption(values, 'buffer-interval', PIPELINE_DEFAULTS.destinationBufferIntervalSeconds, { min: 0, max: 900, integer: true });
  const widenMs = (processorSeconds + destinationSeconds + PIPELINE_DEFAULTS.transformTimeoutSeconds) * 1000;
  const listLimit = numberOption(values, 'list', 100, { min: 0, max: 100_000, integer: true });
  const bundle = stringOption(values, 'bundle') ?? TRANSFORM_BUNDLE;
  if (!existsSync(bundle)) throw new UsageError(`--bundle ${bundle} not found: build the transform first with \`npm run build\``);
  const environment = transformEnvironment(values, io);
  const region = regionOption(values);

  const root = errorSourceFrom(positionals[0], values, '', 'the data and error prefixes');
  const backupRoot = stringOption(values, 'backup') === undefined ? undefined : errorSourceFrom(stringOption(values, 'backup'), values, staticPrefix(templates.backup), 'the source-record backup');
  const backup: ObjectLocation = backupRoot ?? under(root, staticPrefix(templates.backup));
  const sources: ReconcileSources = {
    backup,
    data: under(root, staticPrefix(templates.data)),
    errors: under(root, staticPrefix(templates.errors)),
    ...(await amberfloLocation(values, root, io)),
  };
  if (backup.store instanceof DirectoryStore && (await backup.store.list(backup.prefix)).length === 0) {
    throw new UsageError(`no source-record backup at ${backup.description}: reconcile needs the backup of what was logged (--backup LOCATION)`);
  }

  const progress = createProgress({ forced: booleanOption(values, 'progress'), ...(io.progressStream ? { stream: io.progressStream } : {}) });
  const transform = await LocalTransform.start(
    { bundlePath: bundle, functionName: 'meter-firehose-transform', memoryMb: PIPELINE_DEFAULTS.transformMemorySizeMB, timeoutMs: PIPELINE_DEFAULTS.transformTimeoutSeconds * 1000, environment },
    region,
  );
  let report: ReconcileReport;
  try {
    report = await reconcile(sources, transform, {
      window: { since, until, logGroups: listOption(values, 'log-group'), readFrom: since - widenMs, readUntil: deliveredUntil + widenMs },
      byCustomer: by === 'customer',
      meters: listOption(values, 'meter'),
      recordPrefix: recordPrefixOf(environment),
      listLimit,
      onProgress: (message) => progress.update(message),
    });
  } finally {
    progress.done();
    await transform.close();
  }

  const replay = report.missingSpan === undefined ? undefined : replayCommand(report.missingSpan, backupArgument(positionals[0], backupRoot, backup, root), values, root);
  if (booleanOption(values, 'json')) {
    printJson(io, {
      window: { since: iso(since), until: iso(until), logGroups: listOption(values, 'log-group'), meters: listOption(values, 'meter') },
      read: {
        backup: { location: backup.description, ...report.backupObjects },
        data: { location: sources.data.description, ...report.dataObjects, from: iso(since - widenMs), until: iso(deliveredUntil + widenMs) },
        errors: { location: sources.errors.description, ...report.errorObjects },
        ...(sources.amberflo === undefined ? {} : { amberflo: { location: sources.amberflo.description, ...report.amberflo } }),
      },
      reconciled: report.reconciled,
      total: report.total,
      groups: report.groups,
      events: report.events,
      repeatedEvents: report.repeatedEvents,
      quarantinedOutsideWindow: report.quarantinedOutsideWindow,
      unattributableErrorRecords: report.unattributableErrorRecords,
      conflicts: report.conflicts,
      missing: report.missingRecords.map((record) => ({ ...record, time: iso(record.timestamp) })),
      missingNotListed: report.total.missing - report.missingRecords.length,
      ...(replay === undefined || report.missingSpan === undefined ? {} : { replay: { since: iso(report.missingSpan.since), until: iso(report.missingSpan.until), logGroups: report.missingSpan.logGroups, command: replay } }),
    });
  } else {
    io.stdout(formatReport(report, { since, until, by, sources, replay }));
  }
  return report.reconciled ? EXIT.ok : EXIT.failures;
}

function prefixTemplate(values: OptionValues, flag: string, fallback: string, kind: 'data' | 'error'): string {
  const template = stringOption(values, flag) ?? fallback;
  try {
    validatePrefix(template, kind);
  } catch (error) {
    if (error instanceof PrefixError) throw new UsageError(`--${flag}: ${error.message}`);
    throw error;
  }
  return template;
}

function under(root: ErrorSource, prefix: string): ObjectLocation {
  const key = `${root.prefix}${prefix}`;
  return { store: root.store, prefix: key, description: root.store.locate(key) };
}

/**
 * `--amberflo`, or Amberflo's failed-requests/ next to the data prefix (direct mode: the data prefix is in
 * Amberflo's bucket) when it is there and readable; a bucket that refuses the listing is said and skipped.
 */
async function amberfloLocation(values: OptionValues, root: ErrorSource, io: CommandIO): Promise<{ amberflo?: ObjectLocation }> {
  const given = stringOption(values, 'amberflo');
  if (given !== undefined) return { amberflo: errorSourceFrom(given, values, FAILED_REQUESTS_PREFIX, "Amberflo's reason objects") };
  const location = under(root, FAILED_REQUESTS_PREFIX);
  if (root.store instanceof DirectoryStore) return existsSync(join(root.store.root, location.prefix)) ? { amberflo: location } : {};
  try {
    await root.store.list(location.prefix);
    return { amberflo: location };
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (!/AccessDenied|Forbidden/i.test(name)) throw error;
    io.stderr(`reconcile: cannot list ${location.description} (${name}): records Amberflo refused count as delivered; give --amberflo LOCATION (a synced directory)\n`);
    return {};
  }
}

function recordPrefixOf(environment: Record<string, string>): string {
  try {
    return loadConfig(environment).prefix;
  } catch {
    return DEFAULT_CONFIG.prefix;
  }
}

/** What to pass `replay` as its location: the --backup given, or LOCATION (replay finds source-backup/ in it). */
function backupArgument(location: string | undefined, backupRoot: ErrorSource | undefined, backup: ObjectLocation, root: ErrorSource): string {
  if (backupRoot !== undefined) return backup.description;
  if (root.store instanceof DirectoryStore) return location ?? '.local/bucket';
  return backup.description;
}

function replayCommand(span: NonNullable<ReconcileReport['missingSpan']>, location: string, values: OptionValues, root: ErrorSource): string {
  const endpoint = stringOption(values, 's3-endpoint');
  const target = root.store instanceof DirectoryStore ? `--local --out ${location} --append` : '--stream-arn arn:aws:kinesis:REGION:ACCOUNT:stream/NAME';
  return [
    'npm run cli -- replay',
    shellWord(location),
    '--from-backup',
    `--since ${iso(span.since)}`,
    `--until ${iso(span.until)}`,
    ...span.logGroups.map((group) => `--log-group ${shellWord(group)}`),
    ...(endpoint === undefined ? [] : [`--s3-endpoint ${endpoint}`]),
    target,
  ].join(' ');
}

function shellWord(text: string): string {
  return /^[\w./:@+-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

function formatReport(
  report: ReconcileReport,
  context: { since: number; until: number; by: string; sources: ReconcileSources; replay: string | undefined },
): string {
  const { total } = report;
  const lines: string[] = [];
  lines.push(`Reconcile ${iso(context.since)} to ${iso(context.until)}: ${report.events} log events in ${report.backupObjects.read} source backup objects (${context.sources.backup.description})`);
  lines.push(`read ${report.dataObjects.read} data objects (${context.sources.data.description}), ${report.errorObjects.read} error objects (${context.sources.errors.description})` + (report.amberflo === undefined ? ", no Amberflo reason objects (none found; --amberflo LOCATION)" : `, ${report.amberflo.reasons} Amberflo reason objects (${context.sources.amberflo?.description})`), '');
  const keyColumns = context.by === 'customer' ? ['meter', 'customer'] : ['meter'];
  const row = (group: Omit<GroupTotals, 'meterApiName'> & { meterApiName?: string }, key: string[]) => [
    ...key,
    group.expected,
    group.delivered,
    group.quarantined,
    group.refused,
    group.missing,
    group.duplicated,
    group.conflicting,
    formatNumber(group.expectedValue),
    formatNumber(group.deliveredValue),
    group.outsideWindow,
  ];
  const rows = report.groups.map((group) => row(group, context.by === 'customer' ? [group.meterApiName, group.customerId ?? '-'] : [group.meterApiName]));
  rows.push(row(total, context.by === 'customer' ? ['total', ''] : ['total']));
  lines.push(
    formatTable(
      [...keyColumns, 'expected', 'delivered', 'quarantined', 'refused', 'missing', 'duplicated', 'conflicting', 'value expected', 'value delivered', 'outside window'],
      rows,
      { rightAligned: Array.from({ length: 10 }, (_, i) => i + keyColumns.length) },
    ),
  );
  const reasons = Object.entries(total.quarantinedByReason);
  if (reasons.length > 0) lines.push('Quarantined by reason (under the error prefix; replay after a fix):', formatTable(['reason', 'records'], reasons));
  const notes = [
    'duplicated: the same uniqueId delivered again with the same content (Amberflo discards it); not an error.',
    'outside window: delivered records of log events outside the window (read because objects span the buffer intervals); not errors.',
    ...(total.refused > 0 ? ["refused: in a data object Amberflo wrote a reason for (failed-requests/; its text is not parsed, so every record of the object counts): `amberflo-failures` shows why."] : []),
    ...(report.repeatedEvents > 0 ? [`${report.repeatedEvents} log events were in the backup more than once (a log group matched by two subscription filters?): counted once.`] : []),
    ...(report.quarantinedOutsideWindow > 0 ? [`${report.quarantinedOutsideWindow} failed events under the error prefix are outside the window: not counted.`] : []),
    ...(report.unattributableErrorRecords > 0 ? [`${report.unattributableErrorRecords} error records name no log event (raw data neither gzip nor JSON): \`inspect\` shows them.`] : []),
  ];
  lines.push(notes.map((note) => `  ${note}`).join('\n'), '');
  if (report.conflicts.length > 0) {
    lines.push(`Conflicting records (${total.conflicting}; the same uniqueId with other content: Amberflo keeps both or the wrong one):`);
    lines.push(formatTable(['uniqueId', 'problem', 'object'], report.conflicts.map((conflict) => [conflict.uniqueId, conflict.problem, conflict.object])));
  }
  if (report.reconciled) {
    const sums = report.groups.filter((group) => group.expectedValue !== 0 || group.deliveredValue !== 0).map((group) => `${group.meterApiName}${group.customerId === undefined ? '' : `/${group.customerId}`} ${formatNumber(group.deliveredValue)}`);
    lines.push(`reconciled: ${formatNumber(total.expected)} records (${formatNumber(total.delivered)} delivered, ${formatNumber(total.quarantined)} quarantined, ${formatNumber(total.refused)} refused); meterValue delivered: ${sums.join(', ') || 'none'}`, '');
    return lines.join('\n');
  }
  lines.push(`NOT reconciled: ${formatNumber(total.missing)} missing, ${formatNumber(total.conflicting)} conflicting of ${formatNumber(total.expected)} expected records`, '');
  if (report.missingRecords.length > 0) {
    lines.push(`Missing records (${report.missingRecords.length} of ${total.missing} listed):`);
    lines.push(
      formatTable(
        ['uniqueId', 'meter', 'customer', 'value', 'today', 'log group', 'log stream', 'event id', 'index', 'time'],
        report.missingRecords.map((record) => [record.uniqueId ?? '-', record.meterApiName, record.customerId, record.meterValue === undefined ? '-' : formatNumber(record.meterValue), record.verdict, record.logGroup, record.logStream, record.eventId, record.index, iso(record.timestamp)]),
        { rightAligned: [3, 8] },
      ),
    );
  }
  if (context.replay !== undefined) {
    lines.push('Recover them from the backup (every log event of that span is sent again with its id; Amberflo discards those it has):', `  ${context.replay}`, '');
    lines.push('Then run this reconcile again.', '');
  }
  return lines.join('\n');
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

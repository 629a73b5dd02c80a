/**
 * `reconcile`: the verdict on a time window: every meter record logged (the source backup, through the transform's
 * rules) delivered as logged, quarantined under the error prefix, refused by Amberflo or missing, and every delivered
 * record explained by the backup; each record that needs action listed with what recovers it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandSpec, type OptionValues, UsageError, booleanOption, formatHelp, listOption, numberOption, parseCommandArgs, stringOption, timeOption } from '../lib/cli/args.ts';
import { FAILED_REQUESTS_PREFIX } from '../lib/amberflo/failed-requests.ts';
import { createProgress } from '../lib/cli/progress.ts';
import { PrefixError, staticPrefix, validatePrefix } from '../lib/delivery/object-layout.ts';
import { DirectoryStore } from '../lib/delivery/object-store.ts';
import { PROGRAM, TRANSFORM_BUNDLE } from '../lib/cli/paths.ts';
import { now as clockNow } from '../lib/cli/clock.ts';
import { LocalTransform } from '../lib/reconcile/local-transform.ts';
import { type ObjectLocation, type ReconcileReport, type ReconcileSources, reconcile } from '../lib/reconcile/reconcile.ts';
import { DEFAULT_CONFIG, ENV, loadConfig } from '../../transform/config.ts';
import { PIPELINE_DEFAULTS } from '../../infra/defaults.ts';
import { LATE_ARRIVAL_DAYS } from '../lib/replay/source-backup.ts';
import { type ErrorSource, LOCATION_OPTIONS, errorSourceFrom } from './error-source.ts';
import { EXIT, type CommandIO, printJson } from './io.ts';
import { formatReport } from './reconcile-report.ts';
import { PIPELINE_OPTIONS, regionOption, transformEnvironment } from './pipeline-options.ts';

export const RECONCILE_SPEC: CommandSpec = {
  name: 'reconcile',
  summary:
    'The verdict on a time window: every meter record logged (the source backup, run through the transform bundle) ' +
    "delivered as logged, quarantined under the error prefix, refused by Amberflo (its failed-requests/) or missing, " +
    'and every delivered record one that was logged; records and meterValue per outcome, each record that needs ' +
    'action, and the replay that recovers the missing. Exit 0 only when nothing is missing, conflicting, unexpected or refused.',
  usage: 'meter-firehose reconcile [options] --since TIME [--until TIME] [DIRECTORY | s3://BUCKET]',
  options: {
    since: { type: 'string', value: 'TIME', description: 'Log events at or after this time are expected (ISO-8601 or epoch ms); required' },
    until: { type: 'string', value: 'TIME', description: 'Log events before this time are expected', default: 'now' },
    'log-group': { type: 'string', multiple: true, value: 'NAME', description: 'Only log events of this log group' },
    meter: { type: 'string', multiple: true, value: 'NAME', description: 'Only records of this meterApiName' },
    by: { type: 'string', value: 'meter|customer|account', description: 'Totals per meter, per meter and customer, or per meter and account', default: 'meter' },
    'home-account': {
      type: 'string',
      value: 'ACCOUNT',
      description: "The pipeline's own account (the transform's HOME_ACCOUNT_ID), for accounts sharing event ids",
      default: 'found in the delivered uniqueIds',
    },
    'fail-on-quarantine': { type: 'boolean', description: 'Quarantined records (under the error prefix, not billed) fail the verdict too' },
    'allow-empty': { type: 'boolean', description: 'A window without any log event in the source backup is reconciled (by default it fails: it proves nothing)' },
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
    list: { type: 'string', value: 'N', description: 'Records listed per kind: to recover (with their log events), unexpected, conflicting (0-100000)', default: '100' },
    's3-endpoint': LOCATION_OPTIONS['s3-endpoint'],
    region: LOCATION_OPTIONS.region,
    timeout: LOCATION_OPTIONS.timeout,
    json: { type: 'boolean', description: 'Print the result as JSON' },
    progress: { type: 'boolean', description: 'Report progress on stderr even when it is not a terminal' },
  },
  examples: [
    'meter-firehose reconcile --since 2026-11-25T00:00:00Z --until 2026-11-26T00:00:00Z          # the local pipeline output (.local/bucket)',
    'meter-firehose reconcile s3://my-amberflo-bucket --backup s3://my-pipeline-bucket --since 2026-11-25T00:00:00Z --until 2026-11-26T00:00:00Z',
    'meter-firehose reconcile s3://my-amberflo-bucket --backup s3://my-pipeline-bucket --since 2026-11-25T00:00:00Z --until 2026-11-26T00:00:00Z --by customer --json',
  ],
};

export async function reconcileCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(RECONCILE_SPEC, argv);
  if (booleanOption(values, 'help')) {
    io.stdout(formatHelp(RECONCILE_SPEC));
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`reconcile takes one location, got ${positionals.length}`);
  const now = clockNow();
  const since = timeOption(values, 'since');
  if (since === undefined) throw new UsageError('reconcile needs a time window: --since TIME (and --until TIME, default now)');
  const until = timeOption(values, 'until') ?? now;
  if (since >= until) throw new UsageError('--since must be earlier than --until');
  const deliveredUntil = timeOption(values, 'delivered-until') ?? Math.max(now, until);
  if (deliveredUntil < until) throw new UsageError('--delivered-until must not be earlier than --until');
  const by = stringOption(values, 'by') ?? 'meter';
  if (by !== 'meter' && by !== 'customer' && by !== 'account') throw new UsageError(`--by must be meter, customer or account, got "${by}"`);
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
  // The transform runs without HOME_ACCOUNT_ID, so derived uniqueIds come out plain; the ledger qualifies them by account.
  const { [ENV.homeAccountId]: homeFromEnvironment, ...environment } = transformEnvironment(values, io);
  const homeAccount = homeAccountOf(stringOption(values, 'home-account'), homeFromEnvironment);
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
      window: { since, until, logGroups: listOption(values, 'log-group'), readFrom: since - widenMs, readUntil: deliveredUntil + widenMs, objectSpanMs: widenMs },
      by,
      meters: listOption(values, 'meter'),
      homeAccount,
      policy: { quarantineFails: booleanOption(values, 'fail-on-quarantine'), allowEmpty: booleanOption(values, 'allow-empty') },
      recordPrefix: recordPrefixOf(environment),
      listLimit,
      onProgress: (message) => progress.update(message),
    });
  } finally {
    progress.done();
    await transform.close();
  }

  const replay = report.recoverySpan === undefined ? undefined : replayCommand(report.recoverySpan, backupArgument(positionals[0], backupRoot, backup, root), values, root);
  const backupRange = { after: iso(report.backupObjects.after).slice(0, 10), before: iso(report.backupObjects.before).slice(0, 10) };
  // Events of the window may still reach the backup until then: reconcile again after it.
  const lateArrivalUntil = until + LATE_ARRIVAL_DAYS * 86_400_000;
  if (booleanOption(values, 'json')) {
    printJson(io, {
      window: { since: iso(since), until: iso(until), logGroups: listOption(values, 'log-group'), meters: listOption(values, 'meter') },
      read: {
        backup: { location: backup.description, listed: report.backupObjects.listed, read: report.backupObjects.read, datesAfter: backupRange.after, datesBefore: backupRange.before },
        data: { location: sources.data.description, ...report.dataObjects, from: iso(since - widenMs), until: iso(deliveredUntil + widenMs) },
        errors: { location: sources.errors.description, ...report.errorObjects },
        ...(sources.amberflo === undefined ? {} : { amberflo: { location: sources.amberflo.description, ...report.amberflo } }),
      },
      ...(lateArrivalUntil > now ? { lateEventsPossibleUntil: iso(lateArrivalUntil) } : {}),
      reconciled: report.verdict.reconciled,
      findings: report.verdict.findings,
      homeAccount: report.homeAccount,
      total: report.total,
      groups: report.groups,
      events: report.events,
      repeatedEvents: report.repeatedEvents,
      quarantinedOutsideWindow: report.quarantinedOutsideWindow,
      unattributableErrorRecords: report.unattributableErrorRecords,
      conflicts: report.conflicts,
      unexpected: report.unexpectedRecords,
      toRecover: report.toRecover.map((record) => ({ ...record, time: iso(record.timestamp) })),
      toRecoverNotListed: report.total.missing + report.total.refused - report.toRecover.length,
      ...(replay === undefined || report.recoverySpan === undefined ? {} : { replay: { since: iso(report.recoverySpan.since), until: iso(report.recoverySpan.until), logGroups: report.recoverySpan.logGroups, command: replay } }),
    });
  } else {
    io.stdout(formatReport(report, { since, until, by, sources, replay, backupRange }));
  }
  return report.verdict.reconciled ? EXIT.ok : EXIT.failures;
}

/** `--home-account`, or HOME_ACCOUNT_ID given with --transform-env (the same fact: given twice, they must agree). */
function homeAccountOf(option: string | undefined, fromEnvironment: string | undefined): string | undefined {
  if (option !== undefined && !/^\d{12}$/.test(option)) throw new UsageError(`--home-account must be a 12-digit AWS account id, got "${option}"`);
  const environment = fromEnvironment === '' ? undefined : fromEnvironment;
  if (option !== undefined && environment !== undefined && option !== environment) {
    throw new UsageError(`--home-account ${option} and --transform-env ${ENV.homeAccountId}=${environment} disagree: give one`);
  }
  return option ?? environment;
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

function replayCommand(span: NonNullable<ReconcileReport['recoverySpan']>, location: string, values: OptionValues, root: ErrorSource): string {
  const endpoint = stringOption(values, 's3-endpoint');
  const target = root.store instanceof DirectoryStore ? `--local --out ${location} --append` : '--stream-arn arn:aws:kinesis:REGION:ACCOUNT:stream/NAME';
  return [
    `npx ${PROGRAM} replay`,
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

function iso(time: number): string {
  return new Date(time).toISOString();
}

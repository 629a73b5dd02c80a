/**
 * `replay`: re-drive failed events after a fix, into the pipeline's source: its Kinesis stream (PutRecords)
 * or, for a Direct PUT pipeline, the delivery stream itself (PutRecordBatch), retrying only the entries that
 * failed; or into the local pipeline. Replays are idempotent downstream: the same log
 * events yield the same uniqueIds.
 */
import { type CommandSpec, type OptionSpec, type OptionValues, UsageError, booleanOption, formatHelp, parseCommandArgs, stringOption } from '../lib/cli/args.ts';
import type { Progress } from '../lib/cli/progress.ts';
import type { ErrorRecordAt, FailureFilter } from '../lib/error-prefix/failures.ts';
import { ErrorObjectFormatError } from '../lib/delivery/object-layout.ts';
import { SOURCE_BACKUP_FOLDER, readBackupRecords } from '../lib/replay/source-backup.ts';
import type { RelaySettings } from '../lib/relay/local-relay.ts';
import { parseStreamArn } from '../../transform/reingest-targets.ts';
import { createKinesisClient, putRecordsReliably } from '../lib/aws/kinesis.ts';
import { createFirehoseClient, putRecordBatchReliably } from '../lib/aws/firehose.ts';
import { PutError, type PutOutcome } from '../lib/aws/put-reliably.ts';
import { runPipeline } from '../lib/local-pipeline/pipeline.ts';
import { createProgress } from '../lib/cli/progress.ts';
import { type ReplayPayload, type ReplayPlan, planReplay } from '../lib/replay/replay-plan.ts';
import { summarizeRun } from '../lib/local-pipeline/run-summary.ts';
import { formatBytes, formatTable, plural } from '../lib/cli/table.ts';
import { now } from '../lib/cli/clock.ts';
import { ERROR_SOURCE_OPTIONS, type ErrorSource, errorSourceFrom, failureFilterFrom, loadErrorRecords } from './error-source.ts';
import { EXIT, type CommandIO, printJson } from './io.ts';
import { PIPELINE_OPTIONS, pipelineOptionsFrom, regionOption, relaySettingsFrom, startCleanOutput, timeoutOption, urlOption } from './pipeline-options.ts';
import { DEFAULT_REPLAY_DIRECTORY, displayPath } from '../lib/cli/paths.ts';
import { DirectoryStore } from '../lib/delivery/object-store.ts';
import { formatRunSummary, relayDataObjects } from './run.ts';

// The run options, as they behave here: --region and --s3-endpoint belong to the error source, and the
// destination flags apply to --local only.
const { region: _region, 's3-endpoint': _s3Endpoint, ...RUN_OPTIONS } = PIPELINE_OPTIONS;
const LOCAL_PIPELINE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  ...RUN_OPTIONS,
  out: { type: 'string', value: 'DIR', description: 'With --local: directory laid out like the bucket', default: DEFAULT_REPLAY_DIRECTORY },
  append: { type: 'boolean', description: 'With --local: keep the objects of earlier runs in --out (by default they are removed first)' },
  bucket: { type: 'string', value: 'NAME', description: 'With --local --bucket-endpoint: bucket to write objects to', default: 'amberflo-ingest' },
  'stream-name': {
    type: 'string',
    value: 'NAME',
    description: 'Target Kinesis stream in --region, which must exist (with --local: the local stream, created if missing)',
  },
  'kinesis-endpoint': { type: 'string', value: 'URL', description: 'Kinesis API of the target stream (default: AWS; with --local: instead of an in-process emulator)' },
};

export const REPLAY_SPEC: CommandSpec = {
  name: 'replay',
  summary:
    'Replay failed events from the error prefix into the source Kinesis stream, the Firehose stream of a direct ' +
    'pipeline (--delivery-stream-arn), or the local pipeline (--local), ' +
    'optionally filtered by reason or time; --dry-run shows what would be sent.',
  usage: 'meter-firehose replay [options] [DIRECTORY | s3://BUCKET/PREFIX] (--stream-name NAME | --stream-arn ARN | --delivery-stream-arn ARN | --local)',
  options: {
    ...ERROR_SOURCE_OPTIONS,
    'stream-arn': { type: 'string', value: 'ARN', description: 'Target Kinesis stream (its Region is used)' },
    'from-backup': {
      type: 'boolean',
      description: 'LOCATION is the source-record backup (default prefix source-backup/): replay every event of --since/--until',
    },
    'delivery-stream-arn': { type: 'string', value: 'ARN', description: 'Target Firehose stream of a direct pipeline (its Region is used)' },
    'firehose-endpoint': { type: 'string', value: 'URL', description: 'Firehose API of --delivery-stream-arn (default: AWS)' },
    local: { type: 'boolean', description: 'Replay into the local pipeline (takes the run options below)' },
    'dry-run': { type: 'boolean', description: 'Show what would be sent, send nothing' },
    json: { type: 'boolean', description: 'Print the result as JSON' },
    progress: { type: 'boolean', description: 'Report progress on stderr even when it is not a terminal' },
    ...LOCAL_PIPELINE_OPTIONS,
    'bucket-endpoint': { type: 'string', value: 'URL', description: 'With --local: write objects to this S3-compatible endpoint' },
  },
  examples: [
    'meter-firehose replay ./errors --reason INVALID_METER_VALUE --dry-run',
    'meter-firehose replay s3://my-amberflo-bucket/errors/ --since 2026-11-25T00:00:00Z --stream-arn arn:aws:kinesis:us-east-1:123456789012:stream/meter-source',
    'meter-firehose replay s3://my-amberflo-bucket/errors/ --delivery-stream-arn arn:aws:firehose:us-east-1:123456789012:deliverystream/meter-firehose',
    'meter-firehose replay --local --transform-env UNKNOWN_FIELDS=drop --reason UNKNOWN_FIELD',
    'meter-firehose replay s3://my-pipeline-bucket/source-backup/ --from-backup --since 2026-11-25T02:00:00Z --until 2026-11-25T09:00:00Z --stream-name meter-source',
  ],
};

export async function replayCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(REPLAY_SPEC, argv);
  if (booleanOption(values, 'help')) {
    io.stdout(formatHelp(REPLAY_SPEC));
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`replay takes one location, got ${positionals.length}`);
  const local = booleanOption(values, 'local');
  const streamArn = stringOption(values, 'stream-arn');
  const streamName = stringOption(values, 'stream-name');
  const deliveryStreamArn = stringOption(values, 'delivery-stream-arn');
  const dryRun = booleanOption(values, 'dry-run');
  if (local && streamArn !== undefined) throw new UsageError('--local replays into the local pipeline; it cannot be combined with --stream-arn');
  if (streamArn !== undefined && streamName !== undefined) throw new UsageError('give the target stream once: --stream-name or --stream-arn, not both');
  checkLocalOnlyOptions(values, local);
  if (deliveryStreamArn !== undefined && (local || streamArn !== undefined || streamName !== undefined)) {
    throw new UsageError('--delivery-stream-arn is a target of its own; it cannot be combined with --local, --stream-arn or --stream-name');
  }
  const fromBackup = booleanOption(values, 'from-backup');
  const filter = failureFilterFrom(values);
  if (fromBackup && filter.since === undefined) throw new UsageError('--from-backup needs a time window: --since TIME (and --until TIME, default now)');
  if (fromBackup && (filter.reasons ?? []).length > 0) throw new UsageError('--from-backup replays by time and log group; --reason applies to the error prefix');
  const source = errorSourceFrom(positionals[0], values, fromBackup ? SOURCE_BACKUP_FOLDER : 'errors/');
  const relay = local ? relaySettingsFrom(localValues(values)) : undefined;
  const destination: { readonly local: LocalPipelineOptions } | { readonly remote: ReplayTarget } | undefined = local
    ? { local: localPipelineOptions(values, io, source) }
    : streamArn !== undefined || streamName !== undefined || deliveryStreamArn !== undefined
      ? { remote: replayTarget(values, streamArn, streamName, deliveryStreamArn) }
      : undefined;
  if (destination === undefined && !dryRun) {
    throw new UsageError('replay needs a target: --stream-name NAME, --stream-arn ARN, --delivery-stream-arn ARN or --local (or --dry-run)');
  }
  const progress = createProgress({ forced: booleanOption(values, 'progress'), ...(io.progressStream ? { stream: io.progressStream } : {}) });
  const records = fromBackup ? await loadBackupRecords(source, filter, progress) : await loadErrorRecords(source, progress);
  const plan = planReplay(records, filter);
  const origin: ReplayOrigin = fromBackup ? 'source backup' : 'error prefix';
  const json = booleanOption(values, 'json');

  if (dryRun || destination === undefined || plan.payloads.length === 0) {
    if (json) printJson(io, { dryRun, ...planJson(plan) });
    else io.stdout(formatPlan(plan, dryRun ? 'Would send' : 'Nothing to send', origin));
    return EXIT.ok;
  }
  if ('local' in destination) {
    await startCleanOutput(destination.local, values, io, 'replay');
    return replayLocally(plan, origin, destination.local, relay, io, json, progress);
  }

  const target = destination.remote;
  const entries = plan.payloads.map((payload) => ({ data: payload.data, partitionKey: payload.partitionKey }));
  const outcome = await sendToTarget(target, entries);
  const result = { ...planJson(plan), stream: target.name, recordsPut: plan.payloads.length, calls: outcome.calls, retriedEntries: outcome.retriedEntries };
  if (json) printJson(io, result);
  else {
    io.stdout(formatPlan(plan, `Sent to ${target.kind === 'kinesis' ? 'Kinesis' : 'Firehose'} stream ${target.name}`, origin));
    io.stdout(
      `${plural(plan.payloads.length, 'record')} put in ${plural(outcome.calls, target.kind === 'kinesis' ? 'PutRecords call' : 'PutRecordBatch call')} (${plural(outcome.retriedEntries, 'entry', 'entries')} retried).\n`,
    );
  }
  return EXIT.ok;
}

async function sendToTarget(target: ReplayTarget, entries: readonly { data: Uint8Array; partitionKey: string }[]): Promise<PutOutcome> {
  try {
    return await putIntoTarget(target, entries);
  } catch (error) {
    // The SDK's own text names neither the stream nor the Region it looked in.
    const code = error instanceof PutError ? error.lastError : (error as Error).name;
    if (code !== 'ResourceNotFoundException') throw error;
    const where = `${target.region}${target.endpoint === undefined ? '' : ` at ${target.endpoint}`}`;
    throw new Error(
      `${target.kind === 'kinesis' ? 'Kinesis' : 'Firehose delivery'} stream "${target.name}" not found in ${where}: ` +
        'check the name, the Region (--region, or the one in the ARN) and the account your credentials belong to',
    );
  }
}

async function putIntoTarget(target: ReplayTarget, entries: readonly { data: Uint8Array; partitionKey: string }[]): Promise<PutOutcome> {
  if (target.kind === 'kinesis') {
    const kinesis = createKinesisClient(target);
    try {
      return await putRecordsReliably(kinesis, target.name, entries);
    } finally {
      kinesis.destroy();
    }
  }
  const firehose = createFirehoseClient(target);
  try {
    return await putRecordBatchReliably(firehose, target.name, entries);
  } finally {
    firehose.destroy();
  }
}

type LocalPipelineOptions = ReturnType<typeof pipelineOptionsFrom>;

/** Flags that shape the local pipeline only; `--stream-name`, `--kinesis-endpoint` and `--timeout` also serve a Kinesis target. */
const LOCAL_ONLY_OPTIONS = [
  ...Object.keys(LOCAL_PIPELINE_OPTIONS).filter((name) => !['stream-name', 'kinesis-endpoint', 'timeout'].includes(name)),
  'bucket-endpoint',
];

/**
 * A local-pipeline flag without --local would be ignored: `--transform-env UNKNOWN_FIELDS=drop` would seem to
 * apply a fix to a replay into the deployed stream, whose transform keeps its own configuration.
 */
function checkLocalOnlyOptions(values: OptionValues, local: boolean): void {
  const given = LOCAL_ONLY_OPTIONS.find((name) => values[name] !== undefined);
  if (!local && given !== undefined) {
    throw new UsageError(`--${given} applies to --local only: a replay into a Kinesis stream goes through the deployed pipeline and its settings`);
  }
  if (local && values['bucket'] !== undefined && values['bucket-endpoint'] === undefined) {
    throw new UsageError('--bucket applies with --bucket-endpoint URL; without it, objects go to --out');
  }
}

/** The local pipeline's options; its directory must not be the one being replayed unless told to add to it. */
function localPipelineOptions(values: OptionValues, io: CommandIO, source: ErrorSource): LocalPipelineOptions {
  const options = pipelineOptionsFrom(localValues(values), io, DEFAULT_REPLAY_DIRECTORY);
  if (options.store instanceof DirectoryStore && source.store instanceof DirectoryStore && options.store.root === source.store.root && !booleanOption(values, 'append')) {
    throw new UsageError(`--out ${displayPath(options.store.root)} is the directory being replayed: add --append to deliver into it, or choose another --out`);
  }
  return options;
}

/** The local pipeline's flags: its bucket endpoint is --bucket-endpoint (--s3-endpoint is where the replay reads). */
function localValues(values: OptionValues): OptionValues {
  const bucketEndpoint = stringOption(values, 'bucket-endpoint');
  const { 's3-endpoint': _readEndpoint, ...rest } = values;
  return { ...rest, ...(bucketEndpoint === undefined ? {} : { 's3-endpoint': bucketEndpoint }) };
}

async function loadBackupRecords(source: ErrorSource, filter: FailureFilter, progress: Progress): Promise<ErrorRecordAt[]> {
  try {
    const window = { since: filter.since as number, ...(filter.until === undefined ? {} : { until: filter.until }) };
    return (await readBackupRecords(source.store, source.prefix, window, (done, total) => progress.update(`backup objects read ${done}/${total}`))).records;
  } catch (error) {
    if (error instanceof ErrorObjectFormatError) throw new UsageError(`${error.message}\n(is ${source.description} the source-record backup?)`);
    throw error;
  } finally {
    progress.done();
  }
}

async function replayLocally(
  plan: ReplayPlan,
  origin: ReplayOrigin,
  options: LocalPipelineOptions,
  relay: RelaySettings | undefined,
  io: CommandIO,
  json: boolean,
  progress: ReturnType<typeof createProgress>,
): Promise<number> {
  const arrival = now();
  const result = await runPipeline(
    plan.payloads.map((payload) => ({ data: payload.data, partitionKey: payload.partitionKey, arrival })),
    { ...options, onProgress: (report) => progress.update(`invocations ${report.invocations} · meter records delivered ${report.deliveredMeterRecords}`) },
  );
  progress.done();
  const relayed = await relayDataObjects(result, relay);
  const summary = summarizeRun(result, {
    input: {
      source: `replay of ${plan.chosenEvents} ${ORIGINS[origin].events}`,
      format: origin,
      eventsRead: plan.failedEvents,
      eventsMatched: plan.chosenEvents,
      filterPattern: '(replayed events are not filtered again)',
      pipelineSource: options.source,
      kinesisRecordsPut: plan.payloads.length,
    },
    processorHints: options.delivery.processorHints,
    destinationHints: options.delivery.destinationHints,
    locate: (key) => options.store.locate(key),
    ...(relayed === undefined ? {} : { relay: relayed }),
  });
  if (json) printJson(io, { ...planJson(plan), run: summary });
  else io.stdout(`${formatPlan(plan, 'Replayed into the local pipeline', origin)}\n${formatRunSummary(summary)}`);
  return summary.otherFailures.total > 0 || (summary.relay?.deadLettered.length ?? 0) > 0 ? EXIT.failures : EXIT.ok;
}

/** Where a replay goes: the pipeline's source, a Kinesis stream or a Direct PUT delivery stream. */
interface ReplayTarget {
  readonly kind: 'kinesis' | 'firehose';
  readonly name: string;
  readonly region: string;
  readonly timeoutMs: number;
  readonly endpoint?: string;
}

function replayTarget(
  values: Parameters<typeof regionOption>[0],
  streamArn: string | undefined,
  streamName: string | undefined,
  deliveryStreamArn: string | undefined,
): ReplayTarget {
  const endpointFlag = deliveryStreamArn === undefined ? 'kinesis-endpoint' : 'firehose-endpoint';
  const endpoint = stringOption(values, endpointFlag);
  const withEndpoint = { timeoutMs: timeoutOption(values), ...(endpoint === undefined ? {} : { endpoint: urlOption(endpointFlag, endpoint) }) };
  const fromArn = (flag: string, arn: string, service: 'kinesis' | 'firehose'): ReplayTarget => {
    try {
      return { kind: service, ...parseStreamArn(arn, service), ...withEndpoint };
    } catch (error) {
      throw new UsageError(`--${flag}: ${(error as Error).message}`);
    }
  };
  if (deliveryStreamArn !== undefined) return fromArn('delivery-stream-arn', deliveryStreamArn, 'firehose');
  if (streamArn !== undefined) return fromArn('stream-arn', streamArn, 'kinesis');
  return { kind: 'kinesis', name: streamName as string, region: regionOption(values), ...withEndpoint };
}

function planJson(plan: ReplayPlan): Record<string, unknown> {
  return {
    failedEvents: plan.failedEvents,
    replayedEvents: plan.chosenEvents,
    duplicateEvents: plan.duplicateEvents,
    unreplayableRecords: plan.unreplayable,
    payloads: plan.payloads.map((payload) => ({
      kind: payload.kind,
      logGroup: payload.source.logGroup,
      logStream: payload.source.logStream,
      events: payload.events.length,
      bytes: payload.data.length,
      reasons: payload.reasons,
      eventIds: payload.events.map((event) => event.id),
    })),
  };
}

type ReplayOrigin = 'error prefix' | 'source backup';

const ORIGINS: Record<ReplayOrigin, { readonly events: string }> = {
  'error prefix': { events: 'failed log events' },
  'source backup': { events: 'backed-up log events' },
};

function formatPlan(plan: ReplayPlan, heading: string, origin: ReplayOrigin): string {
  const rows = plan.payloads.map((payload: ReplayPayload) => [
    payload.kind,
    payload.source.logGroup,
    payload.source.logStream,
    payload.events.length,
    formatBytes(payload.data.length),
    Object.entries(payload.reasons).map(([reason, count]) => `${reason} ${count}`).join(', '),
  ]);
  const notes = [
    `${plan.chosenEvents} of ${plan.failedEvents} ${ORIGINS[origin].events} in ${plural(plan.payloads.length, 'payload')}`,
    plan.duplicateEvents > 0 ? `${plan.duplicateEvents} repeated events sent once` : '',
    plan.unreplayable > 0 ? `${plan.unreplayable} records without log events to replay` : '',
  ].filter(Boolean);
  return `${heading}: ${notes.join('; ')}\n\n${rows.length > 0 ? formatTable(['payload', 'log group', 'log stream', 'events', 'size', 'reasons'], rows, { rightAligned: [3, 4] }) : ''}`;
}

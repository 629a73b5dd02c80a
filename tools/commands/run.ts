/** `run`: push CloudWatch log events through the local model of the deployed pipeline and reconcile. */
import { readFile } from 'node:fs/promises';
import { type CommandSpec, type OptionValues, UsageError, booleanOption, formatHelp, parseCommandArgs, stringOption } from '../lib/cli/args.ts';
import { ENV } from '../../transform/config.ts';
import type { OwnerCounts } from '../../transform/metrics.ts';
import { controlPayload, gzipPayload } from '../lib/cloudwatch/payloads.ts';
import { FilterPatternError, compileFilterPattern } from '../lib/cloudwatch/filter-pattern.ts';
import { type PipelineOptions, type SourcePut, runPipeline } from '../lib/local-pipeline/pipeline.ts';
import { LogInputError, type LogInputOptions, type ParsedLogInput, decodeLogInput, parseLogInput } from '../lib/cloudwatch/log-input.ts';
import { SAMPLE_FILTER_LOG_EVENTS, displayPath } from '../lib/cli/paths.ts';
import { createProgress } from '../lib/cli/progress.ts';
import { type AccountCount, type RunSummary, summarizeRun } from '../lib/local-pipeline/run-summary.ts';
import { subscribe } from '../lib/cloudwatch/subscription.ts';
import { formatBytes, formatDuration, formatTable, plural } from '../lib/cli/table.ts';
import { now } from '../lib/cli/clock.ts';
import { EXIT, type CommandIO, printJson } from './io.ts';
import { PIPELINE_OPTIONS, pipelineOptionsFrom, relaySettingsFrom, startCleanOutput } from './pipeline-options.ts';
import { type RelaySettings, relayObjects } from '../lib/relay/local-relay.ts';
import type { PipelineResult } from '../lib/local-pipeline/pipeline.ts';

const DEFAULT_LOG_GROUP = '/aws/lambda/orders-handler';
const DEFAULT_LOG_STREAM = '2026/11/25/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const DEFAULT_FILTER_PATTERN = '"meter_record_for_stream"';
const DEFAULT_OWNER = '123456789012';

export const RUN_SPEC: CommandSpec = {
  name: 'run',
  summary:
    'Push CloudWatch log events through a local model of the deployed pipeline (subscription filter → Kinesis or ' +
    'Direct PUT → ' +
    'Firehose processor buffer → the bundled transform → destination buffer → objects) and print what landed.',
  usage: 'meter-firehose run [options] [FILE...]',
  options: {
    'log-group': { type: 'string', value: 'NAME', description: 'Log group of the events', default: DEFAULT_LOG_GROUP },
    'log-stream': { type: 'string', value: 'NAME', description: 'Log stream of plain lines', default: 'a Lambda-style stream' },
    owner: {
      type: 'string',
      multiple: true,
      value: 'ACCOUNT',
      description:
        'Account id in subscription payloads: once for every input, or once per input FILE in order (several accounts: ' +
        'the first is the pipeline\'s own, HOME_ACCOUNT_ID, the others senders)',
      default: '123456789012',
    },
    'filter-pattern': { type: 'string', value: 'PATTERN', description: 'Subscription filter pattern', default: DEFAULT_FILTER_PATTERN },
    'filter-name': { type: 'string', value: 'NAME', description: 'Subscription filter name', default: 'meter-records' },
    'no-control-message': { type: 'boolean', description: "Leave out CloudWatch's CONTROL_MESSAGE that opens a new subscription" },
    ...PIPELINE_OPTIONS,
    'fail-on-rejects': { type: 'boolean', description: 'Exit 1 when meter records are rejected, not only when records fail' },
    json: { type: 'boolean', description: 'Print the summary as JSON' },
    progress: { type: 'boolean', description: 'Report progress on stderr even when it is not a terminal' },
  },
  examples: [
    'meter-firehose run                                        # the bundled samples into ./.local/bucket (emptied first)',
    'meter-firehose run my-events.json --log-group /aws/lambda/api   # output of aws logs filter-log-events',
    'meter-firehose run app.log --buffer-interval 60 --compression UNCOMPRESSED',
    'meter-firehose run --s3-endpoint http://127.0.0.1:4568 --bucket amberflo-ingest',
    'meter-firehose run --source direct                        # subscription filters put straight into Firehose',
    'meter-firehose run home.json sender.json --owner 999999999999 --owner 111111111111   # two accounts, one pipeline',
    'meter-firehose run --delivery relay --s3-endpoint http://127.0.0.1:4568 --bucket meter-pipeline --amberflo-endpoint http://127.0.0.1:4569 --amberflo-keys keys.json',
  ],
};

export async function runCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(RUN_SPEC, argv);
  if (booleanOption(values, 'help')) {
    io.stdout(formatHelp(RUN_SPEC));
    return EXIT.ok;
  }
  const inputPaths = positionals.length === 0 ? [SAMPLE_FILTER_LOG_EVENTS] : positionals;
  const owners = ownersOf(values, inputPaths);
  const filterPattern = stringOption(values, 'filter-pattern') ?? DEFAULT_FILTER_PATTERN;
  const matches = compileOrThrow(filterPattern);
  const options = withHomeAccount(pipelineOptionsFrom(values, io), owners);
  const relay = relaySettingsFrom(values);
  const inputs: { path: string; owner: string; parsed: ParsedLogInput; matchedEvents: number }[] = [];
  const records: SourcePut[] = [];
  for (const [i, inputPath] of inputPaths.entries()) {
    const owner = owners[i] as string;
    const parsed = parseOrThrow(await readInput(inputPath), inputPath, {
      logGroup: stringOption(values, 'log-group') ?? DEFAULT_LOG_GROUP,
      logStream: stringOption(values, 'log-stream') ?? DEFAULT_LOG_STREAM,
      defaultTimestamp: now(),
    });
    const { deliveries, matchedEvents } = subscribe(parsed.events, {
      owner,
      filterName: stringOption(values, 'filter-name') ?? 'meter-records',
      matches,
    });
    inputs.push({ path: inputPath, owner, parsed, matchedEvents });
    for (const delivery of deliveries) {
      records.push({ data: gzipPayload(delivery.payload), partitionKey: delivery.partitionKey, arrival: delivery.deliveredAt });
    }
  }
  // The accounts' deliveries interleave as they reach the source.
  records.sort((a, b) => a.arrival - b.arrival);
  const eventsRead = inputs.reduce((sum, input) => sum + input.parsed.events.length, 0);
  const matchedEvents = inputs.reduce((sum, input) => sum + input.matchedEvents, 0);
  const firstArrival = records[0]?.arrival;
  if (firstArrival !== undefined && !booleanOption(values, 'no-control-message')) {
    records.unshift({ data: gzipPayload(controlPayload()), partitionKey: 'control', arrival: firstArrival });
  }
  const inputPath = inputPaths.join(', ');
  if (records.length === 0) {
    io.stderr(`run: none of the ${eventsRead} log events in ${inputPath} match the filter pattern ${filterPattern}\n`);
    return EXIT.failures;
  }

  await startCleanOutput(options, values, io, 'run');
  const progress = createProgress({ forced: booleanOption(values, 'progress'), ...(io.progressStream ? { stream: io.progressStream } : {}) });
  const ownerCounts = transformSummaryCounts();
  const { onLog } = options.lambda;
  const result = await runPipeline(records, {
    ...options,
    lambda: {
      ...options.lambda,
      onLog: (text) => {
        ownerCounts.read(text);
        onLog?.(text);
      },
    },
    onProgress: (report) =>
      progress.update(
        `invocations ${report.invocations} · records ${report.sourceRecords + report.reingestedRecords} · meter records delivered ${report.deliveredMeterRecords} · objects ${report.dataObjects.length + report.errorObjects.length}`,
      ),
  });
  progress.done();
  const relayed = await relayDataObjects(result, relay);

  const summary = summarizeRun(result, {
    input: {
      source: inputPaths.map((inputPath) => displayPath(inputPath)).join(', '),
      format: [...new Set(inputs.map((input) => input.parsed.format))].join(', '),
      eventsRead,
      eventsMatched: matchedEvents,
      filterPattern,
      pipelineSource: options.source,
      kinesisRecordsPut: records.length,
    },
    processorHints: options.delivery.processorHints,
    destinationHints: options.delivery.destinationHints,
    locate: (key) => options.store.locate(key),
    ...(relayed === undefined ? {} : { relay: relayed }),
    ...(new Set(owners).size > 1 ? { accounts: accountCounts(inputs, owners[0] as string, ownerCounts.byOwner) } : {}),
  });
  if (booleanOption(values, 'json')) printJson(io, summary);
  else io.stdout(formatRunSummary(summary));
  const failed =
    summary.otherFailures.total > 0 ||
    (summary.relay?.deadLettered.length ?? 0) > 0 ||
    (booleanOption(values, 'fail-on-rejects') && summary.rejected.total > 0);
  return failed ? EXIT.failures : EXIT.ok;
}

/** Relay mode: the data objects Firehose wrote into the pipeline bucket, forwarded to Amberflo's. */
export async function relayDataObjects(result: PipelineResult, relay: RelaySettings | undefined) {
  if (relay === undefined) return undefined;
  const report = await relayObjects(result.dataObjects.map((object) => object.key), relay);
  return { ...report, amberfloBucket: relay.amberfloBucket };
}

export function formatRunSummary(summary: RunSummary): string {
  const { input, records, lambda, latency } = summary;
  const failedRecords = Object.values(records.failed).reduce((sum, count) => sum + count, 0);
  const lines: string[] = [];
  lines.push(`Local pipeline run: ${input.source} (${input.format})`, '');
  lines.push(
    formatTable(
      ['step', 'count', 'notes'],
      [
        ['log events read', input.eventsRead, ''],
        ['matched filter pattern', input.eventsMatched, input.filterPattern],
        [input.pipelineSource === 'direct' ? 'Firehose records put' : 'Kinesis records put', input.kinesisRecordsPut, 'gzipped subscription payloads'],
        ['records re-ingested', records.reingested, 'put back by the transform'],
        ['Lambda invocations', lambda.invocations, `${lambda.failedInvocations} failed after retries; slowest ${lambda.maxMs} ms`],
        ['records Ok', records.ok, ''],
        ['records Dropped', records.dropped, 'control messages, split originals'],
        ['records failed', failedRecords, Object.entries(records.failed).map(([code, count]) => `${code} ${count}`).join(', ')],
        ['meter records delivered', summary.meterRecordsDelivered, `in ${plural(summary.objects.data.length, 'object')}`],
        ['meter records rejected', summary.rejected.total, `in ${plural(summary.objects.errors.length, 'error object')}`],
      ],
      { rightAligned: [1] },
    ),
  );
  if (summary.accounts !== undefined) {
    lines.push(
      'Meter records by account (from the transform\'s byOwner counts):',
      formatTable(
        ['account', 'role', 'events matched', 'delivered', 'rejected'],
        summary.accounts.map((a) => [a.account, a.home ? 'home (HOME_ACCOUNT_ID)' : 'sender', a.eventsMatched, a.meterRecordsDelivered, a.rejected]),
        { rightAligned: [2, 3, 4] },
      ),
    );
  }
  if (summary.rejected.byReason.length > 0) {
    lines.push('Rejected meter records by reason:', formatTable(['reason', 'count', 'example'], summary.rejected.byReason.map((r) => [r.reason, r.count, r.example])));
  }
  if (summary.otherFailures.byReason.length > 0) {
    lines.push(
      'Failed log events (whole records) by reason:',
      formatTable(['reason', 'events', 'example'], summary.otherFailures.byReason.map((r) => [r.reason, r.count, r.example])),
    );
  }
  const objects = [
    ...summary.objects.data.map((object) => ['data', object.location, object.records, formatBytes(object.bytes)] as const),
    ...summary.objects.errors.map((object) => ['error', object.location, object.records, formatBytes(object.bytes)] as const),
    ...summary.objects.backup.map((object) => ['backup', object.location, object.records, formatBytes(object.bytes)] as const),
  ];
  lines.push('Objects written:', formatTable(['kind', 'location', 'records', 'size'], objects, { rightAligned: [2, 3] }));
  if (summary.relay !== undefined) {
    const { relay } = summary;
    lines.push(
      `Relay: ${relay.forwarded} of ${relay.forwarded + relay.deadLettered.length} data objects forwarded to s3://${relay.amberfloBucket}/ ` +
        `(${relay.receives} SQS receives in ${relay.invocations} forwarder invocations).`,
      ...(relay.deadLettered.length === 0
        ? []
        : [
            `${relay.deadLettered.length} data objects reached the dead-letter queue (not in Amberflo's bucket; recover with replay --from-backup or a DLQ redrive):`,
            ...relay.deadLettered.map((location) => `  ${location}`),
          ]),
      '',
    );
  }
  lines.push(
    `Delivery latency (simulated clock, source record arrival → object): max ${formatDuration(latency.simulatedMaxSeconds)}, mean ${formatDuration(latency.simulatedMeanSeconds)}.`,
    `The buffer hints imply up to ${formatDuration(latency.impliedWorstCaseSeconds)} when traffic is too light to fill a buffer ` +
      `(processor interval + destination interval + slowest invocation); busier streams flush on size sooner.`,
    '',
  );
  return lines.join('\n');
}

async function readInput(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read input ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function compileOrThrow(pattern: string): (message: string) => boolean {
  try {
    return compileFilterPattern(pattern);
  } catch (error) {
    if (error instanceof FilterPatternError) throw new UsageError(`--filter-pattern: ${error.message}`);
    throw error;
  }
}

function parseOrThrow(bytes: Buffer, source: string, options: LogInputOptions): ParsedLogInput {
  try {
    return parseLogInput(decodeLogInput(bytes, source), options, source);
  } catch (error) {
    if (error instanceof LogInputError) throw new UsageError(error.message);
    throw error;
  }
}

/** The account of each input file: `--owner` once for all of them, or once per file. */
function ownersOf(values: OptionValues, inputPaths: readonly string[]): string[] {
  const given = (values.owner as string[] | undefined) ?? [];
  if (given.length <= 1) return inputPaths.map(() => given[0] ?? DEFAULT_OWNER);
  if (given.length !== inputPaths.length) {
    throw new UsageError(`run: --owner is given ${given.length} times for ${inputPaths.length} input files: give it once, or once per file`);
  }
  return [...given];
}

/**
 * With several accounts, the transform runs as the construct sets it up for sender accounts: HOME_ACCOUNT_ID is the
 * pipeline's own account, here the first input's (unless --transform-env sets it).
 */
function withHomeAccount(options: PipelineOptions, owners: readonly string[]): PipelineOptions {
  if (new Set(owners).size < 2 || options.lambda.environment[ENV.homeAccountId] !== undefined) return options;
  return { ...options, lambda: { ...options.lambda, environment: { ...options.lambda.environment, [ENV.homeAccountId]: owners[0] as string } } };
}

/** Sums the `byOwner` counts of the transform's summary lines (transform/metrics.ts) from its log output. */
function transformSummaryCounts() {
  const byOwner = new Map<string, OwnerCounts>();
  let pending = '';
  return {
    byOwner,
    read(text: string): void {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{') || !line.includes('"byOwner"')) continue;
        let summary: { byOwner?: Record<string, OwnerCounts> };
        try {
          summary = JSON.parse(line) as typeof summary;
        } catch {
          continue;
        }
        for (const [owner, counts] of Object.entries(summary.byOwner ?? {})) {
          const total = byOwner.get(owner) ?? { meterRecordsOut: 0, rejectedMeterRecords: 0 };
          byOwner.set(owner, {
            meterRecordsOut: total.meterRecordsOut + counts.meterRecordsOut,
            rejectedMeterRecords: total.rejectedMeterRecords + counts.rejectedMeterRecords,
          });
        }
      }
    },
  };
}

function accountCounts(
  inputs: readonly { readonly owner: string; readonly matchedEvents: number }[],
  home: string,
  byOwner: ReadonlyMap<string, OwnerCounts>,
): AccountCount[] {
  const accounts = [...new Set(inputs.map((input) => input.owner))];
  return accounts.map((account) => ({
    account,
    home: account === home,
    eventsMatched: inputs.filter((input) => input.owner === account).reduce((sum, input) => sum + input.matchedEvents, 0),
    meterRecordsDelivered: byOwner.get(account)?.meterRecordsOut ?? 0,
    rejected: byOwner.get(account)?.rejectedMeterRecords ?? 0,
  }));
}

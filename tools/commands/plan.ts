/** `plan`: compare Firehose buffer hints by S3 objects, invocations, latency and monthly cost. */
import {
  type CommandSpec,
  UsageError,
  booleanOption,
  formatHelp,
  keyValueOption,
  listOption,
  numberOption,
  parseCommandArgs,
  parseNumber,
  stringOption,
} from '../lib/cli/args.ts';
import { type BufferChoice, DEFAULT_PRICES, type HintsPlan, type Prices, type Workload, planHints } from '../lib/plan/cost-plan.ts';
import { PIPELINE_DEFAULTS } from '../../infra/defaults.ts';
import { type BackupCost, type BackupSettings, planSourceBackup } from '../lib/plan/source-backup-cost.ts';
import { DEFAULT_CONFIG } from '../../transform/config.ts';
import { formatBytes, formatDuration, formatNumber, formatTable } from '../lib/cli/table.ts';
import { EXIT, type CommandIO, printJson } from './io.ts';

/** The pipeline's defaults first, then choices that trade latency against objects and cost. */
export const DEFAULT_CHOICES: readonly BufferChoice[] = [
  {
    processorMB: PIPELINE_DEFAULTS.processorBufferSizeMBs,
    processorSeconds: PIPELINE_DEFAULTS.processorBufferIntervalSeconds,
    destinationMB: PIPELINE_DEFAULTS.destinationBufferSizeMBs,
    destinationSeconds: PIPELINE_DEFAULTS.destinationBufferIntervalSeconds,
  },
  { processorMB: 0.25, processorSeconds: 60, destinationMB: 5, destinationSeconds: 60 },
  { processorMB: 0.2, processorSeconds: 0, destinationMB: 1, destinationSeconds: 0 },
  { processorMB: 0.25, processorSeconds: 300, destinationMB: 64, destinationSeconds: 900 },
  { processorMB: 1, processorSeconds: 900, destinationMB: 128, destinationSeconds: 900 },
];

export const PLAN_SPEC: CommandSpec = {
  name: 'plan',
  summary:
    'Plan buffer hints: for a workload and each choice of hints, S3 objects per hour, average object size, worst-case ' +
    'delivery latency, Lambda invocations per hour and an estimated monthly cost, with the price assumptions.',
  usage: 'cli plan --events-per-second N [--record-bytes B] [--hints P_MB,P_S,D_MB,D_S]... [options]',
  options: {
    'events-per-second': { type: 'string', value: 'N', description: 'Meter records logged per second (required)' },
    'record-bytes': { type: 'string', value: 'B', description: 'Average Amberflo NDJSON record size', default: '230' },
    hints: {
      type: 'string',
      multiple: true,
      value: 'P_MB,P_S,D_MB,D_S',
      description: 'Processor size MB and interval s, destination size MB and interval s',
      default: 'the pipeline default and four alternatives',
    },
    'events-per-kinesis-record': { type: 'string', value: 'N', description: 'Meter events per CloudWatch subscription delivery', default: '20' },
    'output-ratio': { type: 'string', value: 'X', description: 'NDJSON bytes out per gzipped byte in', default: '12' },
    'lambda-base-ms': { type: 'string', value: 'MS', description: 'Lambda time per invocation, fixed part', default: '20' },
    'lambda-ms-per-mib': { type: 'string', value: 'MS', description: 'Lambda time per MiB of gzipped input', default: '250' },
    'lambda-memory': { type: 'string', value: 'MB', description: 'Lambda memory', default: '1024' },
    kinesis: { type: 'string', value: 'MODE', description: 'on-demand or provisioned', default: 'on-demand' },
    shards: { type: 'string', value: 'N', description: 'Provisioned shards', default: 'derived from throughput' },
    'backup-retention-days': {
      type: 'string',
      value: 'DAYS',
      description: 'Days the source-record backup is kept (pipeline bucket lifecycle)',
      default: String(PIPELINE_DEFAULTS.pipelineBucketExpirationDays),
    },
    'no-source-backup': { type: 'boolean', description: 'Leave out the source-record backup' },
    price: { type: 'string', multiple: true, value: 'NAME=USD', description: `Override a price (${Object.keys(DEFAULT_PRICES).join(', ')})` },
    json: { type: 'boolean', description: 'Print the plan as JSON' },
  },
  examples: ['cli plan --events-per-second 50', 'cli plan --events-per-second 2000 --hints 0.25,60,5,300 --hints 0.5,60,64,900 --kinesis provisioned'],
};

export async function planCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(PLAN_SPEC, argv);
  if (booleanOption(values, 'help')) {
    io.stdout(formatHelp(PLAN_SPEC));
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`plan takes no positional arguments, got: ${positionals.join(' ')}`);
  if (stringOption(values, 'events-per-second') === undefined) throw new UsageError('plan needs --events-per-second');
  const kinesisMode = stringOption(values, 'kinesis') ?? 'on-demand';
  if (kinesisMode !== 'on-demand' && kinesisMode !== 'provisioned') throw new UsageError(`--kinesis must be on-demand or provisioned, got "${kinesisMode}"`);
  const shards = stringOption(values, 'shards');
  if (shards !== undefined && kinesisMode !== 'provisioned') throw new UsageError('--shards applies to --kinesis provisioned');
  const workload: Workload = {
    eventsPerSecond: numberOption(values, 'events-per-second', 0, { min: 0.001, max: 1e7 }),
    recordBytes: numberOption(values, 'record-bytes', 230, { min: 20, max: 1_000_000 }),
    eventsPerKinesisRecord: numberOption(values, 'events-per-kinesis-record', 20, { min: 1, max: 10_000 }),
    outputToInputRatio: numberOption(values, 'output-ratio', 12, { min: 1, max: 100 }),
    minimumBatchSeconds: 1,
    lambdaBaseMs: numberOption(values, 'lambda-base-ms', 20, { min: 0, max: 300_000 }),
    lambdaMsPerInputMiB: numberOption(values, 'lambda-ms-per-mib', 250, { min: 0, max: 300_000 }),
    lambdaMemoryMb: numberOption(values, 'lambda-memory', 1024, { min: 128, max: 10_240, integer: true }),
    kinesisMode,
    ...(shards === undefined ? {} : { shards: parseNumber('--shards', shards, { min: 1, max: 10_000, integer: true }) }),
  };
  const prices = pricesFrom(keyValueOption(values, 'price'));
  const choices = listOption(values, 'hints').map(parseHints);
  const plans = (choices.length > 0 ? choices : DEFAULT_CHOICES).map((choice) => planHints(workload, choice, prices));
  const backupSettings = {
    retentionDays: numberOption(values, 'backup-retention-days', PIPELINE_DEFAULTS.pipelineBucketExpirationDays, { min: 1, max: 3650, integer: true }),
    bufferMB: PIPELINE_DEFAULTS.destinationBufferSizeMBs,
    bufferSeconds: PIPELINE_DEFAULTS.destinationBufferIntervalSeconds,
  };
  const sourceBackup = booleanOption(values, 'no-source-backup') ? undefined : planSourceBackup(workload, backupSettings, prices);

  if (booleanOption(values, 'json')) printJson(io, { workload, prices, plans, ...(sourceBackup === undefined ? {} : { sourceBackup: { ...backupSettings, ...sourceBackup } }) });
  else io.stdout(formatPlans(workload, prices, plans) + (sourceBackup === undefined ? '' : formatSourceBackup(sourceBackup, backupSettings)));
  return EXIT.ok;
}

export function parseHints(raw: string): BufferChoice {
  const parts = raw.split(',');
  if (parts.length !== 4) throw new UsageError(`--hints takes four numbers P_MB,P_S,D_MB,D_S (e.g. 0.25,60,5,300), got "${raw}"`);
  const [processorMB, processorSeconds, destinationMB, destinationSeconds] = parts as [string, string, string, string];
  return {
    processorMB: parseNumber('--hints processor size (MB)', processorMB, { min: 0.2, max: 3 }),
    processorSeconds: parseNumber('--hints processor interval (s)', processorSeconds, { min: 0, max: 900, integer: true }),
    destinationMB: parseNumber('--hints destination size (MB)', destinationMB, { min: 1, max: 128, integer: true }),
    destinationSeconds: parseNumber('--hints destination interval (s)', destinationSeconds, { min: 0, max: 900, integer: true }),
  };
}

function pricesFrom(overrides: Record<string, string>): Prices {
  const prices: Record<string, number> = { ...DEFAULT_PRICES };
  for (const [name, raw] of Object.entries(overrides)) {
    if (!(name in DEFAULT_PRICES)) throw new UsageError(`--price: unknown price "${name}"; known: ${Object.keys(DEFAULT_PRICES).join(', ')}`);
    prices[name] = parseNumber(`--price ${name}`, raw, { min: 0, max: 1e6 });
  }
  return prices as unknown as Prices;
}

export function formatPlans(workload: Workload, prices: Prices, plans: readonly HintsPlan[]): string {
  const rows = plans.map((plan) => [
    `${plan.hints.processorMB} MB / ${plan.hints.processorSeconds} s`,
    `${plan.hints.destinationMB} MB / ${plan.hints.destinationSeconds} s`,
    round(plan.objectsPerHour),
    formatBytes(plan.averageObjectBytes),
    formatDuration(plan.worstCaseLatencySeconds),
    round(plan.invocationsPerHour),
    `$${plan.monthly.firehose.toFixed(2)}`,
    `$${plan.monthly.kinesis.toFixed(2)}`,
    `$${plan.monthly.lambda.toFixed(2)}`,
    `$${plan.monthly.s3.toFixed(2)}`,
    `$${plan.monthly.total.toFixed(2)}`,
    plan.responseBytes > DEFAULT_CONFIG.responseBudgetBytes ? 'splits: response > 6 MB budget' : '',
  ]);
  const kinesisRecordBytes = (workload.eventsPerKinesisRecord * workload.recordBytes) / workload.outputToInputRatio;
  const lines = [
    `Workload: ${formatNumber(workload.eventsPerSecond)} meter records/s of ${workload.recordBytes} B ` +
      `(${formatBytes(workload.eventsPerSecond * workload.recordBytes)}/s of NDJSON); ` +
      `${workload.eventsPerKinesisRecord} events per Kinesis record of ~${formatBytes(kinesisRecordBytes)} gzipped; ` +
      `Kinesis ${workload.kinesisMode}${workload.kinesisMode === 'provisioned' ? ` (shards: ${plans[0]?.shards ?? 0})` : ''}.`,
    '',
    formatTable(
      ['processor', 'destination', 'objects/h', 'avg object', 'worst latency', 'Lambda calls/h', 'Firehose', 'Kinesis', 'Lambda', 'S3 PUT', 'total/month', 'note'],
      rows,
      { rightAligned: [2, 3, 4, 5, 6, 7, 8, 9, 10] },
    ),
    'Assumptions (override with the flags shown in --help):',
    `  - Firehose ingestion is billed per Kinesis record rounded up to 5 KB: a ${formatBytes(kinesisRecordBytes)} record bills as ` +
      `${formatBytes(Math.ceil(kinesisRecordBytes / 5120) * 5120)}. Kinesis on-demand data in rounds to 1 KB, provisioned PUT units to 25 KB.`,
    `  - Lambda: ${workload.lambdaBaseMs} ms + ${workload.lambdaMsPerInputMiB} ms per MiB of gzipped input per invocation, ${workload.lambdaMemoryMb} MB; ` +
      `Firehose reads each shard about once a second, so batches close no sooner than ${workload.minimumBatchSeconds} s.`,
    `  - Object size is NDJSON before compression; a month is 730 hours; steady traffic, no rejects.`,
    `  - Prices (USD): ${Object.entries(prices).map(([name, price]) => `${name}=${price}`).join(', ')}.`,
    '',
  ];
  return lines.join('\n');
}

/** A line of its own: the backup's cost does not depend on the buffer hints compared above. */
export function formatSourceBackup(cost: BackupCost, settings: BackupSettings): string {
  return (
    `\nSource-record backup (on by default; --no-source-backup leaves it out): ${formatBytes(cost.inputBytesPerSecond)}/s of gzipped source records, ` +
    `${formatBytes(cost.storedBytes)} kept over ${settings.retentionDays} days, ${formatNumber(Math.round(cost.objectsPerMonth))} objects a month: ` +
    `$${cost.monthly.total.toFixed(2)}/month more (storage $${cost.monthly.storage.toFixed(2)}, PUTs $${cost.monthly.puts.toFixed(2)}).\n`
  );
}

function round(value: number): number {
  return value >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
}

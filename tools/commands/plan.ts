/** `plan`: compare sources and Firehose buffer hints by S3 objects, invocations, latency and monthly cost. */
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
import {
  type BufferChoice,
  COST_LINES,
  type CostLine,
  DEFAULT_PRICES,
  FIREHOSE_BILLING_INCREMENT_BYTES,
  HOURS_PER_MONTH,
  type PipelinePlan,
  type Prices,
  type Recommendation,
  type SourceChoice,
  type Workload,
  cheapestWithin,
  planPipeline,
  trafficOf,
} from '../lib/plan/cost-plan.ts';
import { DEFAULT_PIPELINE_SOURCE, PIPELINE_SOURCES, type PipelineSourceKind, isPipelineSource } from '../../infra/pipeline-source.ts';
import { PIPELINE_DEFAULTS } from '../../infra/defaults.ts';
import { type BackupCost, type BackupSettings, planSourceBackup } from '../lib/plan/source-backup-cost.ts';
import { type ReconcileCost, type ReconcileSettings, planReconcile, reconcileWindowFor } from '../lib/plan/reconcile-cost.ts';
import { objectSpanSeconds } from '../../infra/reconcile-timing.ts';
import { DEFAULT_CONFIG } from '../../transform/config.ts';
import { formatBytes, formatDuration, formatNumber, formatTable } from '../lib/cli/table.ts';
import { EXIT, type CommandIO, printJson } from './io.ts';
import { parseSetting } from './pipeline-options.ts';

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

/** Column headings of the cost lines, in COST_LINES order. */
const COST_LINE_LABELS: Readonly<Record<CostLine, string>> = { firehose: 'Firehose', kinesis: 'Kinesis', lambda: 'Lambda', s3: 'S3 PUT' };

export const PLAN_SPEC: CommandSpec = {
  name: 'plan',
  summary:
    'Plan the source and buffer hints: for a workload, each source (kinesis-on-demand, kinesis-provisioned, direct) and ' +
    'each choice of hints, S3 objects per hour, average object size, worst-case delivery latency, Lambda invocations per ' +
    'hour and an estimated monthly cost; marks the cheapest that meets a latency bound and says why.',
  usage: 'meter-firehose plan --events-per-second N [--source S]... [--max-latency S] [--hints P_MB,P_S,D_MB,D_S]... [options]',
  options: {
    'events-per-second': { type: 'string', value: 'N', description: 'Meter records logged per second (required)' },
    'record-bytes': { type: 'string', value: 'B', description: 'Average Amberflo NDJSON record size', default: '230' },
    source: { type: 'string', multiple: true, value: 'S', description: `Source to price (${PIPELINE_SOURCES.join(', ')})`, default: 'all three' },
    shards: { type: 'string', value: 'N', description: 'kinesis-provisioned shards', default: 'derived from throughput' },
    'max-latency': { type: 'string', value: 'S', description: 'Worst-case delivery latency the cheapest choice must meet, seconds', default: '360' },
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
    'backup-retention-days': {
      type: 'string',
      value: 'DAYS',
      description: 'Days the source-record backup is kept (pipeline bucket lifecycle)',
      default: String(PIPELINE_DEFAULTS.pipelineBucketExpirationDays),
    },
    'no-source-backup': { type: 'boolean', description: 'Leave out the source-record backup (and continuous reconcile, which needs it)' },
    'no-reconcile': { type: 'boolean', description: 'Leave out continuous reconcile' },
    price: { type: 'string', multiple: true, value: 'NAME=USD', description: `Override a price (${Object.keys(DEFAULT_PRICES).join(', ')})` },
    json: { type: 'boolean', description: 'Print the plan as JSON' },
  },
  examples: [
    'meter-firehose plan --events-per-second 50',
    'meter-firehose plan --events-per-second 5000 --max-latency 120',
    'meter-firehose plan --events-per-second 2000 --source kinesis-provisioned --shards 2 --hints 0.25,60,5,300 --hints 0.5,60,64,900',
  ],
};

export interface PlanReport {
  readonly workload: Workload;
  readonly prices: Prices;
  readonly maxLatencySeconds: number;
  readonly sources: readonly SourceChoice[];
  /** Every source with every choice of hints, source by source. */
  readonly plans: readonly PipelinePlan[];
  readonly recommendation: Recommendation;
  /** Today's default: kinesis-on-demand with the pipeline's default hints, the yardstick for savings. */
  readonly baseline: PipelinePlan;
}

export async function planCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(PLAN_SPEC, argv);
  if (booleanOption(values, 'help')) {
    io.stdout(formatHelp(PLAN_SPEC));
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`plan takes no positional arguments, got: ${positionals.join(' ')}`);
  if (stringOption(values, 'events-per-second') === undefined) throw new UsageError('plan needs --events-per-second');
  const workload: Workload = {
    eventsPerSecond: numberOption(values, 'events-per-second', 0, { min: 0.001, max: 1e7 }),
    recordBytes: numberOption(values, 'record-bytes', 230, { min: 20, max: 1_000_000 }),
    eventsPerKinesisRecord: numberOption(values, 'events-per-kinesis-record', 20, { min: 1, max: 10_000 }),
    outputToInputRatio: numberOption(values, 'output-ratio', 12, { min: 1, max: 100 }),
    minimumBatchSeconds: 1,
    lambdaBaseMs: numberOption(values, 'lambda-base-ms', 20, { min: 0, max: 300_000 }),
    lambdaMsPerInputMiB: numberOption(values, 'lambda-ms-per-mib', 250, { min: 0, max: 300_000 }),
    lambdaMemoryMb: numberOption(values, 'lambda-memory', 1024, { min: 128, max: 10_240, integer: true }),
  };
  const sources = sourcesFrom(listOption(values, 'source'), stringOption(values, 'shards'));
  const maxLatencySeconds = numberOption(values, 'max-latency', 360, { min: 1, max: 86_400 });
  const prices = pricesFrom(keyValueOption(values, 'price'));
  const parsedChoices = listOption(values, 'hints').map(parseHints);
  const choices = parsedChoices.length > 0 ? parsedChoices : DEFAULT_CHOICES;
  const plans = sources.flatMap((source) => choices.map((choice) => planPipeline(workload, source, choice, prices)));
  const report: PlanReport = {
    workload,
    prices,
    maxLatencySeconds,
    sources,
    plans,
    recommendation: cheapestWithin(plans, maxLatencySeconds, DEFAULT_CONFIG.responseBudgetBytes),
    baseline: planPipeline(workload, { kind: DEFAULT_PIPELINE_SOURCE }, DEFAULT_CHOICES[0] as BufferChoice, prices),
  };

  const backupSettings = {
    retentionDays: numberOption(values, 'backup-retention-days', PIPELINE_DEFAULTS.pipelineBucketExpirationDays, { min: 1, max: 3650, integer: true }),
    bufferMB: PIPELINE_DEFAULTS.destinationBufferSizeMBs,
    bufferSeconds: PIPELINE_DEFAULTS.destinationBufferIntervalSeconds,
  };
  const sourceBackup = booleanOption(values, 'no-source-backup') ? undefined : planSourceBackup(workload, backupSettings, prices);

  // The default window is an hour; above its ceiling, the longest window one invocation reconciles (or the shortest).
  const reconcileSettings: ReconcileSettings = {
    windowSeconds: reconcileWindowFor(workload.eventsPerSecond) ?? 300,
    objectSpanSeconds: objectSpanSeconds(PIPELINE_DEFAULTS),
  };
  const reconcile = sourceBackup === undefined || booleanOption(values, 'no-reconcile') ? undefined : planReconcile(workload, sourceBackup, reconcileSettings, prices);

  if (booleanOption(values, 'json')) {
    printJson(io, {
      ...report,
      ...(sourceBackup === undefined ? {} : { sourceBackup: { ...backupSettings, ...sourceBackup } }),
      ...(reconcile === undefined ? {} : { continuousReconcile: { ...reconcileSettings, ...reconcile } }),
    });
  } else {
    io.stdout(formatPlans(report) + (sourceBackup === undefined ? '' : formatSourceBackup(sourceBackup, backupSettings)) + (reconcile === undefined ? '' : formatReconcile(reconcile, reconcileSettings)));
  }
  return EXIT.ok;
}

export function parseHints(raw: string): BufferChoice {
  const parts = raw.split(',');
  if (parts.length !== 4) throw new UsageError(`--hints takes four numbers P_MB,P_S,D_MB,D_S (e.g. 0.25,60,5,300), got "${raw}"`);
  const [processorMB, processorSeconds, destinationMB, destinationSeconds] = parts as [string, string, string, string];
  return {
    processorMB: parseSetting('--hints processor size', processorMB, 'processorBufferSize'),
    processorSeconds: parseSetting('--hints processor interval', processorSeconds, 'processorBufferInterval'),
    destinationMB: parseSetting('--hints destination size', destinationMB, 'destinationBufferSize'),
    destinationSeconds: parseSetting('--hints destination interval', destinationSeconds, 'destinationBufferInterval'),
  };
}

export function sourcesFrom(names: readonly string[], rawShards: string | undefined): SourceChoice[] {
  for (const name of names) {
    if (!isPipelineSource(name)) throw new UsageError(`--source must be one of ${PIPELINE_SOURCES.join(', ')}, got "${name}"`);
  }
  const kinds: readonly PipelineSourceKind[] = names.length > 0 ? [...new Set(names as PipelineSourceKind[])] : PIPELINE_SOURCES;
  if (rawShards !== undefined && !kinds.includes('kinesis-provisioned')) throw new UsageError('--shards applies to --source kinesis-provisioned');
  const shards = rawShards === undefined ? undefined : parseNumber('--shards', rawShards, { min: 1, max: 10_000, integer: true });
  return kinds.map((kind) => (kind === 'kinesis-provisioned' && shards !== undefined ? { kind, shards } : { kind }));
}

function pricesFrom(overrides: Record<string, string>): Prices {
  const prices: Record<string, number> = { ...DEFAULT_PRICES };
  for (const [name, raw] of Object.entries(overrides)) {
    if (!(name in DEFAULT_PRICES)) throw new UsageError(`--price: unknown price "${name}"; known: ${Object.keys(DEFAULT_PRICES).join(', ')}`);
    prices[name] = parseNumber(`--price ${name}`, raw, { min: 0, max: 1e6 });
  }
  return prices as unknown as Prices;
}

export function formatPlans(report: PlanReport): string {
  const { workload, prices, maxLatencySeconds, plans, recommendation, baseline } = report;
  const traffic = trafficOf(workload);
  const bound = formatDuration(maxLatencySeconds);
  const cheapest = recommendation.cheapest;
  const hintRows = uniqueHints(plans);
  const sourceNames = report.sources.map((source) => sourceLabel(plans.find((plan) => plan.source === source.kind)));
  const rows = hintRows.map((hints) => {
    const first = plans.find((plan) => plan.hints === hints) as PipelinePlan;
    const costs = report.sources.map((source) => {
      const plan = plans.find((candidate) => candidate.hints === hints && candidate.source === source.kind) as PipelinePlan;
      return `${plan === cheapest ? '* ' : ''}${usd(plan.monthly.total)}${plan.throttled === undefined ? '' : ' throttled'}`;
    });
    return [
      hintsLabel(hints, 'processor'),
      hintsLabel(hints, 'destination'),
      round(first.objectsPerHour),
      formatBytes(first.averageObjectBytes),
      formatDuration(first.worstCaseLatencySeconds),
      round(first.invocationsPerHour),
      ...costs,
      hintsNote(first, maxLatencySeconds),
    ];
  });
  const costColumns = report.sources.map((_, index) => 6 + index);

  const lines = [
    `Workload: ${formatNumber(workload.eventsPerSecond)} meter records/s of ${workload.recordBytes} B ` +
      `(${formatBytes(traffic.outputBytesPerSecond)}/s of NDJSON); ${workload.eventsPerKinesisRecord} events per subscription delivery ` +
      `of ~${formatBytes(traffic.deliveryBytes)} gzipped (${formatNumber(traffic.deliveriesPerSecond)} deliveries/s). Latency bound: ${bound}.`,
    '',
    'Monthly cost (USD) by buffer hints and source; * marks the cheapest within the bound:',
    formatTable(
      ['processor', 'destination', 'objects/h', 'avg object', 'worst latency', 'Lambda calls/h', ...sourceNames, 'note'],
      rows,
      { rightAligned: [2, 3, 4, 5, ...costColumns] },
    ),
    ...recommendationLines(report, traffic.deliveriesPerSecond),
    'Assumptions (override with the flags shown in --help):',
    `  - Firehose bills ingestion per record rounded up to 5 KB, the same for Direct PUT and a Kinesis source: a ` +
      `${formatBytes(traffic.deliveryBytes)} delivery bills as ${formatBytes(Math.ceil(traffic.deliveryBytes / FIREHOSE_BILLING_INCREMENT_BYTES) * FIREHOSE_BILLING_INCREMENT_BYTES)}. ` +
      'Kinesis on-demand data in rounds to 1 KB, provisioned PUT units to 25 KB.',
    `  - Lambda: ${workload.lambdaBaseMs} ms + ${workload.lambdaMsPerInputMiB} ms per MiB of gzipped input per invocation, ${workload.lambdaMemoryMb} MB arm64; ` +
      `batches close no sooner than ${workload.minimumBatchSeconds} s.`,
    `  - Object size is NDJSON before compression; a month is ${HOURS_PER_MONTH} hours; steady traffic, no rejects; ` +
      `today's default is ${DEFAULT_PIPELINE_SOURCE} with ${hintsLabel(baseline.hints, 'processor')} → ${hintsLabel(baseline.hints, 'destination')}.`,
    `  - Prices (USD): ${Object.entries(prices).map(([name, price]) => `${name}=${price}`).join(', ')}.`,
    '',
  ];
  return lines.join('\n');
}

/** The chosen plan, every source at its hints with the bill line by line, and why. */
function recommendationLines(report: PlanReport, deliveriesPerSecond: number): string[] {
  const { plans, recommendation, baseline, maxLatencySeconds } = report;
  const bound = formatDuration(maxLatencySeconds);
  const cheapest = recommendation.cheapest;
  if (cheapest === undefined) {
    return [`No source and hints meet ${bound}: ${summarizeExclusions(recommendation)}.`, ...splitAdvice(report), ''];
  }
  const sameHints = plans.filter((plan) => plan.hints === cheapest.hints);
  const breakdown = formatTable(
    ['source', ...COST_LINES.map((line) => COST_LINE_LABELS[line]), 'total/month', 'vs default', 'limits'],
    sameHints.map((plan) => [
      `${plan === cheapest ? '* ' : ''}${sourceLabel(plan)}`,
      ...COST_LINES.map((line) => usd(plan.monthly[line])),
      usd(plan.monthly.total),
      percentOf(plan.monthly.total, baseline.monthly.total),
      plan.throttled ?? 'within',
    ]),
    { rightAligned: [1, 2, 3, 4, 5, 6] },
  );
  const onDemandHours = HOURS_PER_MONTH * report.prices.kinesisOnDemandStreamHour;
  const shardMonth = HOURS_PER_MONTH * report.prices.kinesisShardHour;
  return [
    `Cheapest within ${bound}: ${sourceLabel(cheapest)} with ${hintsLabel(cheapest.hints, 'processor')} → ${hintsLabel(cheapest.hints, 'destination')}: ` +
      `${usd(cheapest.monthly.total)} a month, worst case ${formatDuration(cheapest.worstCaseLatencySeconds)}, ` +
      `${percentOf(cheapest.monthly.total, baseline.monthly.total)} of today's default (${usd(baseline.monthly.total)}).`,
    '',
    `Every source with those hints:`,
    breakdown,
    'Why:',
    `  - Firehose ingestion is the same for every source: ${formatNumber(deliveriesPerSecond)} deliveries/s, each billed as a multiple of 5 KB.`,
    `  - kinesis-on-demand pays ${usd(onDemandHours)} a month of stream-hours before any data, plus data in and out; ` +
      `kinesis-provisioned pays ${usd(shardMonth)} per shard plus PUT units; direct has no stream to pay for.`,
    `  - Not eligible: ${summarizeExclusions(recommendation)}.`,
    '  - direct gives up the stream: no 24 h replay window in front of Firehose, no fan-out to other consumers, and ' +
      '`replay` sends to Firehose instead (infra/README.md, "Choosing a source").',
    '',
  ];
}

/** A line of its own: the backup's cost does not depend on the source or the buffer hints compared above. */
export function formatSourceBackup(cost: BackupCost, settings: BackupSettings): string {
  return (
    `\nSource-record backup (on by default; --no-source-backup leaves it out): ${formatBytes(cost.inputBytesPerSecond)}/s of gzipped source records, ` +
    `${formatBytes(cost.storedBytes)} kept over ${settings.retentionDays} days, ${formatNumber(Math.round(cost.objectsPerMonth))} objects a month: ` +
    `$${cost.monthly.total.toFixed(2)}/month more (storage $${cost.monthly.storage.toFixed(2)}, PUTs $${cost.monthly.puts.toFixed(2)}).\n`
  );
}

/** A line of its own, like the backup's: one invocation per window of arrival time, whatever the source. */
export function formatReconcile(cost: ReconcileCost, settings: ReconcileSettings): string {
  const window = settings.windowSeconds === 3600 ? '1-hour windows' : `${settings.windowSeconds / 60}-minute windows (set reconcileWindow)`;
  const over = reconcileWindowFor(cost.recordsPerWindow / settings.windowSeconds) === undefined ? ' Over the ceiling of one invocation: split the traffic over pipelines.' : '';
  return (
    `Continuous reconcile (on with the backup; --no-reconcile leaves it out): ${window}, ${formatNumber(Math.round(cost.windowsPerMonth))} a month of ` +
    `${formatNumber(Math.round(cost.recordsPerWindow))} records, ~${Math.ceil(cost.invocationSeconds)} s each: $${cost.monthly.total.toFixed(2)}/month more ` +
    `(Lambda $${cost.monthly.lambda.toFixed(2)}, S3 requests $${cost.monthly.s3.toFixed(2)}, CloudWatch metrics and alarms $${cost.monthly.cloudWatch.toFixed(2)}).${over}\n`
  );
}

/**
 * When even the shortest batch makes a response over the budget, no buffer hint helps: the response grows with
 * the traffic one invocation takes, so the advice is the traffic per pipeline at which the smallest response fits.
 */
function splitAdvice(report: PlanReport): string[] {
  const budget = DEFAULT_CONFIG.responseBudgetBytes;
  const smallest = Math.min(...report.plans.map((plan) => plan.responseBytes));
  if (smallest <= budget) return [];
  const { eventsPerSecond } = report.workload;
  const perPipeline = Math.floor((eventsPerSecond * budget) / smallest);
  const pipelines = Math.ceil(eventsPerSecond / perPipeline);
  return [
    '',
    'Advice:',
    `  - At ${formatNumber(eventsPerSecond)} meter records/s even the shortest batch (${formatDuration(report.workload.minimumBatchSeconds)}) makes a transform response of ` +
      `${formatBytes(smallest)}, over the ${formatNumber(budget)}-byte budget, whatever the buffer hints: every invocation splits and re-ingests ` +
      '(nothing is lost, but split records cross the source and Firehose again and are paid again).',
    `  - One pipeline stays within the budget up to about ${formatNumber(perPipeline)} meter records/s: spread the log groups over ${pipelines} pipelines ` +
      '(each its own `pipelineName` and `sourceLogGroupNames`), or fewer records with more in each (`meterValue` sums a batch of events).',
  ];
}

function summarizeExclusions(recommendation: Recommendation): string {
  if (recommendation.excluded.length === 0) return 'none';
  const counts = new Map<string, number>();
  for (const { reason } of recommendation.excluded) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => `${count} × ${reason}`).join('; ');
}

function hintsNote(plan: PipelinePlan, maxLatencySeconds: number): string {
  return [
    plan.worstCaseLatencySeconds > maxLatencySeconds ? `over ${formatDuration(maxLatencySeconds)} (${plan.worstCaseLatencySeconds.toFixed(2)} s)` : '',
    plan.responseBytes > DEFAULT_CONFIG.responseBudgetBytes ? 'splits: response > 6 MB budget' : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** The hint choices in their order, each once (plans repeat them once per source). */
function uniqueHints(plans: readonly PipelinePlan[]): BufferChoice[] {
  return [...new Set(plans.map((plan) => plan.hints))];
}

function sourceLabel(plan: PipelinePlan | undefined): string {
  if (plan === undefined) return '';
  return plan.source === 'kinesis-provisioned' ? `kinesis-provisioned (${plan.shards} shard${plan.shards === 1 ? '' : 's'})` : plan.source;
}

function hintsLabel(hints: BufferChoice, side: 'processor' | 'destination'): string {
  return side === 'processor' ? `${hints.processorMB} MB / ${hints.processorSeconds} s` : `${hints.destinationMB} MB / ${hints.destinationSeconds} s`;
}

function usd(value: number): string {
  return `$${value.toFixed(2)}`;
}

function percentOf(value: number, base: number): string {
  return `${Math.round((100 * value) / base)}%`;
}

function round(value: number): number {
  return value >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
}

/**
 * Source and buffer-hint planning: for a steady workload, a source (what sits between CloudWatch Logs and
 * Firehose) and a choice of Firehose buffer hints, the S3 objects, Lambda invocations, worst-case delivery
 * latency and monthly cost they imply, and the cheapest choice that meets a latency bound. Pure arithmetic;
 * every assumption is an input so the CLI can print and override it.
 */
import { FIREHOSE_DIRECT_PUT_LIMITS, KINESIS_SHARD_WRITE_LIMITS, type PipelineSourceKind } from '../../../infra/pipeline-source.ts';

const MIB = 1024 * 1024;
const GIB = 1024 * 1024 * 1024;
export const HOURS_PER_MONTH = 730;
/** Firehose bills ingestion per record rounded up to 5 KB, for Direct PUT and Kinesis Data Streams sources alike. */
export const FIREHOSE_BILLING_INCREMENT_BYTES = 5 * 1024;
/** Kinesis on-demand bills data in per record rounded up to 1 KB. */
export const KINESIS_ON_DEMAND_INCREMENT_BYTES = 1024;
/** Kinesis provisioned mode bills PUT payload units of 25 KB. */
export const KINESIS_PUT_PAYLOAD_UNIT_BYTES = 25 * 1024;

export interface Workload {
  /** Meter records logged per second. */
  readonly eventsPerSecond: number;
  /** Average size of one delivered Amberflo NDJSON record, newline included. */
  readonly recordBytes: number;
  /** Meter log events CloudWatch Logs packs into one subscription delivery (one Kinesis or Firehose record). */
  readonly eventsPerKinesisRecord: number;
  /** Delivered NDJSON bytes per gzipped input byte (measured ≈ 12). */
  readonly outputToInputRatio: number;
  /** Firehose reads each shard about once a second, so a batch never closes sooner. */
  readonly minimumBatchSeconds: number;
  readonly lambdaBaseMs: number;
  /** Lambda time per MiB of gzipped input in a batch. */
  readonly lambdaMsPerInputMiB: number;
  readonly lambdaMemoryMb: number;
}

export interface SourceChoice {
  readonly kind: PipelineSourceKind;
  /** `kinesis-provisioned` only; derived from throughput when absent. */
  readonly shards?: number;
}

export interface BufferChoice {
  readonly processorMB: number;
  readonly processorSeconds: number;
  readonly destinationMB: number;
  readonly destinationSeconds: number;
}

export interface Prices {
  readonly firehoseIngestPerGB: number;
  readonly kinesisOnDemandStreamHour: number;
  readonly kinesisOnDemandIngestPerGB: number;
  readonly kinesisOnDemandRetrievalPerGB: number;
  readonly kinesisShardHour: number;
  readonly kinesisPutUnitsPerMillion: number;
  readonly lambdaRequestsPerMillion: number;
  /** arm64, the architecture the CDK construct deploys. */
  readonly lambdaGBSecond: number;
  readonly s3PutPer1000: number;
  /** S3 Standard storage, for the source-record backup. */
  readonly s3StorageGBMonth: number;
  /** S3 GET requests (continuous reconcile reads); LIST requests cost what PUTs do. */
  readonly s3GetPer1000: number;
  /** A custom metric (continuous reconcile's), per month. */
  readonly cloudWatchMetricMonth: number;
  /** A standard-resolution alarm, per metric it evaluates, per month. */
  readonly cloudWatchAlarmMetricMonth: number;
  /** CloudWatch reads: GetMetricData per 1,000 metrics requested, ListMetrics per 1,000 requests (continuous reconcile's independent count). */
  readonly cloudWatchReadsPer1000: number;
}

/** us-east-1 list prices (USD), sources in tools/README.md; override with --price. */
export const DEFAULT_PRICES: Prices = {
  firehoseIngestPerGB: 0.029,
  kinesisOnDemandStreamHour: 0.04,
  kinesisOnDemandIngestPerGB: 0.08,
  kinesisOnDemandRetrievalPerGB: 0.04,
  kinesisShardHour: 0.015,
  kinesisPutUnitsPerMillion: 0.014,
  lambdaRequestsPerMillion: 0.2,
  lambdaGBSecond: 0.0000133334,
  s3PutPer1000: 0.005,
  s3StorageGBMonth: 0.023,
  s3GetPer1000: 0.0004,
  cloudWatchMetricMonth: 0.3,
  cloudWatchAlarmMetricMonth: 0.1,
  cloudWatchReadsPer1000: 0.01,
};

/** The lines of a monthly bill, in the order they are printed; a new cost is one more line here. */
export const COST_LINES = ['firehose', 'kinesis', 'lambda', 's3'] as const;
export type CostLine = (typeof COST_LINES)[number];
export type MonthlyCost = Readonly<Record<CostLine | 'total', number>>;

/** What the source carries: CloudWatch Logs subscription deliveries, each one gzipped record. */
export interface Traffic {
  readonly deliveriesPerSecond: number;
  readonly deliveryBytes: number;
  readonly inputBytesPerSecond: number;
  readonly outputBytesPerSecond: number;
  readonly deliveriesPerMonth: number;
}

export interface PipelinePlan {
  readonly source: PipelineSourceKind;
  readonly hints: BufferChoice;
  /** Seconds between Lambda invocations (the processor buffer fills or times out). */
  readonly batchSeconds: number;
  readonly invocationsPerHour: number;
  readonly lambdaMs: number;
  /** Largest transform response of a batch: its gzipped input times the output ratio, base64-encoded (4/3). */
  readonly responseBytes: number;
  readonly objectSeconds: number;
  readonly objectsPerHour: number;
  readonly averageObjectBytes: number;
  readonly worstCaseLatencySeconds: number;
  /** Provisioned shards; 0 for the other sources. */
  readonly shards: number;
  /** Why the source throttles this traffic, when it does. */
  readonly throttled?: string;
  readonly monthly: MonthlyCost;
}

export function trafficOf(workload: Workload): Traffic {
  const deliveriesPerSecond = workload.eventsPerSecond / workload.eventsPerKinesisRecord;
  const deliveryBytes = (workload.eventsPerKinesisRecord * workload.recordBytes) / workload.outputToInputRatio;
  return {
    deliveriesPerSecond,
    deliveryBytes,
    inputBytesPerSecond: deliveriesPerSecond * deliveryBytes,
    outputBytesPerSecond: workload.eventsPerSecond * workload.recordBytes,
    deliveriesPerMonth: deliveriesPerSecond * 3600 * HOURS_PER_MONTH,
  };
}

/** Shards a provisioned stream needs for the traffic's bytes and records per second. */
export function shardsNeeded(traffic: Traffic): number {
  return Math.max(
    1,
    Math.ceil(traffic.inputBytesPerSecond / KINESIS_SHARD_WRITE_LIMITS.bytesPerSecond),
    Math.ceil(traffic.deliveriesPerSecond / KINESIS_SHARD_WRITE_LIMITS.recordsPerSecond),
  );
}

export function planPipeline(workload: Workload, source: SourceChoice, hints: BufferChoice, prices: Prices): PipelinePlan {
  const traffic = trafficOf(workload);
  const processorFillSeconds = (hints.processorMB * MIB) / traffic.inputBytesPerSecond;
  const batchSeconds = Math.max(workload.minimumBatchSeconds, Math.min(hints.processorSeconds, processorFillSeconds));
  const invocationsPerHour = 3600 / batchSeconds;
  const batchInputBytes = traffic.inputBytesPerSecond * batchSeconds;
  const lambdaMs = workload.lambdaBaseMs + (workload.lambdaMsPerInputMiB * batchInputBytes) / MIB;

  const destinationFillSeconds = (hints.destinationMB * MIB) / traffic.outputBytesPerSecond;
  const destinationWaitSeconds = Math.min(hints.destinationSeconds, destinationFillSeconds);
  // An object holds at least one invocation's output, but never more than the buffer size: an invocation
  // whose output exceeds it fills several objects.
  const objectSeconds = Math.min(Math.max(batchSeconds, destinationWaitSeconds), destinationFillSeconds);
  const objectsPerHour = 3600 / objectSeconds;

  const carried = sourceCosts(source, traffic, prices);
  const invocationsPerMonth = invocationsPerHour * HOURS_PER_MONTH;
  const lines: Record<CostLine, number> = {
    firehose: carried.firehose,
    kinesis: carried.kinesis,
    lambda:
      (invocationsPerMonth * prices.lambdaRequestsPerMillion) / 1e6 +
      invocationsPerMonth * (lambdaMs / 1000) * (workload.lambdaMemoryMb / 1024) * prices.lambdaGBSecond,
    s3: (objectsPerHour * HOURS_PER_MONTH * prices.s3PutPer1000) / 1000,
  };

  return {
    source: source.kind,
    hints,
    batchSeconds,
    invocationsPerHour,
    lambdaMs,
    responseBytes: (batchInputBytes * workload.outputToInputRatio * 4) / 3,
    objectSeconds,
    objectsPerHour,
    averageObjectBytes: traffic.outputBytesPerSecond * objectSeconds,
    worstCaseLatencySeconds: batchSeconds + lambdaMs / 1000 + destinationWaitSeconds,
    shards: carried.shards,
    ...(carried.throttled === undefined ? {} : { throttled: carried.throttled }),
    monthly: { ...lines, total: COST_LINES.reduce((sum, line) => sum + lines[line], 0) },
  };
}

interface SourceCosts {
  readonly firehose: number;
  readonly kinesis: number;
  readonly shards: number;
  readonly throttled?: string;
}

/** Firehose ingestion and the Kinesis stream, the costs that depend on the source. */
function sourceCosts(source: SourceChoice, traffic: Traffic, prices: Prices): SourceCosts {
  // Every source hands Firehose one record per subscription delivery, each billed as a multiple of 5 KB.
  const firehose = (traffic.deliveriesPerMonth * roundUp(traffic.deliveryBytes, FIREHOSE_BILLING_INCREMENT_BYTES) * prices.firehoseIngestPerGB) / GIB;
  switch (source.kind) {
    case 'kinesis-on-demand':
      return {
        firehose,
        shards: 0,
        kinesis:
          HOURS_PER_MONTH * prices.kinesisOnDemandStreamHour +
          (traffic.deliveriesPerMonth * roundUp(traffic.deliveryBytes, KINESIS_ON_DEMAND_INCREMENT_BYTES) * prices.kinesisOnDemandIngestPerGB) / GIB +
          (traffic.deliveriesPerMonth * traffic.deliveryBytes * prices.kinesisOnDemandRetrievalPerGB) / GIB,
      };
    case 'kinesis-provisioned': {
      const needed = shardsNeeded(traffic);
      const shards = source.shards ?? needed;
      return {
        firehose,
        shards,
        kinesis:
          shards * HOURS_PER_MONTH * prices.kinesisShardHour +
          (traffic.deliveriesPerMonth * Math.ceil(traffic.deliveryBytes / KINESIS_PUT_PAYLOAD_UNIT_BYTES) * prices.kinesisPutUnitsPerMillion) / 1e6,
        ...(shards < needed ? { throttled: `${shards} shard${shards === 1 ? '' : 's'} throttle: needs ${needed}` } : {}),
      };
    }
    case 'direct':
      return { firehose, shards: 0, kinesis: 0, ...directPutThrottling(traffic) };
  }
}

/** CloudWatch Logs' batching into PutRecordBatch calls is not documented: count one request per delivery. */
function directPutThrottling(traffic: Traffic): { throttled?: string } {
  const over = [
    traffic.deliveriesPerSecond > FIREHOSE_DIRECT_PUT_LIMITS.recordsPerSecond ? `${Math.ceil(traffic.deliveriesPerSecond)} records/s` : '',
    traffic.deliveriesPerSecond > FIREHOSE_DIRECT_PUT_LIMITS.requestsPerSecond ? `up to ${Math.ceil(traffic.deliveriesPerSecond)} requests/s` : '',
    traffic.inputBytesPerSecond > FIREHOSE_DIRECT_PUT_LIMITS.bytesPerSecond ? `${(traffic.inputBytesPerSecond / MIB).toFixed(1)} MiB/s` : '',
  ].filter(Boolean);
  return over.length === 0 ? {} : { throttled: `over the Direct PUT quota (${over.join(', ')}): ask AWS to raise it` };
}

export interface Exclusion {
  readonly plan: PipelinePlan;
  readonly reason: string;
}

export interface Recommendation {
  /** The cheapest plan that meets the bound; absent when none does. */
  readonly cheapest?: PipelinePlan;
  readonly excluded: readonly Exclusion[];
}

/**
 * The cheapest plan whose worst-case latency is within the bound, whose source takes the traffic, and whose
 * transform responses fit the response budget (a split re-ingests, a cost these figures leave out).
 */
export function cheapestWithin(plans: readonly PipelinePlan[], maxLatencySeconds: number, responseBudgetBytes: number): Recommendation {
  const excluded: Exclusion[] = [];
  const eligible: PipelinePlan[] = [];
  for (const plan of plans) {
    const reason = exclusionReason(plan, maxLatencySeconds, responseBudgetBytes);
    if (reason === undefined) eligible.push(plan);
    else excluded.push({ plan, reason });
  }
  const cheapest = eligible.reduce<PipelinePlan | undefined>((best, plan) => (best === undefined || plan.monthly.total < best.monthly.total ? plan : best), undefined);
  return { ...(cheapest === undefined ? {} : { cheapest }), excluded };
}

function exclusionReason(plan: PipelinePlan, maxLatencySeconds: number, responseBudgetBytes: number): string | undefined {
  if (plan.worstCaseLatencySeconds > maxLatencySeconds) return 'worst-case latency over the bound';
  if (plan.throttled !== undefined) return plan.throttled;
  if (plan.responseBytes > responseBudgetBytes) return 'responses over the budget split and re-ingest';
  return undefined;
}

function roundUp(bytes: number, increment: number): number {
  return Math.ceil(bytes / increment) * increment;
}

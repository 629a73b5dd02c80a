/**
 * Buffer-hint planning: for a steady workload and a choice of Firehose buffer hints, the S3 objects, Lambda
 * invocations, worst-case delivery latency and monthly cost they imply. Pure arithmetic; every assumption
 * is an input so the CLI can print and override it.
 */

const MIB = 1024 * 1024;
const GIB = 1024 * 1024 * 1024;
export const HOURS_PER_MONTH = 730;
/** Firehose bills ingestion per record rounded up to 5 KB. */
export const FIREHOSE_BILLING_INCREMENT_BYTES = 5 * 1024;
/** Kinesis on-demand bills data in per record rounded up to 1 KB. */
export const KINESIS_ON_DEMAND_INCREMENT_BYTES = 1024;
/** Kinesis provisioned mode bills PUT payload units of 25 KB. */
export const KINESIS_PUT_PAYLOAD_UNIT_BYTES = 25 * 1024;
export const SHARD_INGEST_BYTES_PER_SECOND = MIB;
export const SHARD_INGEST_RECORDS_PER_SECOND = 1000;

export interface Workload {
  /** Meter records logged per second. */
  readonly eventsPerSecond: number;
  /** Average size of one delivered Amberflo NDJSON record, newline included. */
  readonly recordBytes: number;
  /** Meter log events CloudWatch Logs packs into one subscription delivery (one Kinesis record). */
  readonly eventsPerKinesisRecord: number;
  /** Delivered NDJSON bytes per gzipped input byte (measured ≈ 12). */
  readonly outputToInputRatio: number;
  /** Firehose reads each shard about once a second, so a batch never closes sooner. */
  readonly minimumBatchSeconds: number;
  readonly lambdaBaseMs: number;
  /** Lambda time per MiB of gzipped input in a batch. */
  readonly lambdaMsPerInputMiB: number;
  readonly lambdaMemoryMb: number;
  readonly kinesisMode: 'on-demand' | 'provisioned';
  /** Provisioned shards; derived from throughput when absent. */
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
}

/** us-east-1 list prices (USD) at the time of writing; check the AWS pricing pages and override with --price. */
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
};

export interface MonthlyCost {
  readonly firehose: number;
  readonly kinesis: number;
  readonly lambda: number;
  readonly s3: number;
  readonly total: number;
}

export interface HintsPlan {
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
  readonly shards: number;
  readonly monthly: MonthlyCost;
}

export function planHints(workload: Workload, hints: BufferChoice, prices: Prices): HintsPlan {
  const outputBytesPerSecond = workload.eventsPerSecond * workload.recordBytes;
  const kinesisRecordsPerSecond = workload.eventsPerSecond / workload.eventsPerKinesisRecord;
  const kinesisRecordBytes = (workload.eventsPerKinesisRecord * workload.recordBytes) / workload.outputToInputRatio;
  const inputBytesPerSecond = kinesisRecordsPerSecond * kinesisRecordBytes;

  const processorFillSeconds = (hints.processorMB * MIB) / inputBytesPerSecond;
  const batchSeconds = Math.max(workload.minimumBatchSeconds, Math.min(hints.processorSeconds, processorFillSeconds));
  const invocationsPerHour = 3600 / batchSeconds;
  const batchInputBytes = inputBytesPerSecond * batchSeconds;
  const lambdaMs = workload.lambdaBaseMs + (workload.lambdaMsPerInputMiB * batchInputBytes) / MIB;

  const destinationFillSeconds = (hints.destinationMB * MIB) / outputBytesPerSecond;
  const destinationWaitSeconds = Math.min(hints.destinationSeconds, destinationFillSeconds);
  // An object holds at least one invocation's output, but never more than the buffer size: an invocation
  // whose output exceeds it fills several objects.
  const objectSeconds = Math.min(Math.max(batchSeconds, destinationWaitSeconds), destinationFillSeconds);
  const objectsPerHour = 3600 / objectSeconds;

  const recordsPerMonth = kinesisRecordsPerSecond * 3600 * HOURS_PER_MONTH;
  const firehose = (recordsPerMonth * roundUp(kinesisRecordBytes, FIREHOSE_BILLING_INCREMENT_BYTES) * prices.firehoseIngestPerGB) / GIB;
  const shards =
    workload.shards ??
    Math.max(1, Math.ceil(inputBytesPerSecond / SHARD_INGEST_BYTES_PER_SECOND), Math.ceil(kinesisRecordsPerSecond / SHARD_INGEST_RECORDS_PER_SECOND));
  const kinesis =
    workload.kinesisMode === 'on-demand'
      ? HOURS_PER_MONTH * prices.kinesisOnDemandStreamHour +
        (recordsPerMonth * roundUp(kinesisRecordBytes, KINESIS_ON_DEMAND_INCREMENT_BYTES) * prices.kinesisOnDemandIngestPerGB) / GIB +
        (recordsPerMonth * kinesisRecordBytes * prices.kinesisOnDemandRetrievalPerGB) / GIB
      : shards * HOURS_PER_MONTH * prices.kinesisShardHour +
        (recordsPerMonth * Math.ceil(kinesisRecordBytes / KINESIS_PUT_PAYLOAD_UNIT_BYTES) * prices.kinesisPutUnitsPerMillion) / 1e6;
  const invocationsPerMonth = invocationsPerHour * HOURS_PER_MONTH;
  const lambda =
    (invocationsPerMonth * prices.lambdaRequestsPerMillion) / 1e6 +
    invocationsPerMonth * (lambdaMs / 1000) * (workload.lambdaMemoryMb / 1024) * prices.lambdaGBSecond;
  const s3 = (objectsPerHour * HOURS_PER_MONTH * prices.s3PutPer1000) / 1000;

  return {
    hints,
    batchSeconds,
    invocationsPerHour,
    lambdaMs,
    responseBytes: (batchInputBytes * workload.outputToInputRatio * 4) / 3,
    objectSeconds,
    objectsPerHour,
    averageObjectBytes: outputBytesPerSecond * objectSeconds,
    worstCaseLatencySeconds: batchSeconds + lambdaMs / 1000 + destinationWaitSeconds,
    shards: workload.kinesisMode === 'provisioned' ? shards : 0,
    monthly: { firehose, kinesis, lambda, s3, total: firehose + kinesis + lambda + s3 },
  };
}

function roundUp(bytes: number, increment: number): number {
  return Math.ceil(bytes / increment) * increment;
}

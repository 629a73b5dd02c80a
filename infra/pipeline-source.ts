/**
 * What sits between CloudWatch Logs and Firehose, and the throughput each choice takes before it throttles.
 * No CDK imports: the construct, the CLI's local model and the planner share these.
 */
export const PIPELINE_SOURCES = ['kinesis-on-demand', 'kinesis-provisioned', 'direct'] as const;
/** What sits between CloudWatch Logs and Firehose (see `MeterIngestionPipelineProps.source`). */
export type PipelineSourceKind = (typeof PIPELINE_SOURCES)[number];
export const DEFAULT_PIPELINE_SOURCE: PipelineSourceKind = 'kinesis-on-demand';

export function isPipelineSource(value: string): value is PipelineSourceKind {
  return (PIPELINE_SOURCES as readonly string[]).includes(value);
}

const MIB = 1024 * 1024;

/** Write limits of one provisioned shard (Kinesis Data Streams quotas). */
export const KINESIS_SHARD_WRITE_LIMITS = { bytesPerSecond: MIB, recordsPerSecond: 1000 } as const;

/**
 * Default Direct PUT quota of one Firehose stream, PutRecord and PutRecordBatch combined (Firehose API
 * reference); adjustable, and higher by default in some Regions.
 */
export const FIREHOSE_DIRECT_PUT_LIMITS = { bytesPerSecond: 5 * MIB, recordsPerSecond: 5000, requestsPerSecond: 2000 } as const;

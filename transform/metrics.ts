/**
 * The per-invocation summary: one structured log line that is also a CloudWatch Embedded Metric Format
 * document, plus one EMF line per rejection reason. Nothing here ever contains a log message, so the
 * function's own log group cannot feed the pipeline.
 */
import type { RecordFailureReason, RejectReason } from './types.ts';

export interface BatchStats {
  readonly recordsIn: number;
  readonly recordsOk: number;
  readonly recordsDropped: number;
  readonly recordsFailed: number;
  readonly recordsReingested: number;
  readonly meterRecordsOut: number;
  readonly rejectedMeterRecords: number;
  readonly rejectedByReason: Readonly<Partial<Record<RejectReason, number>>>;
  readonly failedByReason: Readonly<Partial<Record<RecordFailureReason, number>>>;
  /**
   * Meter records written and rejected, by the AWS account that sent them (the payload's `owner`; `other` for an
   * owner that is not a 12-digit account id). Logged in the summary, not published as a metric dimension: one
   * dimension value per sender account would multiply the metrics with every account added.
   */
  readonly byOwner: Readonly<Record<string, OwnerCounts>>;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly reingestPayloads: number;
  readonly reingestPayloadsFailed: number;
  readonly reingestRetries: number;
  readonly reingestLastError?: string;
}

export interface OwnerCounts {
  readonly meterRecordsOut: number;
  readonly rejectedMeterRecords: number;
}

/** The metrics published for every invocation, in the order they appear in the EMF document. */
export const METRICS = [
  ['RecordsIn', 'recordsIn', 'Count'],
  ['RecordsOk', 'recordsOk', 'Count'],
  ['RecordsDropped', 'recordsDropped', 'Count'],
  ['RecordsFailed', 'recordsFailed', 'Count'],
  ['RecordsReingested', 'recordsReingested', 'Count'],
  ['MeterRecordsOut', 'meterRecordsOut', 'Count'],
  ['RejectedMeterRecords', 'rejectedMeterRecords', 'Count'],
  ['BytesIn', 'bytesIn', 'Bytes'],
  ['BytesOut', 'bytesOut', 'Bytes'],
] as const satisfies readonly (readonly [string, keyof BatchStats, string])[];

export interface SummaryContext {
  readonly namespace: string;
  readonly pipeline: string;
  readonly invocationId: string;
  readonly deliveryStreamArn: string;
  readonly timestamp: number;
}

function emfMetadata(context: SummaryContext, dimensions: readonly string[], metrics: readonly (readonly [string, string])[]) {
  return {
    Timestamp: context.timestamp,
    CloudWatchMetrics: [
      {
        Namespace: context.namespace,
        Dimensions: [dimensions],
        Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })),
      },
    ],
  };
}

/** The log lines (JSON) to write for one invocation. */
export function summaryLines(stats: BatchStats, context: SummaryContext): string[] {
  const summary: Record<string, unknown> = {
    level: stats.recordsFailed > 0 ? 'WARN' : 'INFO',
    message: 'Firehose batch transformed',
    invocationId: context.invocationId,
    deliveryStreamArn: context.deliveryStreamArn,
    Pipeline: context.pipeline,
    _aws: emfMetadata(context, ['Pipeline'], METRICS.map(([name, , unit]) => [name, unit])),
  };
  for (const [name, key] of METRICS) summary[name] = stats[key];
  summary.rejectedByReason = stats.rejectedByReason;
  summary.failedByReason = stats.failedByReason;
  summary.byOwner = stats.byOwner;
  summary.reingest = {
    payloads: stats.reingestPayloads,
    failedPayloads: stats.reingestPayloadsFailed,
    retriedEntries: stats.reingestRetries,
    ...(stats.reingestLastError === undefined ? {} : { lastError: stats.reingestLastError }),
  };
  const lines = [JSON.stringify(summary)];
  for (const [reason, count] of Object.entries(stats.rejectedByReason)) {
    lines.push(
      JSON.stringify({
        _aws: emfMetadata(context, ['Pipeline', 'Reason'], [['RejectedMeterRecords', 'Count']]),
        Pipeline: context.pipeline,
        Reason: reason,
        RejectedMeterRecords: count,
      }),
    );
  }
  return lines;
}

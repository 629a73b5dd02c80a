/**
 * Data contracts of the transform: what it reads (CloudWatch Logs subscription payloads), what it writes
 * (Amberflo ingest records) and what it re-ingests for the error prefix (rejects payloads).
 */
// @ts-nocheck


/** One Amberflo ingest record, as written (one per line) to the Amberflo bucket's ingest prefix. */
export interface MeterRecord {
  readonly meterApiName: string;
  readonly customerId: string;
  readonly meterTimeInMillis: number;
  readonly meterValue: number;
  readonly uniqueId: string;
  readonly dimensions?: Readonly<Record<string, string>>;
}

export interface LogEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

/** The gunzipped body of a CloudWatch Logs subscription delivery. Unknown fields are tolerated. */
export interface CloudWatchLogsPayload {
  readonly messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly LogEvent[];
  readonly policyLevel?: string;
  /**
   * Set by the transform on the pieces it re-ingests when a record is too large for one response: how many
   * times its events went round (1 for the pieces of an original record). Capped by MAX_REINGEST_GENERATIONS.
   */
  readonly reingestGeneration?: number;
}

/** Machine-readable reasons a meter record (prefix found in a log event) is rejected. */
export const REJECT_REASONS = [
  'MISSING_RECORD',
  'INVALID_JSON',
  'UTIL_INSPECT_OUTPUT',
  'NOT_AN_OBJECT',
  'FORBIDDEN_KEY',
  'UNKNOWN_FIELD',
  'INVALID_METER_API_NAME',
  'INVALID_CUSTOMER_ID',
  'INVALID_METER_VALUE',
  'INVALID_METER_TIME',
  'INVALID_UNIQUE_ID',
  'INVALID_DIMENSIONS',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** One rejected meter record: why, and the log event it came from (kept whole so it can be replayed). */
export interface Reject {
  readonly reason: RejectReason;
  readonly detail: string;
  /** Position of the record in a JSON array after the prefix; absent for a single record. */
  readonly index?: number;
  /** Shared by every reject of the same log event (never copied per record). */
  readonly logEvent: LogEvent;
}

export const REJECTS_MESSAGE_TYPE = 'METER_REJECTS';
export const REJECTS_FORMAT_VERSION = 2;

/** A reject as a rejects payload carries it: its log event is `logEvents[event]` of the payload. */
export interface RejectEntry {
  readonly reason: RejectReason;
  readonly detail: string;
  readonly index?: number;
  readonly event: number;
}

/**
 * What the transform re-ingests (gzipped) for rejected meter records. When it comes back through the
 * stream the transform returns it `ProcessingFailed`, so Firehose writes it, base64 in `rawData`, under the
 * error prefix with `errorCode: Lambda.ProcessingFailedStatus`. Each rejected log event is carried once,
 * however many of its records were rejected, so the payload grows with the input, not records × event size.
 */
export interface RejectsPayload {
  readonly messageType: typeof REJECTS_MESSAGE_TYPE;
  readonly version: typeof REJECTS_FORMAT_VERSION;
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly LogEvent[];
  readonly rejects: readonly RejectEntry[];
}

/** Version 1 of the rejects payload (written before version 2), which copied the log event into each reject. */
export interface RejectsPayloadV1 extends Omit<RejectsPayload, 'version' | 'logEvents' | 'rejects'> {
  readonly version: 1;
  readonly rejects: readonly Reject[];
}

/** Why a whole Firehose record is returned `ProcessingFailed` (reported in logs and metrics). */
export const RECORD_FAILURE_REASONS = [
  'NOT_GZIP_OR_JSON',
  'DECOMPRESSED_TOO_LARGE',
  'INVALID_ENVELOPE',
  'REJECTS_PAYLOAD',
  'REINGEST_FAILED',
  /** A single log event whose output alone exceeds the response budget: splitting cannot make it fit. */
  'OUTPUT_TOO_LARGE',
  /** A re-ingested piece that went round MAX_REINGEST_GENERATIONS times and still does not fit. */
  'REINGEST_GENERATIONS_EXCEEDED',
  /** Fields a re-ingested payload must copy cannot be serialized (JSON nested too deep). */
  'UNSERIALIZABLE',
] as const;
export type RecordFailureReason = (typeof RECORD_FAILURE_REASONS)[number];

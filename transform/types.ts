/**
 * Data contracts of the transform: what it reads (CloudWatch Logs subscription payloads), what it writes
 * (Amberflo ingest records) and what it re-ingests for the error prefix (rejects payloads).
 */

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
  readonly logEvent: LogEvent;
}

export const REJECTS_MESSAGE_TYPE = 'METER_REJECTS';
export const REJECTS_FORMAT_VERSION = 1;

/**
 * What the transform re-ingests (gzipped) for rejected meter records. When it comes back through the
 * stream the transform returns it `ProcessingFailed`, so Firehose writes it, base64 in `rawData`, under the
 * error prefix with `errorCode: Lambda.ProcessingFailedStatus`.
 */
export interface RejectsPayload {
  readonly messageType: typeof REJECTS_MESSAGE_TYPE;
  readonly version: typeof REJECTS_FORMAT_VERSION;
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly rejects: readonly Reject[];
}

/** Why a whole Firehose record is returned `ProcessingFailed` (reported in logs and metrics). */
export const RECORD_FAILURE_REASONS = [
  'NOT_GZIP_OR_JSON',
  'DECOMPRESSED_TOO_LARGE',
  'INVALID_ENVELOPE',
  'REJECTS_PAYLOAD',
  'REINGEST_FAILED',
] as const;
export type RecordFailureReason = (typeof RECORD_FAILURE_REASONS)[number];

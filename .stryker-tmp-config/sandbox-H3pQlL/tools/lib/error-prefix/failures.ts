/**
 * Decodes what lands under the error prefix: each error record's raw data (base64 → gzip → a CloudWatch
 * Logs payload or the transform's rejects payload) becomes the failed log events it carries, with a reason:
 * the transform's reject reason for rejected meter records, Firehose's error code for whole failed records.
 */
// @ts-nocheck

import { gunzipSync } from 'node:zlib';
import type { CloudWatchLogsPayload, LogEvent, RejectsPayload, RejectsPayloadV1 } from '../../../transform/types.ts';
import { REJECTS_MESSAGE_TYPE } from '../../../transform/types.ts';
import { type ErrorRecord, parseErrorObject } from '../delivery/object-layout.ts';
import type { ObjectStore } from '../delivery/object-store.ts';

export type DecodedRawData =
  | { readonly kind: 'rejects'; readonly payload: RejectsPayload | RejectsPayloadV1 }
  | { readonly kind: 'cloudwatch'; readonly payload: CloudWatchLogsPayload }
  | { readonly kind: 'undecodable'; readonly problem: string };

/** Reason given to raw data that is neither gzip nor JSON of a known shape (the transform's name for it). */
export const UNDECODABLE_REASON = 'NOT_GZIP_OR_JSON';

export function decodeRawData(rawData: string): DecodedRawData {
  const bytes = Buffer.from(rawData, 'base64');
  let text: string;
  try {
    text = isGzip(bytes) ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  } catch (error) {
    return { kind: 'undecodable', problem: `gunzip failed: ${(error as Error).message}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'undecodable', problem: `not JSON (${bytes.length} bytes, starts ${JSON.stringify(text.slice(0, 24))})` };
  }
  const fields = (value ?? {}) as Record<string, unknown>;
  if (fields['messageType'] === REJECTS_MESSAGE_TYPE && Array.isArray(fields['rejects'])) {
    return { kind: 'rejects', payload: value as RejectsPayload | RejectsPayloadV1 };
  }
  if ((fields['messageType'] === 'DATA_MESSAGE' || fields['messageType'] === 'CONTROL_MESSAGE') && Array.isArray(fields['logEvents'])) {
    return { kind: 'cloudwatch', payload: value as CloudWatchLogsPayload };
  }
  return { kind: 'undecodable', problem: `JSON of unknown shape (messageType ${JSON.stringify(fields['messageType'])})` };
}

export interface LogSource {
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
}

export interface FailedEvent {
  /** Reject reason (e.g. INVALID_METER_VALUE) or Firehose error code (e.g. Lambda.FunctionError). */
  readonly reason: string;
  readonly detail: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly arrivalTimestamp: number;
  readonly objectKey: string;
  /** Which error record (position in `objectKey`) it came from. */
  readonly recordIndex: number;
  readonly origin: DecodedRawData['kind'];
  readonly source?: LogSource;
  readonly logEvent?: LogEvent;
  /** Position in a JSON array of records, for rejects. */
  readonly index?: number;
}

export interface ErrorRecordAt {
  readonly record: ErrorRecord;
  readonly objectKey: string;
  readonly recordIndex: number;
}

export function failedEventsOf({ record, objectKey, recordIndex }: ErrorRecordAt): FailedEvent[] {
  const base = {
    errorCode: record.errorCode,
    errorMessage: record.errorMessage,
    arrivalTimestamp: record.arrivalTimestamp,
    objectKey,
    recordIndex,
  };
  const decoded = decodeRawData(record.rawData);
  if (decoded.kind === 'undecodable') {
    return [{ ...base, reason: UNDECODABLE_REASON, detail: decoded.problem, origin: 'undecodable' }];
  }
  const source = sourceOf(decoded.payload);
  if (decoded.kind === 'rejects') {
    return rejectedEvents(decoded.payload).map(({ reason, detail, index, logEvent }) => ({
      ...base,
      reason,
      detail,
      origin: 'rejects' as const,
      source,
      ...(logEvent === undefined ? {} : { logEvent }),
      ...(index === undefined ? {} : { index }),
    }));
  }
  return decoded.payload.logEvents.map((logEvent) => ({
    ...base,
    reason: record.errorCode,
    detail: record.errorMessage,
    origin: 'cloudwatch' as const,
    source,
    logEvent,
  }));
}

/** Each reject with its log event: version 2 names it by position in `logEvents`, version 1 carried it along. */
function rejectedEvents(payload: RejectsPayload | RejectsPayloadV1): { reason: string; detail: string; index?: number; logEvent?: LogEvent }[] {
  if (payload.version === 1) return [...payload.rejects];
  return payload.rejects.map(({ reason, detail, index, event }) => {
    const logEvent = payload.logEvents[event];
    return { reason, detail, ...(index === undefined ? {} : { index }), ...(logEvent === undefined ? {} : { logEvent }) };
  });
}

function sourceOf(payload: CloudWatchLogsPayload | RejectsPayload | RejectsPayloadV1): LogSource {
  return { owner: payload.owner, logGroup: payload.logGroup, logStream: payload.logStream, subscriptionFilters: payload.subscriptionFilters };
}

/** When a failed event happened: its log event's time, or the record's arrival when it has none. */
export function eventTime(event: FailedEvent): number {
  return event.logEvent?.timestamp ?? event.arrivalTimestamp;
}

export interface FailureGroup {
  readonly reason: string;
  readonly count: number;
  readonly firstTime: number;
  readonly lastTime: number;
  readonly examples: readonly FailedEvent[];
}

/** Groups failed events by reason, largest group first, keeping the first `examplesPerGroup` of each. */
export function groupFailures(events: readonly FailedEvent[], examplesPerGroup: number): FailureGroup[] {
  const groups = new Map<string, { count: number; firstTime: number; lastTime: number; examples: FailedEvent[] }>();
  for (const event of events) {
    const time = eventTime(event);
    const group = groups.get(event.reason) ?? { count: 0, firstTime: time, lastTime: time, examples: [] };
    group.count += 1;
    group.firstTime = Math.min(group.firstTime, time);
    group.lastTime = Math.max(group.lastTime, time);
    if (group.examples.length < examplesPerGroup) group.examples.push(event);
    groups.set(event.reason, group);
  }
  return [...groups.entries()]
    .map(([reason, group]) => ({ reason, ...group }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

export interface FailureFilter {
  readonly reasons?: readonly string[];
  /** Only events of these log groups (all when empty). */
  readonly logGroups?: readonly string[];
  readonly since?: number;
  readonly until?: number;
}

export function matchesFilter(event: FailedEvent, filter: FailureFilter): boolean {
  const time = eventTime(event);
  return (
    (filter.reasons === undefined || filter.reasons.length === 0 || filter.reasons.includes(event.reason)) &&
    (filter.logGroups === undefined || filter.logGroups.length === 0 || (event.source !== undefined && filter.logGroups.includes(event.source.logGroup))) &&
    (filter.since === undefined || time >= filter.since) &&
    (filter.until === undefined || time < filter.until)
  );
}

/** Reads every error object under `prefix` (gzipped or not) into its error records. */
export async function readErrorRecords(store: ObjectStore, prefix: string, onObject?: (done: number, total: number) => void): Promise<ErrorRecordAt[]> {
  const keys = await store.list(prefix);
  const records: ErrorRecordAt[] = [];
  for (const [position, key] of keys.entries()) {
    const body = await store.get(key);
    const text = (isGzip(body) ? gunzipSync(body) : body).toString('utf8');
    parseErrorObject(text, store.locate(key)).forEach((record, recordIndex) => records.push({ record, objectKey: key, recordIndex }));
    onObject?.(position + 1, keys.length);
  }
  return records;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

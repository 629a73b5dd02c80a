/**
 * Reading rejects payloads back in tests, in one place: when the rejects format changes, only this file does.
 */
import { gunzipSync } from 'node:zlib';
import type { LogEvent, Reject, RejectsPayload } from '../../transform/types.ts';

/** The gunzipped, parsed rejects payload of one re-ingested record. */
export function readRejectsPayload(data: Uint8Array): RejectsPayload {
  return JSON.parse(gunzipSync(data).toString('utf8')) as RejectsPayload;
}

/** The rejects a rejects payload carries, each with its detail and the whole log event it came from. */
export function rejectsOf(payload: RejectsPayload): Reject[] {
  return payload.rejects.map(({ reason, detail: detailAt, index, count, event }) => {
    const detail = payload.details[detailAt] as string;
    const logEvent = payload.logEvents[event] as LogEvent;
    if (index === undefined) return { reason, detail, logEvent };
    return count === undefined ? { reason, detail, index, logEvent } : { reason, detail, index, count, logEvent };
  });
}

/** The fields that say where a rejects payload's rejects came from, without the rejects themselves. */
export function rejectsEnvelope(payload: RejectsPayload): Omit<RejectsPayload, 'logEvents' | 'details' | 'rejects'> {
  const { logEvents: _logEvents, details: _details, rejects: _rejects, ...envelope } = payload;
  return envelope;
}

/** Each rejected record as (reason, log event id, array index when in an array), a run of records one by one. */
export function rejectKeys(payload: RejectsPayload): { reason: Reject['reason']; id: string; index?: number }[] {
  return rejectsOf(payload).flatMap(({ reason, logEvent, index, count }) => {
    if (index === undefined) return [{ reason, id: logEvent.id }];
    return Array.from({ length: count ?? 1 }, (_, i) => ({ reason, id: logEvent.id, index: index + i }));
  });
}

/**
 * Reading rejects payloads back in tests, in one place: when the rejects format changes, only this file does.
 */
// @ts-nocheck

import { gunzipSync } from 'node:zlib';
import type { LogEvent, Reject, RejectsPayload } from '../../transform/types.ts';

/** The gunzipped, parsed rejects payload of one re-ingested record. */
export function readRejectsPayload(data: Uint8Array): RejectsPayload {
  return JSON.parse(gunzipSync(data).toString('utf8')) as RejectsPayload;
}

/** The rejects a rejects payload carries, each with the whole log event it came from. */
export function rejectsOf(payload: RejectsPayload): Reject[] {
  return payload.rejects.map(({ reason, detail, index, event }) => {
    const logEvent = payload.logEvents[event] as LogEvent;
    return index === undefined ? { reason, detail, logEvent } : { reason, detail, index, logEvent };
  });
}

/** The fields that say where a rejects payload's rejects came from, without the rejects themselves. */
export function rejectsEnvelope(payload: RejectsPayload): Omit<RejectsPayload, 'logEvents' | 'rejects'> {
  const { logEvents: _logEvents, rejects: _rejects, ...envelope } = payload;
  return envelope;
}

/** Each reject as (reason, log event id, array index when in an array). */
export function rejectKeys(payload: RejectsPayload): { reason: Reject['reason']; id: string; index?: number }[] {
  return rejectsOf(payload).map(({ reason, logEvent, index }) => (index === undefined ? { reason, id: logEvent.id } : { reason, id: logEvent.id, index }));
}

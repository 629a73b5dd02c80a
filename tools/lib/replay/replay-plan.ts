/**
 * What a replay sends: failed events chosen by reason and time, each log event once. A failed CloudWatch
 * payload whose events are all chosen is re-sent byte for byte; otherwise chosen events are rebuilt into
 * DATA_MESSAGE payloads with their original log group, stream, owner and event ids, so the transform derives
 * the same uniqueIds and a second replay cannot bill twice.
 */
import { gzipPayload, subscriptionPayload } from '../cloudwatch/payloads.ts';
import { type ErrorRecordAt, type FailedEvent, type FailureFilter, type LogSource, failedEventsOf, matchesFilter } from '../error-prefix/failures.ts';
import { DEFAULT_BATCHING, batchLogEvents, partitionKeyFor } from '../cloudwatch/subscription.ts';
import type { LogEvent } from '../../../transform/types.ts';

export interface ReplayPayload {
  readonly source: LogSource;
  readonly events: readonly LogEvent[];
  /** Failed events by reason. */
  readonly reasons: Readonly<Record<string, number>>;
  /** `original`: the failed record's raw data unchanged; `rebuilt`: a new payload of the chosen events. */
  readonly kind: 'original' | 'rebuilt';
  readonly data: Buffer;
  readonly partitionKey: string;
}

export interface ReplayPlan {
  readonly payloads: ReplayPayload[];
  readonly failedEvents: number;
  readonly chosenEvents: number;
  readonly duplicateEvents: number;
  /** Failed records whose raw data could not be decoded, and CONTROL_MESSAGEs: nothing to replay. */
  readonly unreplayable: number;
}

export function planReplay(records: readonly ErrorRecordAt[], filter: FailureFilter): ReplayPlan {
  const seen = new Set<string>();
  const rebuilt = new Map<string, { source: LogSource; events: FailedEvent[] }>();
  const payloads: ReplayPayload[] = [];
  let failedEvents = 0;
  let duplicateEvents = 0;
  let unreplayable = 0;
  // Whole CloudWatch payloads first, so they can go out unchanged; rejects payloads reuse their log events.
  const ordered = [...records].map((record) => ({ record, events: failedEventsOf(record) }));
  ordered.sort((a, b) => rank(a.events) - rank(b.events));
  for (const { record, events } of ordered) {
    failedEvents += events.length;
    const first = events[0];
    if (first === undefined || first.source === undefined || first.logEvent === undefined || first.source.logGroup === '') {
      unreplayable += 1;
      continue;
    }
    const chosen = events.filter((event) => matchesFilter(event, filter));
    // Several rejects of one log event (records of its array) name the same event: it is re-sent once.
    const fresh = chosen.filter((event) => {
      const key = eventKey(event);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    duplicateEvents += chosen.length - fresh.length;
    if (fresh.length === 0) continue;
    if (first.origin === 'cloudwatch' && fresh.length === events.length) {
      payloads.push({
        source: first.source,
        events: fresh.map((event) => event.logEvent as LogEvent),
        reasons: countReasons(fresh),
        kind: 'original',
        data: Buffer.from(record.record.rawData, 'base64'),
        partitionKey: partitionKeyFor(first.source.logGroup, first.source.logStream),
      });
      continue;
    }
    const key = JSON.stringify([first.source.owner, first.source.logGroup, first.source.logStream, first.source.subscriptionFilters]);
    const group = rebuilt.get(key) ?? { source: first.source, events: [] };
    group.events.push(...fresh);
    rebuilt.set(key, group);
  }
  for (const { source, events } of rebuilt.values()) {
    const sorted = [...events].sort((a, b) => (a.logEvent?.timestamp ?? 0) - (b.logEvent?.timestamp ?? 0));
    for (const batch of batchLogEvents(sorted.map(withLogEvent), { ...DEFAULT_BATCHING, windowMs: Number.POSITIVE_INFINITY })) {
      const logEvents = batch.map(({ id, timestamp, message }) => ({ id, timestamp, message }));
      payloads.push({
        source,
        events: logEvents,
        reasons: countReasons(batch.map((entry) => entry.failed)),
        kind: 'rebuilt',
        data: gzipPayload(subscriptionPayload(logEvents, source)),
        partitionKey: partitionKeyFor(source.logGroup, source.logStream),
      });
    }
  }
  const chosenEvents = payloads.reduce((sum, payload) => sum + payload.events.length, 0);
  return { payloads, failedEvents, chosenEvents, duplicateEvents, unreplayable };
}

function rank(events: readonly FailedEvent[]): number {
  return events[0]?.origin === 'cloudwatch' ? 0 : 1;
}

/** A log event's identity: event ids are unique per log group of one account, so the account (owner) is part of it. */
function eventKey(event: FailedEvent): string {
  return JSON.stringify([event.source?.owner, event.source?.logGroup, event.source?.logStream, event.logEvent?.id, event.logEvent?.timestamp]);
}

function withLogEvent(failed: FailedEvent): LogEvent & { readonly failed: FailedEvent } {
  const logEvent = failed.logEvent as LogEvent;
  return { id: logEvent.id, timestamp: logEvent.timestamp, message: logEvent.message, failed };
}

function countReasons(events: readonly FailedEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.reason] = (counts[event.reason] ?? 0) + 1;
  return counts;
}

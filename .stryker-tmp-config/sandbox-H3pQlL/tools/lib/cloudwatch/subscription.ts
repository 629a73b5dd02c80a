/**
 * What a CloudWatch Logs subscription filter sends to its Kinesis destination: the events that match the
 * filter pattern, grouped per log stream into DATA_MESSAGE payloads, each gzipped into one Kinesis record.
 */
// @ts-nocheck

import { createHash } from 'node:crypto';
import type { CloudWatchLogsPayload, LogEvent } from '../../../transform/types.ts';
import { subscriptionPayload } from './payloads.ts';
import type { EventMatcher } from './filter-pattern.ts';
import type { SourceLogEvent } from './log-input.ts';

/** PutLogEvents counts each event as its UTF-8 message plus 26 bytes. */
const EVENT_OVERHEAD_BYTES = 26;

export interface SubscriptionBatching {
  /** Events of one log stream no further apart than this share a delivery. */
  readonly windowMs: number;
  readonly maxEvents: number;
  /** Sum of message bytes plus per-event overhead in one delivery. */
  readonly maxBytes: number;
}

/** One delivery per log stream and second, within PutLogEvents' batch limits (10,000 events, 1 MiB). */
export const DEFAULT_BATCHING: SubscriptionBatching = { windowMs: 1000, maxEvents: 10_000, maxBytes: 1_048_576 };

export interface SubscriptionOptions {
  readonly owner: string;
  readonly filterName: string;
  readonly matches: EventMatcher;
  readonly batching?: SubscriptionBatching;
}

export interface SubscriptionDelivery {
  readonly payload: CloudWatchLogsPayload;
  /** Simulated time the delivery reaches Kinesis: the time of its last event. */
  readonly deliveredAt: number;
  /** Kinesis partition key: one per log stream, as the default `ByLogStream` distribution does. */
  readonly partitionKey: string;
}

export interface SubscriptionResult {
  readonly deliveries: SubscriptionDelivery[];
  readonly matchedEvents: number;
}

export function subscribe(events: readonly SourceLogEvent[], options: SubscriptionOptions): SubscriptionResult {
  const batching = options.batching ?? DEFAULT_BATCHING;
  const byStream = new Map<string, SourceLogEvent[]>();
  let matchedEvents = 0;
  for (const event of events) {
    if (!options.matches(event.message)) continue;
    matchedEvents += 1;
    const key = JSON.stringify([event.logGroup, event.logStream]);
    const streamEvents = byStream.get(key);
    if (streamEvents === undefined) byStream.set(key, [event]);
    else streamEvents.push(event);
  }
  const deliveries: SubscriptionDelivery[] = [];
  for (const streamEvents of byStream.values()) {
    const sorted = [...streamEvents].sort((a, b) => a.timestamp - b.timestamp);
    for (const batch of batchLogEvents(sorted, batching)) {
      const head = batch[0] as SourceLogEvent;
      const last = batch[batch.length - 1] as SourceLogEvent;
      deliveries.push({
        payload: subscriptionPayload(batch.map(toLogEvent), {
          owner: options.owner,
          logGroup: head.logGroup,
          logStream: head.logStream,
          subscriptionFilters: [options.filterName],
        }),
        deliveredAt: last.timestamp,
        partitionKey: partitionKeyFor(head.logGroup, head.logStream),
      });
    }
  }
  deliveries.sort((a, b) => a.deliveredAt - b.deliveredAt);
  return { deliveries, matchedEvents };
}

export function partitionKeyFor(logGroup: string, logStream: string): string {
  return createHash('md5').update(`${logGroup}\n${logStream}`).digest('hex');
}

/** Splits time-ordered events of one log stream into deliveries by window, event count and size. */
export function* batchLogEvents<T extends LogEvent>(events: readonly T[], batching: SubscriptionBatching): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(event.message) + EVENT_OVERHEAD_BYTES;
    const head = batch[0];
    const full = batch.length >= batching.maxEvents || bytes + size > batching.maxBytes;
    if (head !== undefined && (full || event.timestamp - head.timestamp > batching.windowMs)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(event);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

function toLogEvent(event: SourceLogEvent): LogEvent {
  return { id: event.id, timestamp: event.timestamp, message: event.message };
}

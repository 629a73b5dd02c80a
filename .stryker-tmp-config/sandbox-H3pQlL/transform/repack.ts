/**
 * Builds the gzipped payloads the transform re-ingests: smaller CloudWatch-shaped copies of a payload too
 * large for one response, and rejects payloads for the error prefix. Each fits one Kinesis or Firehose record.
 */
// @ts-nocheck

import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsPayload, LogEvent, Reject, RejectEntry, RejectsPayload } from './types.ts';
import { REJECTS_FORMAT_VERSION, REJECTS_MESSAGE_TYPE } from './types.ts';

/**
 * Largest data blob re-ingested as one record: under both Kinesis' 1 MiB record limit (which also counts the
 * partition key) and Firehose's 1,000 KiB.
 */
export const MAX_REINGEST_RECORD_BYTES = 1_000_000;

/** Why a payload could not be packed: an item too large for one record, or fields JSON cannot serialize. */
export type PackFailure = 'REINGEST_FAILED' | 'UNSERIALIZABLE';

export type Packed = { readonly ok: true; readonly payloads: readonly Buffer[] } | { readonly ok: false; readonly reason: PackFailure };

/**
 * Gzips `build(group)` for each group; a group whose gzip is over `maxBytes` is halved until it fits.
 * Fails when a single item cannot fit, or when what is built cannot be serialized: JSON.stringify recurses, so
 * input nested thousands of levels deep (parsed without limit by JSON.parse) throws a RangeError.
 */
function packGzipped<T>(groups: readonly (readonly T[])[], build: (items: readonly T[]) => unknown, maxBytes: number): Packed {
  const payloads: Buffer[] = [];
  const pending = [...groups].reverse();
  while (pending.length > 0) {
    const items = pending.pop() as readonly T[];
    let json: string;
    try {
      json = JSON.stringify(build(items));
    } catch (error) {
      if (error instanceof RangeError) return { ok: false, reason: 'UNSERIALIZABLE' };
      throw error;
    }
    const data = gzipSync(json);
    if (data.length <= maxBytes) {
      payloads.push(data);
    } else if (items.length > 1) {
      const half = Math.ceil(items.length / 2);
      pending.push(items.slice(half), items.slice(0, half));
    } else {
      return { ok: false, reason: 'REINGEST_FAILED' };
    }
  }
  return { ok: true, payloads };
}

/** How many times the events of `payload` were re-ingested as pieces of a larger record (0 for an original). */
export function reingestGenerationOf(payload: CloudWatchLogsPayload): number {
  const generation = payload.reingestGeneration;
  return Number.isSafeInteger(generation) && (generation as number) > 0 ? (generation as number) : 0;
}

/** The fields of a CloudWatch log event, without anything else an event may carry. */
function logEventFields({ id, timestamp, message }: LogEvent): LogEvent {
  return { id, timestamp, message };
}

/**
 * Groups consecutive items so each group's summed weight stays within `maxWeight` and its size within
 * `maxItems` (an item heavier than `maxWeight` goes alone).
 */
export function groupByWeight<T>(items: readonly T[], weights: readonly number[], maxWeight: number, maxItems = Infinity): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let weight = 0;
  items.forEach((item, i) => {
    const itemWeight = weights[i] ?? 0;
    if (current.length > 0 && (current.length === maxItems || weight + itemWeight > maxWeight)) {
      groups.push(current);
      current = [];
      weight = 0;
    }
    current.push(item);
    weight += itemWeight;
  });
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Splits the meter events of `payload` into CloudWatch DATA_MESSAGE payloads whose NDJSON output is at most
 * about `targetOutputLength` each, one generation later than `payload`. Events keep their ids, so the derived
 * uniqueIds do not change. Several events never stay together in one piece, so every split makes progress.
 */
export function splitPayload(
  payload: CloudWatchLogsPayload,
  meterEvents: readonly LogEvent[],
  outputLengths: readonly number[],
  targetOutputLength: number,
  maxBytes = MAX_REINGEST_RECORD_BYTES,
): Packed {
  // Rejected events produce no output but still cost bytes to carry; weigh them by their message size.
  const weights = meterEvents.map((event, i) => Math.max(outputLengths[i] ?? 0, event.message.length));
  let groups = groupByWeight(meterEvents, weights, targetOutputLength);
  if (groups.length === 1 && meterEvents.length > 1) {
    // Within the target by its weights yet too large (multi-byte characters weigh more than their length).
    const half = Math.ceil(meterEvents.length / 2);
    groups = [meterEvents.slice(0, half), meterEvents.slice(half)];
  }
  const { logEvents: _events, reingestGeneration: _generation, ...envelope } = payload;
  const reingestGeneration = reingestGenerationOf(payload) + 1;
  return packGzipped(groups, (logEvents) => ({ ...envelope, reingestGeneration, logEvents: logEvents.map(logEventFields) }), maxBytes);
}

/** The rejects payload of `rejects`: each log event they name once, and each reject pointing at its event. */
function rejectsPayload(envelope: Omit<RejectsPayload, 'logEvents' | 'rejects'>, rejects: readonly Reject[]): RejectsPayload {
  const eventIndexes = new Map<LogEvent, number>();
  const entries = rejects.map(({ reason, detail, index, logEvent }): RejectEntry => {
    let event = eventIndexes.get(logEvent);
    if (event === undefined) {
      event = eventIndexes.size;
      eventIndexes.set(logEvent, event);
    }
    return index === undefined ? { reason, detail, event } : { reason, detail, index, event };
  });
  return { ...envelope, logEvents: [...eventIndexes.keys()].map(logEventFields), rejects: entries };
}

/** Rejects payloads for the rejected records of `payload`, each within `maxBytes` gzipped. */
export function rejectsPayloads(payload: CloudWatchLogsPayload, rejects: readonly Reject[], maxBytes = MAX_REINGEST_RECORD_BYTES): Packed {
  const envelope = {
    messageType: REJECTS_MESSAGE_TYPE,
    version: REJECTS_FORMAT_VERSION,
    owner: payload.owner,
    logGroup: payload.logGroup,
    logStream: payload.logStream,
    subscriptionFilters: payload.subscriptionFilters,
  } as const;
  return packGzipped([rejects], (items) => rejectsPayload(envelope, items), maxBytes);
}

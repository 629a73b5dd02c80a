/**
 * Builds the gzipped payloads the transform re-ingests: smaller CloudWatch-shaped copies of a payload too
 * large for one response, and rejects payloads for the error prefix. Each fits one Kinesis or Firehose record.
 */
import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsPayload, LogEvent, Reject, RejectsPayload } from './types.ts';
import { REJECTS_FORMAT_VERSION, REJECTS_MESSAGE_TYPE } from './types.ts';

/**
 * Largest data blob re-ingested as one record: under both Kinesis' 1 MiB record limit (which also counts the
 * partition key) and Firehose's 1,000 KiB.
 */
export const MAX_REINGEST_RECORD_BYTES = 1_000_000;

/**
 * Gzips `build(group)` for each group; a group whose gzip is over `maxBytes` is halved until it fits.
 * Returns undefined when a single item cannot fit.
 */
function packGzipped<T>(groups: readonly (readonly T[])[], build: (items: readonly T[]) => unknown, maxBytes: number): Buffer[] | undefined {
  const packed: Buffer[] = [];
  const pending = [...groups].reverse();
  while (pending.length > 0) {
    const items = pending.pop() as readonly T[];
    const data = gzipSync(JSON.stringify(build(items)));
    if (data.length <= maxBytes) {
      packed.push(data);
    } else if (items.length > 1) {
      const half = Math.ceil(items.length / 2);
      pending.push(items.slice(half), items.slice(0, half));
    } else {
      return undefined;
    }
  }
  return packed;
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
 * about `targetOutputLength` each. Events keep their ids, so the derived uniqueIds do not change.
 */
export function splitPayload(
  payload: CloudWatchLogsPayload,
  meterEvents: readonly LogEvent[],
  outputLengths: readonly number[],
  targetOutputLength: number,
  maxBytes = MAX_REINGEST_RECORD_BYTES,
): Buffer[] | undefined {
  // Rejected events produce no output but still cost bytes to carry; weigh them by their message size.
  const weights = meterEvents.map((event, i) => Math.max(outputLengths[i] ?? 0, event.message.length));
  const groups = groupByWeight(meterEvents, weights, targetOutputLength);
  return packGzipped(groups, (logEvents) => ({ ...payload, logEvents }), maxBytes);
}

/** Rejects payloads for the rejected records of `payload`, each within `maxBytes` gzipped. */
export function rejectsPayloads(
  payload: CloudWatchLogsPayload,
  rejects: readonly Reject[],
  maxBytes = MAX_REINGEST_RECORD_BYTES,
): Buffer[] | undefined {
  const envelope = {
    messageType: REJECTS_MESSAGE_TYPE,
    version: REJECTS_FORMAT_VERSION,
    owner: payload.owner,
    logGroup: payload.logGroup,
    logStream: payload.logStream,
    subscriptionFilters: payload.subscriptionFilters,
  } as const;
  return packGzipped([rejects], (items): RejectsPayload => ({ ...envelope, rejects: items }), maxBytes);
}

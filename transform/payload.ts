/**
 * One CloudWatch Logs DATA_MESSAGE → its valid meter records as NDJSON, and the rejected ones with reasons, by
 * the general rules: every log event decoded, its record located, parsed, validated and encoded.
 */
import { ByteWriter } from './byte-writer.ts';
import type { TransformConfig } from './config.ts';
import { encodeMeterRecord } from './encode.ts';
import { locateRecord, parseRecordText } from './extract.ts';
import { fastEncodeRecord } from './fast/scanner.ts';
import type { CloudWatchLogsPayload, LogEvent, Reject, RejectReason } from './types.ts';
import { deriveUniqueId, normalizeMeterRecord, uniqueIdPrefix, WHOLE_METER_TIME_RANGE, type MeterTimeWindow } from './validate.ts';

/** The log events that carry the prefix (valid or not): all a re-ingested copy of the payload needs. */
export interface MeterEvents {
  readonly events: readonly LogEvent[];
  /** NDJSON length (UTF-16 code units, as splitPayload weighs it) contributed by each event, in the same order. */
  readonly outputLengths: readonly number[];
}

export interface PayloadResult {
  /** The valid meter records, one NDJSON line each, in log order. */
  readonly ndjson: Buffer;
  readonly meterRecords: number;
  readonly rejects: readonly Reject[];
  /** Computed on demand: only a payload too large for one response needs them. */
  readonly meterEvents: () => MeterEvents;
}

/** What the log events of one payload add up to, as they are transformed in order. */
export class PayloadOutput {
  readonly ndjson: ByteWriter;
  meterRecords = 0;
  readonly rejects: Reject[] = [];
  /** One copy of each distinct detail: records rejected alike (not next to each other) share it. */
  private readonly details = new Map<string, string>();

  constructor(capacity: number) {
    this.ndjson = new ByteWriter(capacity);
  }

  /**
   * Notes a rejected record (`index` in the array `logEvent` carries, if any). The next record of the same array
   * rejected for the same reason and detail extends the previous reject's run instead of adding one.
   */
  reject(logEvent: LogEvent, reason: RejectReason, detail: string, index?: number): void {
    const last = this.rejects.length - 1;
    const previous = this.rejects[last];
    if (
      index !== undefined &&
      previous?.index !== undefined &&
      previous.logEvent === logEvent &&
      previous.index + (previous.count ?? 1) === index &&
      previous.reason === reason &&
      previous.detail === detail
    ) {
      this.rejects[last] = { ...previous, count: (previous.count ?? 1) + 1 };
      return;
    }
    let shared = this.details.get(detail);
    if (shared === undefined) {
      shared = detail;
      this.details.set(detail, detail);
    }
    this.rejects.push(index === undefined ? { reason, detail: shared, logEvent } : { reason, detail: shared, index, logEvent });
  }
}

/** The result of transformLogEvent for an event without the prefix. */
export const NOT_A_METER_EVENT = -1;

/**
 * Transforms one log event by the general rules into `output`. Returns the length of the NDJSON it added (in
 * UTF-16 code units), or NOT_A_METER_EVENT.
 */
export function transformLogEvent(
  logEvent: LogEvent,
  config: TransformConfig,
  output: PayloadOutput,
  timeWindow: MeterTimeWindow = WHOLE_METER_TIME_RANGE,
  idPrefix = '',
): number {
  const located = locateRecord(logEvent.message, config.prefix);
  if (located.kind === 'none') return NOT_A_METER_EVENT;
  if (located.kind === 'text') {
    const derivedId = JSON.stringify(deriveUniqueId(logEvent.id, undefined, idPrefix));
    const line = fastEncodeRecord(located.text, located.start, derivedId, logEvent.timestamp, timeWindow);
    if (line !== undefined) {
      output.ndjson.text(line);
      output.meterRecords++;
      return line.length;
    }
  }
  const extraction = located.kind === 'text' ? parseRecordText(located.text, located.start) : located;
  if (extraction.kind === 'error') {
    output.reject(logEvent, extraction.reason, extraction.detail);
    return 0;
  }
  const { value } = extraction;
  const values: readonly unknown[] = Array.isArray(value) ? value : [value];
  let added = 0;
  for (let i = 0; i < values.length; i++) {
    const index = values === value ? i : undefined;
    const validation = normalizeMeterRecord(values[i], {
      defaultTimeInMillis: logEvent.timestamp,
      derivedUniqueId: deriveUniqueId(logEvent.id, index, idPrefix),
      unknownFields: config.unknownFields,
      timeWindow,
    });
    if (validation.ok) {
      const line = encodeMeterRecord(validation.record);
      output.ndjson.text(line);
      output.meterRecords++;
      added += line.length;
    } else {
      output.reject(logEvent, validation.reason, validation.detail, index);
    }
  }
  return added;
}

export function transformPayload(
  payload: CloudWatchLogsPayload,
  config: TransformConfig,
  timeWindow: MeterTimeWindow = WHOLE_METER_TIME_RANGE,
): PayloadResult {
  const output = new PayloadOutput(4096);
  const events: LogEvent[] = [];
  const outputLengths: number[] = [];
  const idPrefix = uniqueIdPrefix(payload.owner, config.homeAccountId);
  for (const logEvent of payload.logEvents) {
    const added = transformLogEvent(logEvent, config, output, timeWindow, idPrefix);
    if (added === NOT_A_METER_EVENT) continue;
    events.push(logEvent);
    outputLengths.push(added);
  }
  const meterEvents = { events, outputLengths };
  return { ndjson: output.ndjson.written(), meterRecords: output.meterRecords, rejects: output.rejects, meterEvents: () => meterEvents };
}

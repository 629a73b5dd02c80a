/** One CloudWatch Logs DATA_MESSAGE → its valid meter records as NDJSON, and the rejected ones with reasons. */
import type { TransformConfig } from './config.ts';
import { encodeMeterRecord } from './encode.ts';
import { locateRecord, parseRecordText } from './extract.ts';
import { fastEncodeRecord } from './fast-encode.ts';
import type { CloudWatchLogsPayload, LogEvent, Reject } from './types.ts';
import { deriveUniqueId, normalizeMeterRecord } from './validate.ts';

export interface PayloadResult {
  /** The valid meter records, one NDJSON line each, in log order. */
  readonly ndjson: string;
  readonly meterRecords: number;
  readonly rejects: readonly Reject[];
  /** The log events that carry the prefix (valid or not): all a re-ingested copy of the payload needs. */
  readonly meterEvents: readonly LogEvent[];
  /** NDJSON length contributed by each of `meterEvents`, in the same order. */
  readonly meterEventOutputLengths: readonly number[];
}

export function transformPayload(payload: CloudWatchLogsPayload, config: TransformConfig): PayloadResult {
  const { prefix, unknownFields } = config;
  let ndjson = '';
  let meterRecords = 0;
  const rejects: Reject[] = [];
  const meterEvents: LogEvent[] = [];
  const meterEventOutputLengths: number[] = [];
  for (const logEvent of payload.logEvents) {
    const located = locateRecord(logEvent.message, prefix);
    if (located.kind === 'none') continue;
    meterEvents.push(logEvent);
    if (located.kind === 'text') {
      const line = fastEncodeRecord(located.text, located.start, JSON.stringify(logEvent.id), logEvent.timestamp);
      if (line !== undefined) {
        ndjson += line;
        meterRecords++;
        meterEventOutputLengths.push(line.length);
        continue;
      }
    }
    const extraction = located.kind === 'text' ? parseRecordText(located.text, located.start) : located;
    if (extraction.kind === 'error') {
      rejects.push({ reason: extraction.reason, detail: extraction.detail, logEvent });
      meterEventOutputLengths.push(0);
      continue;
    }
    const before = ndjson.length;
    const { value } = extraction;
    const values: readonly unknown[] = Array.isArray(value) ? value : [value];
    for (let i = 0; i < values.length; i++) {
      const index = values === value ? i : undefined;
      const validation = normalizeMeterRecord(values[i], {
        defaultTimeInMillis: logEvent.timestamp,
        derivedUniqueId: deriveUniqueId(logEvent.id, index),
        unknownFields,
      });
      if (validation.ok) {
        ndjson += encodeMeterRecord(validation.record);
        meterRecords++;
      } else {
        rejects.push(
          index === undefined
            ? { reason: validation.reason, detail: validation.detail, logEvent }
            : { reason: validation.reason, detail: validation.detail, index, logEvent },
        );
      }
    }
    meterEventOutputLengths.push(ndjson.length - before);
  }
  return { ndjson, meterRecords, rejects, meterEvents, meterEventOutputLengths };
}

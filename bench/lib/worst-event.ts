/**
 * The worst legal log event: CloudWatch Logs' largest (1 MiB with its 26 bytes of overhead) holding a JSON
 * array of meter records that are all rejected. Every reject names the same log event, so this is where
 * rejects payloads that copied the event per record grew with records × event size.
 */
import { readFile } from 'node:fs/promises';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { DEFAULT_CONFIG } from '../../transform/config.ts';
import { firehoseEvent, gzipPayload, subscriptionPayload } from '../../tools/lib/cloudwatch/payloads.ts';
import { collectGarbage } from './gc.ts';
import { lambdaContext, loadTransform } from './transform-bundle.ts';

/** CloudWatch Logs' maximum event size, less the 26 bytes it counts for each event's metadata. */
export const MAX_MESSAGE_BYTES = 1_048_576 - 26;
/** The event's time, and the arrival time of the record carrying it (so no record is out of the time window). */
const EVENT_TIME = Date.UTC(2026, 10, 25, 9, 0, 0);

/**
 * Arrays of records, each rejected, repeating the records of a shape in turn: the shape of a misspelt field; the
 * shape with most records per byte, whose rejects form one run; and the shape with most rejects that cannot share
 * a run (neighbours differ in reason), which weighs most per byte.
 */
export const WORST_EVENT_SHAPES = {
  'empty-objects': ['{}'],
  'misspelt-field': ['{"meterApiName":"api-calls","customerId":"cust-000123","meterValue":1,"meterVaule":1}'],
  'alternating-reasons': ['{}', '0'],
} as const;
export type WorstEventShape = keyof typeof WORST_EVENT_SHAPES;

/** A log message of exactly MAX_MESSAGE_BYTES: the prefix and an array of the shape's records as long as it fits. */
export function worstMessage(shape: WorstEventShape): { readonly message: string; readonly records: number } {
  const cycle: readonly string[] = WORST_EVENT_SHAPES[shape];
  const head = `${DEFAULT_CONFIG.prefix} [`;
  const records: string[] = [];
  // `[` + records joined by commas + `]`: each record costs its length and one comma, the last one `]`.
  let length = head.length;
  for (let record = cycle[0] as string; length + record.length + 1 <= MAX_MESSAGE_BYTES; record = cycle[records.length % cycle.length] as string) {
    records.push(record);
    length += record.length + 1;
  }
  const body = `${head}${records.join(',')}]`;
  return { message: body.padEnd(MAX_MESSAGE_BYTES, ' '), records: records.length };
}

/** A Firehose event of one Kinesis record holding one CloudWatch batch with the worst event of `shape`. */
export function worstEventInvocation(shape: WorstEventShape, sourceKinesisStreamArn: string): FirehoseTransformationEvent {
  const { message } = worstMessage(shape);
  const payload = subscriptionPayload([{ id: `${String(EVENT_TIME).padStart(20, '0')}${'0'.repeat(36)}`, timestamp: EVENT_TIME, message }]);
  const event = firehoseEvent([gzipPayload(payload)], { sourceKinesisStreamArn });
  for (const record of event.records) {
    record.approximateArrivalTimestamp = EVENT_TIME;
    if (record.kinesisRecordMetadata !== undefined) record.kinesisRecordMetadata.approximateArrivalTimestamp = EVENT_TIME;
  }
  return event;
}

export interface WorstEventRun {
  readonly results: readonly string[];
  /** Fields of the handler's summary line: rejected records, re-ingested payloads, failures by reason. */
  readonly summary?: Readonly<Record<string, unknown>>;
  /** The error the handler threw, if it did. */
  readonly error?: string;
  readonly handlerMs: number;
  readonly baselineRssBytes: number;
  readonly peakRssBytes: number;
}

/** Runs the built handler once on the event in `eventFile`, timing it and noting the process's peak RSS. */
export async function runWorstEvent(eventFile: string): Promise<WorstEventRun> {
  const transform = await loadTransform();
  const event = JSON.parse(await readFile(eventFile, 'utf8')) as FirehoseTransformationEvent;
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0) as typeof process.stdout.write;
  collectGarbage();
  const baselineRssBytes = process.memoryUsage.rss();
  const started = performance.now();
  let results: string[] = [];
  let error: string | undefined;
  try {
    const result = await transform(event, lambdaContext());
    results = result.records.map((record) => record.result);
    // The Lambda runtime serializes the response too.
    JSON.stringify(result);
  } catch (thrown) {
    error = `${(thrown as Error).name}: ${(thrown as Error).message}`;
  }
  const handlerMs = performance.now() - started;
  process.stdout.write = write;
  const summaryLine = lines.find((line) => line.includes('"RecordsIn"'));
  const summary = summaryLine === undefined ? undefined : (JSON.parse(summaryLine) as Record<string, unknown>);
  return {
    results,
    ...(summary === undefined ? {} : { summary: pick(summary, ['RejectedMeterRecords', 'RecordsFailed', 'failedByReason', 'reingest']) }),
    ...(error === undefined ? {} : { error }),
    handlerMs,
    baselineRssBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

function pick(fields: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => key in fields).map((key) => [key, fields[key]]));
}

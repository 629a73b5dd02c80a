/**
 * The traffic the benchmark feeds every contender: gzipped CloudWatch Logs DATA_MESSAGE payloads of meter log
 * lines, grouped into Firehose transformation events the size of real invocations.
 */
import { gunzipSync } from 'node:zlib';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import {
  firehoseEvent,
  gzipPayload,
  meterLogEvents,
  seededRandom,
  subscriptionPayload,
  TRAFFIC_START,
  type LogForm,
} from '../../tools/lib/cloudwatch/payloads.ts';
import { KIB } from './units.ts';

/**
 * The memory and scale measurements take these forms in turn: a batch is one function's log stream, and a
 * function logs in one format, so half the batches are Lambda TEXT lines and half Lambda JSON log lines.
 */
export const WORKLOAD_FORMS: readonly LogForm[] = ['node-text', 'lambda-json'];
/** Events per CloudWatch batch of the memory measurement, taken in turn. */
export const BATCH_EVENTS: readonly number[] = [2_000, 3_000, 4_000];
export const CUSTOMERS = 5_000;
/**
 * Batch shapes of the throughput table: events per CloudWatch subscription payload (one Kinesis record). At
 * moderate traffic CloudWatch Logs delivers small payloads, so the fixed cost per record matters as much as
 * the cost per event.
 */
export const BATCH_SHAPES = {
  small: { minEvents: 10, maxEvents: 200 },
  medium: { minEvents: 200, maxEvents: 1_000 },
  large: { minEvents: 2_000, maxEvents: 4_000 },
} as const;
export type BatchShape = keyof typeof BATCH_SHAPES;
export const SHAPE_NAMES = Object.keys(BATCH_SHAPES) as BatchShape[];
/**
 * The log forms of the throughput table, each read by the transform's fast path: Lambda TEXT lines from
 * Node.js and Python, Lambda JSON log lines (the record in `message`), and structured lines with the record in
 * a field of its own (Powertools Logger).
 */
export const THROUGHPUT_FORMS = ['node-text', 'python-text', 'lambda-json', 'powertools'] as const satisfies readonly LogForm[];
export type ThroughputForm = (typeof THROUGHPUT_FORMS)[number];

/** Batch sizes of the scale table: how cost grows with the events in one batch. */
export const SCALE_BATCH_EVENTS: readonly number[] = [1, 10, 100, 1_000, 10_000];
/** The Lambda processor buffer the construct sets (0.25 MB, as AWS recommends for CloudWatch Logs): gzipped input of one invocation. */
export const PROCESSOR_BUFFER_BYTES = 256 * KIB;

/** One gzipped CloudWatch Logs subscription payload, as one Kinesis record carries it. */
interface Batch {
  readonly gzipped: Buffer;
  readonly events: number;
  readonly decompressedBytes: number;
  /** The latest log event's timestamp (epoch ms). */
  readonly lastTimestamp: number;
}

/** How long after its latest log event an invocation's records reach Firehose: within every meter time window. */
const ARRIVAL_DELAY_MS = 60_000;

/** One Firehose transformation event and what it holds. */
export interface Invocation {
  readonly event: FirehoseTransformationEvent;
  readonly events: number;
  readonly gzippedBytes: number;
  readonly decompressedBytes: number;
}

export interface WorkloadSummary {
  readonly shape: BatchShape;
  readonly form: ThroughputForm;
  readonly invocations: number;
  readonly kinesisRecords: number;
  readonly meterRecords: number;
  readonly gzippedBytes: number;
  readonly decompressedBytes: number;
  /** Events per CloudWatch payload, the shape's range. */
  readonly minEvents: number;
  readonly maxEvents: number;
  readonly customers: number;
  readonly processorBufferBytes: number;
}

/**
 * The `index`th batch of the workload: its own log group and stream, seed and start time, so batches differ
 * and every run generates the same bytes. Forms within a batch are taken in turn from `forms`.
 */
function meterBatch(index: number, events: number, forms: readonly LogForm[]): Batch {
  const logEvents = meterLogEvents(events, {
    forms,
    seed: index + 1,
    customers: CUSTOMERS,
    startTime: TRAFFIC_START + index * 60_000,
  });
  const functionName = `service-${index % 7}`;
  const gzipped = gzipPayload(
    subscriptionPayload(logEvents, {
      logGroup: `/aws/lambda/${functionName}`,
      logStream: `2026/11/25/[$LATEST]${String(index).padStart(32, '0')}`,
    }),
  );
  const lastTimestamp = logEvents.reduce((latest, event) => Math.max(latest, event.timestamp), 0);
  return { gzipped, events, decompressedBytes: gunzipSync(gzipped).length, lastTimestamp };
}

function invocationOf(batches: readonly Batch[]): Invocation {
  return {
    event: firehoseEvent(
      batches.map((batch) => batch.gzipped),
      { arrival: Math.max(...batches.map((batch) => batch.lastTimestamp)) + ARRIVAL_DELAY_MS },
    ),
    events: sum(batches.map((batch) => batch.events)),
    gzippedBytes: sum(batches.map((batch) => batch.gzipped.length)),
    decompressedBytes: sum(batches.map((batch) => batch.decompressedBytes)),
  };
}

/** The `index`th batch of the workload, its form and size taken in turn from WORKLOAD_FORMS and BATCH_EVENTS. */
function workloadBatch(index: number, events: number = BATCH_EVENTS[index % BATCH_EVENTS.length] as number): Batch {
  return meterBatch(index, events, [WORKLOAD_FORMS[index % WORKLOAD_FORMS.length] as LogForm]);
}

/**
 * `count` invocations of batches of one `form`, each of a size drawn (seeded) from the `shape`'s range, filled
 * with whole batches up to the processor buffer.
 */
export function shapedWorkload(shape: BatchShape, form: ThroughputForm, count: number): Invocation[] {
  const { minEvents, maxEvents } = BATCH_SHAPES[shape];
  const random = seededRandom(SHAPE_NAMES.indexOf(shape) * THROUGHPUT_FORMS.length + THROUGHPUT_FORMS.indexOf(form) + 1);
  let batchIndex = 0;
  return fillInvocations(count, () => meterBatch(batchIndex++, minEvents + Math.floor(random() * (maxEvents - minEvents + 1)), [form]));
}

/** `count` invocations of consecutive batches from `nextBatch`, each filled with whole batches up to the processor buffer. */
function fillInvocations(count: number, nextBatch: () => Batch): Invocation[] {
  const invocations: Invocation[] = [];
  let pending = nextBatch();
  while (invocations.length < count) {
    const batches: Batch[] = [];
    let gzippedBytes = 0;
    do {
      batches.push(pending);
      gzippedBytes += pending.gzipped.length;
      pending = nextBatch();
    } while (gzippedBytes + pending.gzipped.length <= PROCESSOR_BUFFER_BYTES);
    invocations.push(invocationOf(batches));
  }
  return invocations;
}

/** One invocation of `events` events in workload batches, the last one cut short. */
export function invocationOfEvents(events: number): Invocation {
  const batches: Batch[] = [];
  for (let index = 0, remaining = events; remaining > 0; index++) {
    const batch = workloadBatch(index, Math.min(remaining, BATCH_EVENTS[index % BATCH_EVENTS.length] as number));
    batches.push(batch);
    remaining -= batch.events;
  }
  return invocationOf(batches);
}

/** One invocation of one batch of `events` events, forms alternating event by event. */
export function singleBatchInvocation(events: number): Invocation {
  return invocationOf([meterBatch(0, events, WORKLOAD_FORMS)]);
}

export function summarize(shape: BatchShape, form: ThroughputForm, invocations: readonly Invocation[]): WorkloadSummary {
  return {
    shape,
    form,
    invocations: invocations.length,
    kinesisRecords: sum(invocations.map((invocation) => invocation.event.records.length)),
    meterRecords: sum(invocations.map((invocation) => invocation.events)),
    gzippedBytes: sum(invocations.map((invocation) => invocation.gzippedBytes)),
    decompressedBytes: sum(invocations.map((invocation) => invocation.decompressedBytes)),
    ...BATCH_SHAPES[shape],
    customers: CUSTOMERS,
    processorBufferBytes: PROCESSOR_BUFFER_BYTES,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/**
 * Builders for what CloudWatch Logs, Kinesis and Firehose hand the transform: realistic Lambda log lines in
 * every supported form, gzipped subscription payloads and Firehose transformation events. Used by the local
 * pipeline, the benchmarks and the tests, so all three exercise the same shapes.
 */
// @ts-nocheck

import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FirehoseTransformationEvent, FirehoseTransformationEventRecord } from 'aws-lambda';
import { RECORD_FIELD } from '../../../transform/extract.ts';
import type { CloudWatchLogsPayload, LogEvent } from '../../../transform/types.ts';

/** The ways a meter record can appear in a log event. */
export const LOG_FORMS = [
  'node-text',
  'python-text',
  'lambda-json',
  'lambda-json-field',
  'powertools',
  'pretty',
  'array',
] as const;
export type LogForm = (typeof LOG_FORMS)[number];


export interface LogLineOptions {
  readonly prefix: string;
  readonly timestamp: number;
  readonly requestId?: string;
  /** Separator between the prefix and the record in text forms (default one space). */
  readonly separator?: string;
  /** Text after the record in text forms (default none; Lambda adds a newline). */
  readonly trailer?: string;
}

/**
 * Formats `record` (an object, or an array of objects for the `array` form) as a CloudWatch log event message
 * would carry it when logged from a Lambda function in the given form.
 */
export function formatLogLine(form: LogForm, record: unknown, options: LogLineOptions): string {
  const { prefix, timestamp } = options;
  const requestId = options.requestId ?? '8f5c3b1e-4b7a-4c55-9d0e-2f1a6b7c8d9e';
  const separator = options.separator ?? ' ';
  const trailer = options.trailer ?? '';
  const iso = new Date(timestamp).toISOString();
  switch (form) {
    case 'node-text':
      return `${iso}\t${requestId}\tINFO\t${prefix}${separator}${JSON.stringify(record)}${trailer}\n`;
    case 'python-text':
      return `[INFO]\t${iso}\t${requestId}\t${prefix}${separator}${JSON.stringify(record)}${trailer}\n`;
    case 'pretty':
      return `${iso}\t${requestId}\tINFO\t${prefix}${separator}${JSON.stringify(record, null, 2)}${trailer}\n`;
    case 'array':
      return `${iso}\t${requestId}\tINFO\t${prefix}${separator}${JSON.stringify(Array.isArray(record) ? record : [record])}${trailer}\n`;
    case 'lambda-json':
      return JSON.stringify({
        timestamp: iso,
        level: 'INFO',
        requestId,
        message: `${prefix}${separator}${JSON.stringify(record)}${trailer}`,
      });
    case 'lambda-json-field':
      return JSON.stringify({ timestamp: iso, level: 'INFO', requestId, message: prefix, [RECORD_FIELD]: record });
    case 'powertools':
      return JSON.stringify({
        level: 'INFO',
        message: prefix,
        timestamp: iso,
        service: 'billing-api',
        cold_start: false,
        function_name: 'orders-handler',
        function_memory_size: '512',
        function_arn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-handler',
        function_request_id: requestId,
        xray_trace_id: '1-6720a7c1-2b3e4f5a6b7c8d9e0f1a2b3c',
        [RECORD_FIELD]: record,
      });
  }
}

let eventSequence = 0n;

/** A CloudWatch-like event id: 56 decimal digits, unique within this process. */
export function nextLogEventId(timestamp: number): string {
  eventSequence += 1n;
  return logEventId(timestamp, eventSequence);
}

/** A CloudWatch-like event id (56 decimal digits) determined by its timestamp and a sequence number. */
export function logEventId(timestamp: number, sequence: number | bigint): string {
  return `${String(timestamp).padStart(20, '0')}${String(sequence).padStart(36, '0')}`.slice(0, 56);
}

export interface PayloadOptions {
  readonly owner?: string;
  readonly logGroup?: string;
  readonly logStream?: string;
  readonly subscriptionFilters?: readonly string[];
  readonly messageType?: CloudWatchLogsPayload['messageType'];
}

export function subscriptionPayload(logEvents: readonly LogEvent[], options: PayloadOptions = {}): CloudWatchLogsPayload {
  return {
    messageType: options.messageType ?? 'DATA_MESSAGE',
    owner: options.owner ?? '123456789012',
    logGroup: options.logGroup ?? '/aws/lambda/orders-handler',
    logStream: options.logStream ?? '2026/11/25/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    subscriptionFilters: options.subscriptionFilters ?? ['meter-records'],
    logEvents,
  };
}

/** CloudWatch Logs' first delivery to a new destination: it only checks the destination is reachable. */
export function controlPayload(options: PayloadOptions = {}): CloudWatchLogsPayload {
  return {
    ...subscriptionPayload(
      [{ id: '', timestamp: Date.now(), message: 'CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.' }],
      { owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], ...options },
    ),
    messageType: 'CONTROL_MESSAGE',
  };
}

export function gzipPayload(payload: unknown): Buffer {
  return gzipSync(JSON.stringify(payload));
}

/** When generated meter traffic starts (meterLogEvents) unless told otherwise. */
export const TRAFFIC_START = Date.UTC(2026, 10, 25, 9, 0, 0);
/**
 * When the records of firehoseEvent reach the pipeline unless told otherwise: an hour after TRAFFIC_START, so
 * generated traffic is within the transform's meter time window whatever the day it runs on.
 */
export const TRAFFIC_ARRIVAL = TRAFFIC_START + 3_600_000;

export interface FirehoseEventOptions {
  readonly sourceKinesisStreamArn?: string;
  readonly deliveryStreamArn?: string;
  readonly region?: string;
  readonly partitionKey?: string;
  /** approximateArrivalTimestamp of every record (epoch ms). @default TRAFFIC_ARRIVAL */
  readonly arrival?: number;
}

/** A Firehose transformation event whose records carry the given data (already gzipped, or any bytes). */
export function firehoseEvent(datas: readonly Buffer[], options: FirehoseEventOptions = {}): FirehoseTransformationEvent {
  const region = options.region ?? 'us-east-1';
  const arrival = options.arrival ?? TRAFFIC_ARRIVAL;
  const records: FirehoseTransformationEventRecord[] = datas.map((data, i) => ({
    recordId: `49656846385960${String(i).padStart(6, '0')}${randomUUID().replaceAll('-', '').slice(0, 20)}`,
    approximateArrivalTimestamp: arrival,
    data: data.toString('base64'),
    kinesisRecordMetadata: {
      shardId: 'shardId-000000000000',
      partitionKey: options.partitionKey ?? randomUUID().replaceAll('-', ''),
      approximateArrivalTimestamp: arrival,
      sequenceNumber: `4965684638596${String(i).padStart(43, '0')}`,
      subsequenceNumber: '0',
    },
  }));
  const event: FirehoseTransformationEvent = {
    invocationId: randomUUID(),
    deliveryStreamArn: options.deliveryStreamArn ?? `arn:aws:firehose:${region}:123456789012:deliverystream/meter-firehose`,
    region,
    records,
  };
  if (options.sourceKinesisStreamArn !== undefined) event.sourceKinesisStreamArn = options.sourceKinesisStreamArn;
  return event;
}

export interface MeterTrafficOptions {
  readonly prefix?: string;
  readonly forms?: readonly LogForm[];
  readonly startTime?: number;
  readonly customers?: number;
  readonly seed?: number;
}

/** Deterministic pseudo-random numbers (mulberry32), so generated traffic is the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METERS = ['api-calls', 'storage-gb-hours', 'compute-seconds', 'emails-sent', 'tokens'] as const;
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'] as const;
const PLANS = ['free', 'team', 'enterprise'] as const;

/**
 * Realistic meter traffic as it passes the subscription filter: `count` log events, each a meter record in
 * one of `forms` (taken in turn), customers, meters and dimensions varying.
 */
export function meterLogEvents(count: number, options: MeterTrafficOptions = {}): LogEvent[] {
  const prefix = options.prefix ?? 'meter_record_for_stream';
  const forms = options.forms ?? ['node-text'];
  const random = seededRandom(options.seed ?? 1);
  const customers = options.customers ?? 500;
  let timestamp = options.startTime ?? TRAFFIC_START;
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const events: LogEvent[] = [];
  for (let i = 0; i < count; i++) {
    timestamp += Math.floor(random() * 20);
    const record = {
      meterApiName: pick(METERS),
      customerId: `cust-${String(Math.floor(random() * customers)).padStart(6, '0')}`,
      meterTimeInMillis: timestamp - Math.floor(random() * 50),
      meterValue: random() < 0.7 ? 1 : Math.round(random() * 10_000) / 100,
      dimensions: { region: pick(REGIONS), plan: pick(PLANS), endpoint: `/v1/orders/${Math.floor(random() * 40)}` },
    };
    const form = forms[i % forms.length] as LogForm;
    events.push({ id: nextLogEventId(timestamp), timestamp, message: formatLogLine(form, record, { prefix, timestamp }) });
  }
  return events;
}

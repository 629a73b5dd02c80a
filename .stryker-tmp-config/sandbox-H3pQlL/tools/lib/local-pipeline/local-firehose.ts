/**
 * A local Firehose delivery stream reading its source (a Kinesis stream, or records put by Direct PUT): it
 * polls the source, batches records by the processor buffer hints, invokes the transformation Lambda with a real-shaped event, checks the response
 * as Firehose does (retrying failed invocations), and buffers the results into S3 objects: transformed data
 * under the data prefix, failed records in the processing-failed layout under the error prefix and, with a
 * backup prefix, every source record as read (S3BackupMode Enabled: raw records back to back). It keeps
 * polling until the source is drained, so records the Lambda re-ingests flow back through it.
 */
// @ts-nocheck

import { gzipSync } from 'node:zlib';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { type BufferHints, DestinationBuffer, type FlushedObject, insertByArrival, takeProcessorBatch } from './buffering.ts';
import { ERROR_CODES, checkTransformationResponse, type CheckedResponse, type InvocationFailure } from './firehose-contract.ts';
import type { LambdaRuntime } from './lambda-runtime.ts';
import { type ErrorRecord, PROCESSING_FAILED_OUTPUT_TYPE, encodeErrorRecords, evaluatePrefix, objectKey } from '../delivery/object-layout.ts';
import type { ObjectStore } from '../delivery/object-store.ts';

export type Compression = 'UNCOMPRESSED' | 'GZIP';

export interface DeliveryStreamSettings {
  readonly name: string;
  readonly version: number;
  readonly region: string;
  readonly accountId: string;
  readonly processorHints: BufferHints;
  readonly destinationHints: BufferHints;
  /** Retries after a failed invocation (Firehose's NumberOfRetries). */
  readonly numberOfRetries: number;
  readonly dataPrefix: string;
  readonly errorPrefix: string;
  /** Firehose's S3 backup of every untransformed source record, under this prefix; none when absent. */
  readonly backupPrefix?: string;
  /** Appended to data object names, with its dot (e.g. `.json`). */
  readonly fileExtension: string;
  readonly compression: Compression;
  /** Safety stop for a transform that keeps re-ingesting. */
  readonly maxInvocations: number;
}

/** A record as Firehose receives it; Kinesis metadata when it was read from a stream. */
export interface SourceRecord {
  /** The Kinesis sequence number, or the record id Direct PUT returned. */
  readonly recordId: string;
  readonly data: Buffer;
  readonly kinesis?: { readonly shardId: string; readonly partitionKey: string };
}

export interface FirehoseSource {
  /** The records that reached the source since the last call. */
  readonly readNew: () => Promise<SourceRecord[]>;
  /** The Kinesis stream Firehose reads; absent for a Direct PUT stream. */
  readonly kinesisStreamArn?: string;
  /** Simulated arrival time of records put by the caller, by record id; others arrive "now". */
  readonly arrivals: ReadonlyMap<string, number>;
  readonly startTime: number;
}

export interface DeliveryDependencies {
  readonly lambda: LambdaRuntime;
  readonly store: ObjectStore;
  readonly newUuid?: () => string;
  readonly onProgress?: (status: DeliveryReport) => void;
}

export interface WrittenObject {
  readonly key: string;
  readonly records: number;
  readonly bytes: number;
  readonly deliveredAt: number;
  readonly oldestArrival: number;
}

export interface DeliveryReport {
  sourceRecords: number;
  /** Records that appeared in the source without being put by the caller: the Lambda's re-ingests. */
  reingestedRecords: number;
  invocations: number;
  failedInvocations: number;
  okRecords: number;
  droppedRecords: number;
  /** Failed source records by Firehose error code. */
  failedRecords: Record<string, number>;
  deliveredMeterRecords: number;
  dataObjects: WrittenObject[];
  errorObjects: WrittenObject[];
  backupObjects: WrittenObject[];
  errorRecords: ErrorRecord[];
  /** From a source record's arrival to the delivery of the object holding its data, weighted by meter records. */
  maxLatencyMs: number;
  meanLatencyMs: number;
  lambdaMsTotal: number;
  lambdaMsMax: number;
  endTime: number;
}

interface PendingRecord {
  readonly record: SourceRecord;
  readonly arrival: number;
  readonly size: number;
}

/** A batch's final outcome, how many invocations it took and the Lambda time they used. */
type BatchOutcome = { readonly attempts: number; readonly lambdaMs: number } & (CheckedResponse | InvocationFailure);

export async function deliverStream(source: FirehoseSource, settings: DeliveryStreamSettings, deps: DeliveryDependencies): Promise<DeliveryReport> {
  const report: DeliveryReport = {
    sourceRecords: 0,
    reingestedRecords: 0,
    invocations: 0,
    failedInvocations: 0,
    okRecords: 0,
    droppedRecords: 0,
    failedRecords: {},
    deliveredMeterRecords: 0,
    dataObjects: [],
    errorObjects: [],
    backupObjects: [],
    errorRecords: [],
    maxLatencyMs: 0,
    meanLatencyMs: 0,
    lambdaMsTotal: 0,
    lambdaMsMax: 0,
    endTime: source.startTime,
  };
  const newUuid = deps.newUuid ?? randomUUID;
  const dataBuffer = new DestinationBuffer<number>(settings.destinationHints);
  const errorBuffer = new DestinationBuffer<ErrorRecord>(settings.destinationHints);
  const backupBuffer = new DestinationBuffer<number>(settings.destinationHints);
  const pending: PendingRecord[] = [];
  let latencyWeightedSum = 0;
  let clock = source.startTime;

  const poll = async (now: number): Promise<void> => {
    for (const record of await source.readNew()) {
      const known = source.arrivals.get(record.recordId);
      if (known === undefined) report.reingestedRecords += 1;
      else report.sourceRecords += 1;
      insertByArrival(pending, { record, arrival: known ?? now, size: record.data.length });
    }
  };

  const writeData = async (objects: FlushedObject<number>[]): Promise<void> => {
    for (const object of objects) {
      const records = object.chunks.reduce((sum, chunk) => sum + chunk.meta, 0);
      const key = objectKey({
        prefix: evaluatePrefix(settings.dataPrefix, { arrivalTimestamp: object.oldestArrival }),
        deliveryStreamName: settings.name,
        deliveryStreamVersion: settings.version,
        timestamp: object.oldestArrival,
        uuid: newUuid(),
        fileExtension: settings.fileExtension,
      });
      await deps.store.put(key, compress(Buffer.concat(object.chunks.map((chunk) => chunk.data)), settings.compression));
      report.dataObjects.push({ key, records, bytes: object.bytes, deliveredAt: object.deliveredAt, oldestArrival: object.oldestArrival });
      for (const chunk of object.chunks) {
        const latency = object.deliveredAt - chunk.arrival;
        report.maxLatencyMs = Math.max(report.maxLatencyMs, latency);
        latencyWeightedSum += latency * chunk.meta;
      }
    }
  };

  const writeErrors = async (objects: FlushedObject<ErrorRecord>[]): Promise<void> => {
    for (const object of objects) {
      const key = objectKey({
        prefix: evaluatePrefix(settings.errorPrefix, {
          arrivalTimestamp: object.oldestArrival,
          errorOutputType: PROCESSING_FAILED_OUTPUT_TYPE,
        }),
        deliveryStreamName: settings.name,
        deliveryStreamVersion: settings.version,
        timestamp: object.oldestArrival,
        uuid: newUuid(),
        fileExtension: settings.compression === 'GZIP' ? '.gz' : '',
      });
      await deps.store.put(key, compress(Buffer.concat(object.chunks.map((chunk) => chunk.data)), settings.compression));
      report.errorObjects.push({ key, records: object.chunks.length, bytes: object.bytes, deliveredAt: object.deliveredAt, oldestArrival: object.oldestArrival });
    }
  };

  const writeBackup = async (objects: FlushedObject<number>[]): Promise<void> => {
    if (settings.backupPrefix === undefined) return;
    for (const object of objects) {
      const key = objectKey({
        prefix: evaluatePrefix(settings.backupPrefix, { arrivalTimestamp: object.oldestArrival }),
        deliveryStreamName: settings.name,
        deliveryStreamVersion: settings.version,
        timestamp: object.oldestArrival,
        uuid: newUuid(),
        fileExtension: '',
      });
      // Source records are gzipped CloudWatch payloads already: the backup is not compressed again.
      await deps.store.put(key, Buffer.concat(object.chunks.map((chunk) => chunk.data)));
      report.backupObjects.push({ key, records: object.chunks.length, bytes: object.bytes, deliveredAt: object.deliveredAt, oldestArrival: object.oldestArrival });
    }
  };

  await poll(clock);
  while (pending.length > 0) {
    if (report.invocations >= settings.maxInvocations) {
      throw new Error(`stopped after ${settings.maxInvocations} Lambda invocations: the source keeps receiving re-ingested records`);
    }
    const batch = takeProcessorBatch(pending, settings.processorHints, clock);
    clock = batch.flushAt;
    await writeData(dataBuffer.flushDue(clock));
    await writeErrors(errorBuffer.flushDue(clock));
    await writeBackup(backupBuffer.flushDue(clock));
    if (settings.backupPrefix !== undefined) {
      for (const { record, arrival } of batch.records) await writeBackup(backupBuffer.add({ at: clock, arrival, data: record.data, meta: 1 }));
    }

    const outcome = await invokeWithRetries(batch.records, source.kinesisStreamArn, settings, deps.lambda, report);
    clock += outcome.lambdaMs;
    for (const { record, arrival } of batch.records) {
      const result =
        outcome.kind === 'checked'
          ? (outcome.outcomes.get(record.recordId) ?? { result: 'Failed' as const, errorCode: ERROR_CODES.missingRecordId, errorMessage: '' })
          : { result: 'Failed' as const, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage };
      if (result.result === 'Ok') {
        report.okRecords += 1;
        const meterRecords = countLines(result.data);
        report.deliveredMeterRecords += meterRecords;
        if (result.data.length > 0) await writeData(dataBuffer.add({ at: clock, arrival, data: result.data, meta: meterRecords }));
      } else if (result.result === 'Dropped') {
        report.droppedRecords += 1;
      } else {
        report.failedRecords[result.errorCode] = (report.failedRecords[result.errorCode] ?? 0) + 1;
        const errorRecord: ErrorRecord = {
          attemptsMade: outcome.attempts,
          arrivalTimestamp: arrival,
          errorCode: result.errorCode,
          errorMessage: result.errorMessage,
          attemptEndingTimestamp: clock,
          rawData: record.data.toString('base64'),
          lambdaArn: deps.lambda.functionArn,
        };
        report.errorRecords.push(errorRecord);
        await writeErrors(errorBuffer.add({ at: clock, arrival, data: Buffer.from(encodeErrorRecords([errorRecord])), meta: errorRecord }));
      }
    }
    await poll(clock);
    report.endTime = clock;
    deps.onProgress?.(report);
  }
  await writeData(dataBuffer.drain());
  await writeErrors(errorBuffer.drain());
  await writeBackup(backupBuffer.drain());
  report.endTime = [...report.dataObjects, ...report.errorObjects].reduce((end, object) => Math.max(end, object.deliveredAt), clock);
  report.meanLatencyMs = report.deliveredMeterRecords === 0 ? 0 : latencyWeightedSum / report.deliveredMeterRecords;
  return report;
}

async function invokeWithRetries(
  records: readonly PendingRecord[],
  kinesisStreamArn: string | undefined,
  settings: DeliveryStreamSettings,
  lambda: LambdaRuntime,
  report: DeliveryReport,
): Promise<BatchOutcome> {
  const recordIds = records.map(({ record }) => record.recordId);
  let failure: InvocationFailure = { kind: 'invocation-failed', errorCode: ERROR_CODES.functionError, errorMessage: '' };
  let lambdaMs = 0;
  for (let attempt = 1; attempt <= settings.numberOfRetries + 1; attempt++) {
    report.invocations += 1;
    const result = await lambda.invoke(transformationEvent(records, kinesisStreamArn, settings));
    lambdaMs += result.durationMs;
    report.lambdaMsTotal += result.durationMs;
    report.lambdaMsMax = Math.max(report.lambdaMsMax, result.durationMs);
    const checked = result.ok
      ? checkTransformationResponse(recordIds, result.responseJson)
      : ({ kind: 'invocation-failed', errorCode: ERROR_CODES.functionError, errorMessage: `${result.errorType}: ${result.errorMessage}` } as const);
    if (checked.kind === 'checked') return { ...checked, attempts: attempt, lambdaMs };
    failure = checked;
  }
  report.failedInvocations += 1;
  return { ...failure, attempts: settings.numberOfRetries + 1, lambdaMs };
}

/** The event Firehose sends: with the stream's ARN and each record's Kinesis metadata when it reads a stream. */
function transformationEvent(records: readonly PendingRecord[], kinesisStreamArn: string | undefined, settings: DeliveryStreamSettings): FirehoseTransformationEvent {
  return {
    invocationId: randomUUID(),
    deliveryStreamArn: `arn:aws:firehose:${settings.region}:${settings.accountId}:deliverystream/${settings.name}`,
    ...(kinesisStreamArn === undefined ? {} : { sourceKinesisStreamArn: kinesisStreamArn }),
    region: settings.region,
    records: records.map(({ record, arrival }) => ({
      recordId: record.recordId,
      approximateArrivalTimestamp: arrival,
      data: record.data.toString('base64'),
      ...(record.kinesis === undefined
        ? {}
        : {
            kinesisRecordMetadata: {
              shardId: record.kinesis.shardId,
              partitionKey: record.kinesis.partitionKey,
              approximateArrivalTimestamp: arrival,
              sequenceNumber: record.recordId,
              subsequenceNumber: '0',
            },
          }),
    })),
  };
}

function countLines(data: Buffer): number {
  let lines = 0;
  for (let at = data.indexOf(10); at !== -1; at = data.indexOf(10, at + 1)) lines += 1;
  return data.length > 0 && data[data.length - 1] !== 10 ? lines + 1 : lines;
}

function compress(data: Buffer, compression: Compression): Buffer {
  return compression === 'GZIP' ? gzipSync(data) : data;
}

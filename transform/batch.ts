/** One Firehose invocation: decode → extract → validate → encode every record, then re-ingest what must be. */
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import type { TransformConfig } from './config.ts';
import { inflateRecordData, parseRecordJson } from './decode.ts';
import { transformDataMessage } from './fast/fast-payload.ts';
import type { BatchStats } from './metrics.ts';
import { transformPayload, type PayloadResult } from './payload.ts';
import { beforeDeadline, reingest, type ReingestEntry, type ReingestTarget } from './reingest.ts';
import { applyReingestFailures, planResponse, type RecordOutcome, type ReingestJob, type ResponsePlan } from './respond.ts';
import type { CloudWatchLogsPayload, RecordFailureReason, RejectReason } from './types.ts';
import { meterTimeWindow, WHOLE_METER_TIME_RANGE, type MeterTimeWindow } from './validate.ts';

export interface BatchDependencies {
  /** The source to re-ingest into for this event; called only when something must be re-ingested. */
  readonly reingestTarget: (event: FirehoseTransformationEvent) => Promise<ReingestTarget>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface BatchOptions {
  /** Epoch ms by which re-ingest must be over; what is not re-ingested by then fails. */
  readonly deadline?: number;
}

export interface BatchOutput {
  readonly result: FirehoseTransformationResult;
  readonly stats: BatchStats;
}

/** Transforms one Firehose record's data, accepting the meter times in `timeWindow`. */
export function transformRecordData(data: string, config: TransformConfig, timeWindow: MeterTimeWindow = WHOLE_METER_TIME_RANGE): RecordOutcome {
  const inflated = inflateRecordData(data, config.maxDecompressedBytes);
  if (inflated.kind === 'invalid') return { kind: 'failed', reason: inflated.reason, detail: inflated.detail };
  // The common shape is read straight from its bytes; anything else is parsed whole.
  const fast = transformDataMessage(inflated.json, config, timeWindow);
  if (fast !== undefined) return transformedOrDropped(fast.payload, fast.result);
  const decoded = parseRecordJson(inflated.json);
  if (decoded.kind === 'invalid') return { kind: 'failed', reason: decoded.reason, detail: decoded.detail };
  if (decoded.kind === 'rejects') {
    return { kind: 'failed', reason: 'REJECTS_PAYLOAD', detail: 'rejected meter records, bound for the error prefix' };
  }
  const { payload } = decoded;
  if (payload.messageType === 'CONTROL_MESSAGE') return { kind: 'dropped', cause: 'CONTROL_MESSAGE' };
  return transformedOrDropped(payload, transformPayload(payload, config, timeWindow));
}

function transformedOrDropped(payload: CloudWatchLogsPayload, result: PayloadResult): RecordOutcome {
  if (result.meterRecords === 0 && result.rejects.length === 0) return { kind: 'dropped', cause: 'NO_METER_RECORDS' };
  return { kind: 'transformed', payload, result };
}

interface ReingestOutcome {
  readonly failedJobs: ReadonlySet<ReingestJob>;
  readonly payloads: number;
  readonly retriedEntries: number;
  readonly lastError?: string;
}

async function reingestJobs(
  event: FirehoseTransformationEvent,
  jobs: readonly ReingestJob[],
  config: TransformConfig,
  dependencies: BatchDependencies,
  deadline: number | undefined,
): Promise<ReingestOutcome> {
  const entries: ReingestEntry[] = [];
  const jobOfEntry: ReingestJob[] = [];
  for (const job of jobs) {
    const record = event.records[job.recordIndex];
    const partitionKey = record?.kinesisRecordMetadata?.partitionKey ?? record?.recordId.slice(0, 256) ?? 'reingest';
    for (const data of job.payloads) {
      entries.push({ data, partitionKey });
      jobOfEntry.push(job);
    }
  }
  if (entries.length === 0) return { failedJobs: new Set(), payloads: 0, retriedEntries: 0 };
  let target: ReingestTarget;
  try {
    // Loading the AWS SDK is not free either: the deadline covers it too.
    target = await beforeDeadline(dependencies.reingestTarget(event), deadline ?? Number.POSITIVE_INFINITY);
  } catch (error) {
    return { failedJobs: new Set(jobs), payloads: entries.length, retriedEntries: 0, lastError: (error as Error).message };
  }
  const report = await reingest(entries, target, {
    maxAttempts: config.reingestMaxAttempts,
    baseDelayMs: config.reingestBaseDelayMs,
    ...(deadline === undefined ? {} : { deadline }),
    ...(dependencies.sleep === undefined ? {} : { sleep: dependencies.sleep }),
    ...(dependencies.random === undefined ? {} : { random: dependencies.random }),
  });
  const failedJobs = new Set<ReingestJob>();
  report.delivered.forEach((delivered, i) => {
    if (!delivered) failedJobs.add(jobOfEntry[i] as ReingestJob);
  });
  return {
    failedJobs,
    payloads: entries.length,
    retriedEntries: report.retriedEntries,
    ...(report.lastError === undefined ? {} : { lastError: report.lastError }),
  };
}

const ACCOUNT_ID = /^\d{12}$/;
/** Where records whose payload owner is not an account id are counted. */
export const OTHER_OWNER = 'other';

function countStats(
  event: FirehoseTransformationEvent,
  outcomes: readonly RecordOutcome[],
  plan: ResponsePlan,
  reingested: ReingestOutcome,
): BatchStats {
  const splitRecords = new Set(plan.jobs.filter((job) => job.purpose === 'split').map((job) => job.recordIndex));
  let recordsOk = 0;
  let recordsDropped = 0;
  let recordsFailed = 0;
  let recordsReingested = 0;
  let meterRecordsOut = 0;
  let rejectedMeterRecords = 0;
  let bytesIn = 0;
  let bytesOut = 0;
  const rejectedByReason: Partial<Record<RejectReason, number>> = {};
  const failedByReason: Partial<Record<RecordFailureReason, number>> = {};
  const byOwner = new Map<string, { meterRecordsOut: number; rejectedMeterRecords: number }>();
  const countsOf = (payloadOwner: string) => {
    // Only account ids reach the summary log: an owner is payload text, and the log must never carry the prefix.
    const owner = ACCOUNT_ID.test(payloadOwner) ? payloadOwner : OTHER_OWNER;
    let counts = byOwner.get(owner);
    if (counts === undefined) byOwner.set(owner, (counts = { meterRecordsOut: 0, rejectedMeterRecords: 0 }));
    return counts;
  };
  plan.records.forEach((record, i) => {
    const outcome = outcomes[i] as RecordOutcome;
    bytesIn += Math.floor(((event.records[i]?.data.length ?? 0) * 3) / 4);
    if (record.result === 'Ok') {
      recordsOk++;
      if (outcome.kind === 'transformed') {
        meterRecordsOut += outcome.result.meterRecords;
        countsOf(outcome.payload.owner).meterRecordsOut += outcome.result.meterRecords;
        bytesOut += outcome.result.ndjson.length;
      }
    } else if (record.result === 'ProcessingFailed') {
      recordsFailed++;
      const reason = plan.failures.get(i);
      if (reason !== undefined) failedByReason[reason] = (failedByReason[reason] ?? 0) + 1;
    } else if (splitRecords.has(i)) {
      recordsReingested++;
    } else {
      recordsDropped++;
    }
    // Rejections of a re-ingested record are counted when its pieces come back.
    if (outcome.kind === 'transformed' && !splitRecords.has(i)) {
      const owner = outcome.result.rejects.length > 0 ? countsOf(outcome.payload.owner) : undefined;
      for (const reject of outcome.result.rejects) {
        const records = reject.count ?? 1;
        rejectedByReason[reject.reason] = (rejectedByReason[reject.reason] ?? 0) + records;
        rejectedMeterRecords += records;
        if (owner !== undefined) owner.rejectedMeterRecords += records;
      }
    }
  });
  return {
    recordsIn: event.records.length,
    recordsOk,
    recordsDropped,
    recordsFailed,
    recordsReingested,
    meterRecordsOut,
    rejectedMeterRecords,
    rejectedByReason,
    failedByReason,
    byOwner: Object.fromEntries(byOwner),
    bytesIn,
    bytesOut,
    reingestPayloads: reingested.payloads,
    reingestPayloadsFailed: [...reingested.failedJobs].reduce((sum, job) => sum + job.payloads.length, 0),
    reingestRetries: reingested.retriedEntries,
    ...(reingested.lastError === undefined ? {} : { reingestLastError: reingested.lastError }),
  };
}

/**
 * Transforms every record of `event`. A record's meter times are judged against its arrival in the pipeline
 * (approximateArrivalTimestamp), so the same event always gets the same result.
 */
export async function transformBatch(
  event: FirehoseTransformationEvent,
  config: TransformConfig,
  dependencies: BatchDependencies,
  options: BatchOptions = {},
): Promise<BatchOutput> {
  const outcomes = event.records.map((record) =>
    transformRecordData(record.data, config, meterTimeWindow(record.approximateArrivalTimestamp, config)),
  );
  const planned = planResponse(
    event.records.map((record) => record.recordId),
    outcomes,
    config,
  );
  const reingested = await reingestJobs(event, planned.jobs, config, dependencies, options.deadline);
  const plan = applyReingestFailures(planned, reingested.failedJobs);
  return { result: { records: plan.records }, stats: countStats(event, outcomes, plan, reingested) };
}

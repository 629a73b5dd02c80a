/**
 * Decides each record's result under the response budget: what is returned, what is re-ingested, and what
 * fails. Pure: the re-ingest itself happens afterwards, and only turns planned results into ProcessingFailed.
 */
// @ts-nocheck

import type { FirehoseTransformationResultRecord } from 'aws-lambda';
import type { TransformConfig } from './config.ts';
import type { PayloadResult } from './payload.ts';
import { rejectsPayloads, reingestGenerationOf, splitPayload, type Packed } from './repack.ts';
import type { CloudWatchLogsPayload, RecordFailureReason } from './types.ts';

export type RecordOutcome =
  | { readonly kind: 'dropped'; readonly cause: 'CONTROL_MESSAGE' | 'NO_METER_RECORDS' }
  | { readonly kind: 'failed'; readonly reason: RecordFailureReason; readonly detail: string }
  | { readonly kind: 'transformed'; readonly payload: CloudWatchLogsPayload; readonly result: PayloadResult };

export interface ReingestJob {
  readonly recordIndex: number;
  /** `rejects`: rejected records bound for the error prefix; `split`: a record too large for this response. */
  readonly purpose: 'rejects' | 'split';
  readonly payloads: readonly Buffer[];
}

export interface ResponsePlan {
  readonly records: FirehoseTransformationResultRecord[];
  readonly jobs: readonly ReingestJob[];
  /** Why records were planned ProcessingFailed, by index. */
  readonly failures: ReadonlyMap<number, RecordFailureReason>;
}

/** `{"records":[` + `]}` */
const RESPONSE_ENVELOPE_LENGTH = '{"records":[]}'.length;

function entryLength(recordId: string, result: string, base64Length?: number): number {
  const data = base64Length === undefined ? 0 : ',"data":""'.length + base64Length;
  // Counts the comma before the entry; the first entry has none (see planResponse).
  return `,{"recordId":${JSON.stringify(recordId)},"result":"${result}"}`.length + data;
}

/** The serialized length of a response: the exact bytes Lambda returns for it (all ASCII). */
export function responseLength(records: readonly FirehoseTransformationResultRecord[]): number {
  return JSON.stringify({ records }).length;
}

/**
 * The order in which records claim the budget: later generations of re-ingested pieces first (a piece that
 * went round before is not crowded out again by fresh records), then as they came.
 */
function budgetOrder(outcomes: readonly RecordOutcome[]): number[] {
  const generations = outcomes.map((outcome) => (outcome.kind === 'transformed' ? reingestGenerationOf(outcome.payload) : 0));
  return outcomes.map((_, i) => i).sort((a, b) => (generations[b] as number) - (generations[a] as number) || a - b);
}

export function planResponse(
  recordIds: readonly string[],
  outcomes: readonly RecordOutcome[],
  config: Pick<TransformConfig, 'responseBudgetBytes' | 'splitTargetBytes' | 'maxReingestGenerations'>,
): ResponsePlan {
  const records: FirehoseTransformationResultRecord[] = [];
  const jobs: ReingestJob[] = [];
  const failures = new Map<number, RecordFailureReason>();
  // Every record gets at least a short entry; reserve those first so Ok data can never crowd one out.
  let used = RESPONSE_ENVELOPE_LENGTH - (recordIds.length > 0 ? 1 : 0);
  for (const recordId of recordIds) used += entryLength(recordId, 'ProcessingFailed');

  const fail = (recordIndex: number, recordId: string, reason: RecordFailureReason): void => {
    records[recordIndex] = { recordId, result: 'ProcessingFailed' };
    failures.set(recordIndex, reason);
  };

  for (const recordIndex of budgetOrder(outcomes)) {
    const outcome = outcomes[recordIndex] as RecordOutcome;
    const recordId = recordIds[recordIndex] as string;
    if (outcome.kind === 'failed') {
      fail(recordIndex, recordId, outcome.reason);
      continue;
    }
    if (outcome.kind === 'dropped') {
      records[recordIndex] = { recordId, result: 'Dropped' };
      continue;
    }
    const { payload, result } = outcome;
    if (result.meterRecords > 0) {
      const data = result.ndjson;
      const okLength = entryLength(recordId, 'Ok', Math.ceil(data.length / 3) * 4);
      const extra = okLength - entryLength(recordId, 'ProcessingFailed');
      if (used + extra > config.responseBudgetBytes) {
        const split = splitOversized(outcome, okLength, config);
        if (split.ok) {
          records[recordIndex] = { recordId, result: 'Dropped' };
          jobs.push({ recordIndex, purpose: 'split', payloads: split.payloads });
        } else {
          fail(recordIndex, recordId, split.reason);
        }
        continue;
      }
      used += extra;
      records[recordIndex] = { recordId, result: 'Ok', data: data.toString('base64') };
    } else {
      records[recordIndex] = { recordId, result: 'Dropped' };
    }
    if (result.rejects.length > 0) {
      const packed = rejectsPayloads(payload, result.rejects);
      if (packed.ok) jobs.push({ recordIndex, purpose: 'rejects', payloads: packed.payloads });
      else fail(recordIndex, recordId, packed.reason);
    }
  }
  return { records, jobs, failures };
}

/**
 * The pieces to re-ingest for a record whose output does not fit what is left of the budget, or why it must
 * fail instead: it went round too often, or it is one log event too large for any response (a piece of it would
 * be the same record again, forever).
 */
function splitOversized(
  { payload, result }: Extract<RecordOutcome, { kind: 'transformed' }>,
  okLength: number,
  config: Pick<TransformConfig, 'responseBudgetBytes' | 'splitTargetBytes' | 'maxReingestGenerations'>,
): Packed | { readonly ok: false; readonly reason: RecordFailureReason } {
  if (reingestGenerationOf(payload) >= config.maxReingestGenerations) return { ok: false, reason: 'REINGEST_GENERATIONS_EXCEEDED' };
  const { events, outputLengths } = result.meterEvents();
  const packed = splitPayload(payload, events, outputLengths, config.splitTargetBytes);
  // A response holding this record alone (the entry's leading comma is not written for the first record).
  const aloneLength = RESPONSE_ENVELOPE_LENGTH - 1 + okLength;
  if (packed.ok && events.length === 1 && aloneLength > config.responseBudgetBytes) return { ok: false, reason: 'OUTPUT_TOO_LARGE' };
  return packed;
}

/** Turns the records whose re-ingest failed into ProcessingFailed, so Firehose keeps the originals. */
export function applyReingestFailures(plan: ResponsePlan, failedJobs: ReadonlySet<ReingestJob>): ResponsePlan {
  if (failedJobs.size === 0) return plan;
  const records = [...plan.records];
  const failures = new Map(plan.failures);
  for (const job of failedJobs) {
    const original = records[job.recordIndex] as FirehoseTransformationResultRecord;
    records[job.recordIndex] = { recordId: original.recordId, result: 'ProcessingFailed' };
    failures.set(job.recordIndex, 'REINGEST_FAILED');
  }
  return { records, jobs: plan.jobs, failures };
}

/**
 * Memory one invocation needs. The invocation is built and written to a file by one process and run by a
 * fresh one, so the peak RSS the second reports is the transform's alone, as Lambda would bill it.
 */
// @ts-nocheck

import { readFile, writeFile } from 'node:fs/promises';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { DEFAULT_CONFIG } from '../../transform/config.ts';
import { collectGarbage } from './gc.ts';
import { meterRecordsIn, responseBytes } from './output.ts';
import { lambdaContext, loadTransform, type TransformHandler } from './transform-bundle.ts';
import { invocationOfEvents, type Invocation } from './workload.ts';

export const RESPONSE_BUDGET_BYTES = DEFAULT_CONFIG.responseBudgetBytes;
/** The budget invocation's response aims this close under the budget (and must not exceed it). */
const BUDGET_FILL = 0.995;
const BUDGET_SIZING_ATTEMPTS = 8;
const CALIBRATION_EVENTS = 3_000;

export interface PeakMemory {
  readonly meterRecords: number;
  readonly responseBytes: number;
  /** RSS after loading the transform and parsing the event, as at the start of a warm invocation. */
  readonly baselineRssBytes: number;
  readonly peakRssBytes: number;
}

/** Runs the transform once on the event in `eventFile` and reports the process's peak RSS. */
export async function measurePeakMemory(eventFile: string): Promise<PeakMemory> {
  const transform = await loadTransform();
  const event = JSON.parse(await readFile(eventFile, 'utf8')) as FirehoseTransformationEvent;
  collectGarbage();
  const baselineRssBytes = process.memoryUsage.rss();
  const result = await transform(event, lambdaContext());
  // The Lambda runtime serializes the response too, so that string counts towards the peak.
  const bytes = responseBytes(result);
  return {
    meterRecords: meterRecordsIn(result),
    responseBytes: bytes,
    baselineRssBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

export interface InvocationFile {
  readonly events: number;
  readonly kinesisRecords: number;
  readonly gzippedBytes: number;
  readonly decompressedBytes: number;
}

export async function writeInvocation(invocation: Invocation, file: string): Promise<InvocationFile> {
  await writeFile(file, JSON.stringify(invocation.event));
  return {
    events: invocation.events,
    kinesisRecords: invocation.event.records.length,
    gzippedBytes: invocation.gzippedBytes,
    decompressedBytes: invocation.decompressedBytes,
  };
}

export interface BudgetInvocation extends InvocationFile {
  readonly responseBytes: number;
}

/**
 * Writes to `file` the workload invocation with the most events whose response stays just under the
 * response budget with every record in it (nothing left to re-ingest).
 */
export async function writeBudgetInvocation(transform: TransformHandler, file: string): Promise<BudgetInvocation> {
  const calibration = await respond(transform, invocationOfEvents(CALIBRATION_EVENTS));
  let events = Math.floor((CALIBRATION_EVENTS * BUDGET_FILL * RESPONSE_BUDGET_BYTES) / calibration.bytes);
  for (let attempt = 0; attempt < BUDGET_SIZING_ATTEMPTS; attempt++) {
    const invocation = invocationOfEvents(events);
    const response = await respond(transform, invocation);
    const complete = response.delivered === events;
    if (complete && response.bytes <= RESPONSE_BUDGET_BYTES && response.bytes >= 0.99 * RESPONSE_BUDGET_BYTES) {
      return { ...(await writeInvocation(invocation, file)), responseBytes: response.bytes };
    }
    // Scale to the budget; a response that left records out (spilled) says only that it was too large.
    events = Math.floor(events * (complete ? (BUDGET_FILL * RESPONSE_BUDGET_BYTES) / response.bytes : 0.98));
  }
  throw new Error(`no invocation found whose complete response fits ${RESPONSE_BUDGET_BYTES} bytes`);
}

async function respond(
  transform: TransformHandler,
  invocation: Invocation,
): Promise<{ readonly bytes: number; readonly delivered: number }> {
  const result = await transform(invocation.event, lambdaContext());
  return { bytes: responseBytes(result), delivered: meterRecordsIn(result) };
}

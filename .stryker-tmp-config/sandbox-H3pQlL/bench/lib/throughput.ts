/**
 * Throughput of the transform against the floor, the pass-through and the naive extractor on the same
 * invocations, in interleaved rounds so machine noise hits all of them alike.
 */
// @ts-nocheck

import type { FirehoseTransformationEvent } from 'aws-lambda';
import { DEFAULT_CONFIG } from '../../transform/config.ts';
import { floorRead } from './floor.ts';
import { naiveExtract } from './naive.ts';
import { meterRecordsIn, occurrencesIn } from './output.ts';
import { passThrough } from './pass-through.ts';
import { median } from './stats.ts';
import { lambdaContext, type TransformHandler } from './transform-bundle.ts';
import { MB } from './units.ts';
import type { Invocation, WorkloadSummary } from './workload.ts';

export const CONTENDER_NAMES = ['floor', 'pass-through', 'naive', 'transform'] as const;
export type ContenderName = (typeof CONTENDER_NAMES)[number];

export interface Contender {
  readonly name: ContenderName;
  /** Processes one invocation: the timed work. */
  readonly run: (event: FirehoseTransformationEvent) => Promise<void>;
  /** Meter records delivered for one invocation (log events read, for the floor); untimed. */
  readonly count: (event: FirehoseTransformationEvent) => Promise<number>;
}

function contender<Output>(
  name: ContenderName,
  process: (event: FirehoseTransformationEvent) => Output | Promise<Output>,
  recordsIn: (output: Output) => number,
): Contender {
  return {
    name,
    run: async (event) => {
      await process(event);
    },
    count: async (event) => recordsIn(await process(event)),
  };
}

export function contenders(transform: TransformHandler): Contender[] {
  return [
    contender('floor', floorRead, (logEvents) => logEvents),
    // Every log line of the workload carries the prefix once.
    contender('pass-through', passThrough, (result) => occurrencesIn(result, DEFAULT_CONFIG.prefix)),
    contender('naive', naiveExtract, meterRecordsIn),
    contender('transform', (event) => transform(event, lambdaContext()), meterRecordsIn),
  ];
}

export interface ThroughputOptions {
  readonly warmupRounds: number;
  readonly rounds: number;
}

export interface ContenderFigures {
  readonly medianMs: number;
  readonly roundsMs: readonly number[];
  /** Decompressed CloudWatch payload bytes per second, MB = 10^6 bytes. */
  readonly decompressedMBPerS: number;
  readonly meterRecordsPerS: number;
}

/** Transform throughput over each other contender's, from the medians (≥ 1: the transform is faster). */
export interface ThroughputRatios {
  readonly floor: number;
  readonly passThrough: number;
  readonly naive: number;
}

export interface ThroughputCell extends ThroughputOptions {
  readonly workload: WorkloadSummary;
  readonly contenders: Readonly<Record<ContenderName, ContenderFigures>>;
  readonly transformTo: ThroughputRatios;
}

/** Runs every contender once over `invocations`, untimed: warms up the code all of them share. */
export async function warmUp(candidates: readonly Contender[], invocations: readonly Invocation[]): Promise<void> {
  for (const candidate of candidates) await timeRound(candidate, invocations);
}

export async function measureThroughput(
  candidates: readonly Contender[],
  invocations: readonly Invocation[],
  workload: WorkloadSummary,
  options: ThroughputOptions,
): Promise<ThroughputCell> {
  await verifyCounts(candidates, invocations, workload.meterRecords);
  for (let round = 0; round < options.warmupRounds; round++) await warmUp(candidates, invocations);
  const samples = new Map<ContenderName, number[]>(candidates.map((candidate) => [candidate.name, []]));
  for (let round = 0; round < options.rounds; round++) {
    // Each round starts with a different contender, so none always runs right after the same one.
    for (const candidate of rotated(candidates, round)) {
      samples.get(candidate.name)?.push(await timeRound(candidate, invocations));
    }
  }
  const figures = (name: ContenderName): ContenderFigures => {
    const roundsMs = samples.get(name) ?? [];
    const medianMs = median(roundsMs);
    const seconds = medianMs / 1000;
    return {
      medianMs,
      roundsMs,
      decompressedMBPerS: workload.decompressedBytes / MB / seconds,
      meterRecordsPerS: workload.meterRecords / seconds,
    };
  };
  const byName = Object.fromEntries(CONTENDER_NAMES.map((name) => [name, figures(name)])) as Record<ContenderName, ContenderFigures>;
  const over = (name: ContenderName): number => byName[name].medianMs / byName.transform.medianMs;
  return {
    ...options,
    workload,
    contenders: byName,
    transformTo: { floor: over('floor'), passThrough: over('pass-through'), naive: over('naive') },
  };
}

/** Every contender must deliver every record, or the comparison would flatter the one that skipped work. */
async function verifyCounts(
  candidates: readonly Contender[],
  invocations: readonly Invocation[],
  expected: number,
): Promise<void> {
  for (const candidate of candidates) {
    let delivered = 0;
    for (const { event } of invocations) delivered += await candidate.count(event);
    if (delivered !== expected) {
      throw new Error(`${candidate.name} delivered ${delivered} meter records, the workload holds ${expected}`);
    }
  }
}

/**
 * No forced collection between rounds. Every global.gc() made V8 deoptimize the transform's hot functions
 * ("weak objects" in --trace-deopt), so each round re-optimized them and round times swung by a third; the
 * collections V8 starts by itself deoptimize nothing. Each contender pays for the collections its turn
 * triggers, and the rotation spreads that evenly.
 */
async function timeRound(candidate: Contender, invocations: readonly Invocation[]): Promise<number> {
  const start = performance.now();
  for (const { event } of invocations) await candidate.run(event);
  return performance.now() - start;
}

function rotated<T>(values: readonly T[], by: number): T[] {
  const shift = by % values.length;
  return [...values.slice(shift), ...values.slice(0, shift)];
}

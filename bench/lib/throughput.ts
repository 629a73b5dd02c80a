/**
 * Throughput of the transform against the floor and the naive extractor on the same invocations, in
 * interleaved rounds so machine noise hits all three alike.
 */
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { floorRead } from './floor.ts';
import { naiveExtract } from './naive.ts';
import { meterRecordsIn } from './output.ts';
import { median } from './stats.ts';
import { lambdaContext, type TransformHandler } from './transform-bundle.ts';
import { MB } from './units.ts';
import { summarize, type Invocation, type WorkloadSummary } from './workload.ts';

export const CONTENDER_NAMES = ['floor', 'naive', 'transform'] as const;
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

export interface ThroughputResult extends ThroughputOptions {
  readonly workload: WorkloadSummary;
  readonly contenders: Readonly<Record<ContenderName, ContenderFigures>>;
  /** Transform throughput over the floor's (≥ 1 would be faster than just reading the input). */
  readonly transformToFloor: number;
  readonly transformToNaive: number;
}

export async function measureThroughput(
  candidates: readonly Contender[],
  invocations: readonly Invocation[],
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  const workload = summarize(invocations);
  await verifyCounts(candidates, invocations, workload.meterRecords);
  for (let round = 0; round < options.warmupRounds; round++) {
    for (const candidate of candidates) await timeRound(candidate, invocations);
  }
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
  const byName = { floor: figures('floor'), naive: figures('naive'), transform: figures('transform') };
  return {
    ...options,
    workload,
    contenders: byName,
    transformToFloor: byName.floor.medianMs / byName.transform.medianMs,
    transformToNaive: byName.naive.medianMs / byName.transform.medianMs,
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

/** How the transform's time per event grows with the number of events in a batch. */
// @ts-nocheck

import { meterRecordsIn } from './output.ts';
import { median } from './stats.ts';
import { lambdaContext, type TransformHandler } from './transform-bundle.ts';
import type { Invocation } from './workload.ts';

/** Each timing sample repeats small invocations until it spans at least this long, well above clock noise. */
const MIN_SAMPLE_MS = 25;
const SAMPLES = 7;
const WARMUP_INVOCATIONS = 5;

export interface ScaleTiming {
  readonly events: number;
  readonly gzippedBytes: number;
  readonly decompressedBytes: number;
  readonly medianInvocationMs: number;
  readonly microsPerEvent: number;
}

/** Times one invocation per batch size (a single Kinesis record of that many events). */
export async function measureScaleTiming(
  transform: TransformHandler,
  invocations: readonly Invocation[],
): Promise<ScaleTiming[]> {
  for (const invocation of invocations) {
    const delivered = meterRecordsIn(await transform(invocation.event, lambdaContext()));
    if (delivered !== invocation.events) {
      throw new Error(`transform delivered ${delivered} of ${invocation.events} meter records`);
    }
    await timeInvocations(transform, invocation, WARMUP_INVOCATIONS);
  }
  const timings: ScaleTiming[] = [];
  for (const invocation of invocations) {
    const repetitions = await repetitionsPerSample(transform, invocation);
    const samples: number[] = [];
    // No forced collection between samples, for the reason given in throughput.ts.
    for (let i = 0; i < SAMPLES; i++) {
      samples.push((await timeInvocations(transform, invocation, repetitions)) / repetitions);
    }
    const medianInvocationMs = median(samples);
    timings.push({
      events: invocation.events,
      gzippedBytes: invocation.gzippedBytes,
      decompressedBytes: invocation.decompressedBytes,
      medianInvocationMs,
      microsPerEvent: (medianInvocationMs * 1000) / invocation.events,
    });
  }
  return timings;
}

async function repetitionsPerSample(transform: TransformHandler, invocation: Invocation): Promise<number> {
  const onceMs = await timeInvocations(transform, invocation, 1);
  return Math.max(1, Math.ceil(MIN_SAMPLE_MS / Math.max(onceMs, 0.001)));
}

async function timeInvocations(transform: TransformHandler, invocation: Invocation, times: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < times; i++) await transform(invocation.event, lambdaContext());
  return performance.now() - start;
}

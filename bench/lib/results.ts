/** Everything one benchmark run measured, as written to bench/results.json. */
import type { BundleResult } from './bundle.ts';
import type { ColdStartResult } from './cold-start.ts';
import type { Machine } from './machine.ts';
import type { BudgetInvocation, PeakMemory } from './memory.ts';
import type { Revision } from './revision.ts';
import type { ScaleTiming } from './scale.ts';
import type { TargetFigures, TargetResult } from './targets.ts';
import type { ThroughputCell } from './throughput.ts';
import type { WorstEventFigure } from './worst-event-bench.ts';

export interface ScalePoint extends ScaleTiming {
  readonly baselineRssBytes: number;
  readonly peakRssBytes: number;
  /** Peak RSS above the RSS before the invocation, in a fresh process. */
  readonly rssGrowthBytes: number;
}

export interface Measurements {
  readonly machine: Machine;
  /** One cell per batch shape and log form. */
  readonly throughput: readonly ThroughputCell[];
  readonly bundle: BundleResult;
  readonly coldStart: ColdStartResult;
  readonly memory: { readonly invocation: BudgetInvocation; readonly peak: PeakMemory };
  readonly scale: readonly ScalePoint[];
  /** The worst legal event of each shape (bench/lib/worst-event.ts). */
  readonly worstEvent: readonly WorstEventFigure[];
}

export interface BenchResults extends Measurements {
  readonly revision: Revision;
  /** Load average when the last measurement ended: other work starting during a run shows here. */
  readonly loadAverage1mAtEnd: number;
  readonly targets: readonly TargetResult[];
  readonly pass: boolean;
}

export function scalePoint(timing: ScaleTiming, memory: PeakMemory): ScalePoint {
  return {
    ...timing,
    baselineRssBytes: memory.baselineRssBytes,
    peakRssBytes: memory.peakRssBytes,
    rssGrowthBytes: memory.peakRssBytes - memory.baselineRssBytes,
  };
}

/** Per-event `cost` at the largest batch over the per-event cost at the next smaller batch. */
export function perEventGrowth(points: readonly ScalePoint[], cost: (point: ScalePoint) => number): number {
  const [smaller, largest] = points.slice(-2);
  if (smaller === undefined || largest === undefined) throw new Error('growth needs two batch sizes');
  return cost(largest) / largest.events / (cost(smaller) / smaller.events);
}

export function targetFigures(measurements: Measurements): TargetFigures {
  return {
    throughput: measurements.throughput.map((cell) => ({
      cell: `${cell.workload.shape} ${cell.workload.form}`,
      transformTo: cell.transformTo,
    })),
    hotPathBytes: measurements.bundle.hotPathBytes,
    sdkInHotPath: measurements.bundle.sdkInHotPath,
    coldStartImportMs: measurements.coldStart.importMs.median,
    budgetPeakRssBytes: measurements.memory.peak.peakRssBytes,
    scaleTimeGrowth: perEventGrowth(measurements.scale, (point) => point.medianInvocationMs),
    scaleMemoryGrowth: perEventGrowth(measurements.scale, (point) => point.rssGrowthBytes),
    worstEvent: measurements.worstEvent.map((run) => ({
      shape: run.shape,
      handlerMs: run.handlerMs,
      peakRssBytes: run.peakRssBytes,
      failed: run.error !== undefined,
    })),
  };
}

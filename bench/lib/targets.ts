/** The targets of issue 4 and whether a run met them. */
import { KIB, MIB } from './units.ts';
import { SCALE_BATCH_EVENTS } from './workload.ts';

export const TARGETS = {
  minTransformToFloor: 0.6,
  minTransformToNaive: 2,
  maxHotPathBytes: 60 * KIB,
  maxColdStartImportMs: 40,
  maxPeakRssBytes: 256 * MIB,
  /** Per-event cost at the largest batch over the cost at the next smaller; linear growth keeps it near 1. */
  maxScaleGrowth: 2,
} as const;

/** The figures a run is judged on. */
export interface TargetFigures {
  readonly transformToFloor: number;
  readonly transformToNaive: number;
  readonly hotPathBytes: number;
  readonly sdkInHotPath: boolean;
  readonly coldStartImportMs: number;
  readonly budgetPeakRssBytes: number;
  readonly scaleTimeGrowth: number;
  readonly scaleMemoryGrowth: number;
}

export interface TargetResult {
  readonly name: string;
  readonly target: string;
  readonly actual: string;
  readonly pass: boolean;
}

export function evaluateTargets(figures: TargetFigures): TargetResult[] {
  const ratio = (value: number): string => `${value.toFixed(2)}×`;
  const [smaller, largest] = SCALE_BATCH_EVENTS.slice(-2).map((events) => events.toLocaleString('en-US'));
  return [
    {
      name: 'throughput vs floor',
      target: `≥ ${ratio(TARGETS.minTransformToFloor)}`,
      actual: ratio(figures.transformToFloor),
      pass: figures.transformToFloor >= TARGETS.minTransformToFloor,
    },
    {
      name: 'throughput vs naive',
      target: `≥ ${ratio(TARGETS.minTransformToNaive)}`,
      actual: ratio(figures.transformToNaive),
      pass: figures.transformToNaive >= TARGETS.minTransformToNaive,
    },
    {
      name: 'hot-path bundle',
      target: `≤ ${TARGETS.maxHotPathBytes / KIB} KiB`,
      actual: `${(figures.hotPathBytes / KIB).toFixed(1)} KiB`,
      pass: figures.hotPathBytes <= TARGETS.maxHotPathBytes,
    },
    {
      name: 'AWS SDK off the hot path',
      target: 'lazy chunk',
      actual: figures.sdkInHotPath ? 'on the hot path' : 'lazy chunk',
      pass: !figures.sdkInHotPath,
    },
    {
      name: 'cold start (import, median)',
      target: `≤ ${TARGETS.maxColdStartImportMs} ms`,
      actual: `${figures.coldStartImportMs.toFixed(1)} ms`,
      pass: figures.coldStartImportMs <= TARGETS.maxColdStartImportMs,
    },
    {
      name: 'peak RSS at the 6 MB response',
      target: `≤ ${TARGETS.maxPeakRssBytes / MIB} MiB`,
      actual: `${(figures.budgetPeakRssBytes / MIB).toFixed(1)} MiB`,
      pass: figures.budgetPeakRssBytes <= TARGETS.maxPeakRssBytes,
    },
    {
      name: 'time linear in batch size',
      target: `µs/event at ${largest} ≤ ${ratio(TARGETS.maxScaleGrowth)} at ${smaller}`,
      actual: ratio(figures.scaleTimeGrowth),
      pass: figures.scaleTimeGrowth <= TARGETS.maxScaleGrowth,
    },
    {
      name: 'memory linear in batch size',
      target: `RSS growth/event at ${largest} ≤ ${ratio(TARGETS.maxScaleGrowth)} at ${smaller}`,
      actual: ratio(figures.scaleMemoryGrowth),
      pass: figures.scaleMemoryGrowth <= TARGETS.maxScaleGrowth,
    },
  ];
}

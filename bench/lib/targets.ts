/** The targets of issues 4 and 14 (and the worst legal event's) and whether a run met them. */
import { integer, ratio } from './report.ts';
import type { ThroughputRatios } from './throughput.ts';
import { KIB, MIB } from './units.ts';
import { SCALE_BATCH_EVENTS } from './workload.ts';

export const TARGETS = {
  /** Each throughput ratio holds in every cell (batch shape and log form) of the throughput table. */
  minTransformTo: { floor: 1, passThrough: 1.5, naive: 2.5 } satisfies ThroughputRatios,
  maxHotPathBytes: 60 * KIB,
  maxColdStartImportMs: 40,
  maxPeakRssBytes: 256 * MIB,
  /** Per-event cost at the largest batch over the cost at the next smaller; linear growth keeps it near 1. */
  maxScaleGrowth: 2,
  /** The handler's time on the worst legal event of every shape; its peak RSS is held to `maxPeakRssBytes`. */
  maxWorstEventMs: 1_000,
} as const;

/** The figures a run is judged on. */
export interface TargetFigures {
  readonly throughput: readonly { readonly cell: string; readonly transformTo: ThroughputRatios }[];
  readonly hotPathBytes: number;
  readonly sdkInHotPath: boolean;
  readonly coldStartImportMs: number;
  readonly budgetPeakRssBytes: number;
  readonly scaleTimeGrowth: number;
  readonly scaleMemoryGrowth: number;
  /** One per shape of the worst legal event; `failed` when the handler threw. */
  readonly worstEvent: readonly { readonly shape: string; readonly handlerMs: number; readonly peakRssBytes: number; readonly failed: boolean }[];
}

export interface TargetResult {
  readonly name: string;
  readonly target: string;
  readonly actual: string;
  readonly pass: boolean;
}


const CONTENDER_LABELS: Readonly<Record<keyof ThroughputRatios, string>> = {
  floor: 'floor',
  passThrough: 'pass-through',
  naive: 'naive',
};

/** One target per contender, met when the transform's ratio over it holds in the table's worst cell. */
function throughputTargets(cells: TargetFigures['throughput']): TargetResult[] {
  return (Object.keys(CONTENDER_LABELS) as (keyof ThroughputRatios)[]).map((contender) => {
    const minimum = TARGETS.minTransformTo[contender];
    const worst = cells.reduce<TargetFigures['throughput'][number] | undefined>(
      (lowest, cell) => (lowest === undefined || cell.transformTo[contender] < lowest.transformTo[contender] ? cell : lowest),
      undefined,
    );
    if (worst === undefined) throw new Error('no throughput cells');
    return {
      name: `throughput vs ${CONTENDER_LABELS[contender]}, every cell`,
      target: `≥ ${ratio(minimum)}`,
      actual: `${ratio(worst.transformTo[contender])} (worst: ${worst.cell})`,
      pass: worst.transformTo[contender] >= minimum,
    };
  });
}

/** Two targets, time and peak RSS, each met when every shape meets it (a shape whose handler threw meets neither). */
function worstEventTargets(shapes: TargetFigures['worstEvent']): TargetResult[] {
  const check = (name: string, limit: number, figure: (shape: TargetFigures['worstEvent'][number]) => number, show: (value: number) => string, unit: string): TargetResult => {
    const failed = shapes.find((shape) => shape.failed);
    const worst = shapes.reduce<TargetFigures['worstEvent'][number] | undefined>((most, shape) => (most === undefined || figure(shape) > figure(most) ? shape : most), undefined);
    if (worst === undefined) throw new Error('no worst-event shapes');
    return {
      name,
      target: `≤ ${show(limit)} ${unit}`,
      actual: failed === undefined ? `${show(figure(worst))} ${unit} (worst: ${worst.shape})` : `${failed.shape} threw`,
      pass: failed === undefined && figure(worst) <= limit,
    };
  };
  return [
    check('worst legal event, handler time, every shape', TARGETS.maxWorstEventMs, (shape) => shape.handlerMs, (ms) => integer(ms), 'ms'),
    check('worst legal event, peak RSS, every shape', TARGETS.maxPeakRssBytes, (shape) => shape.peakRssBytes, (bytes) => (bytes / MIB).toFixed(1), 'MiB'),
  ];
}

export function evaluateTargets(figures: TargetFigures): TargetResult[] {
  const [smaller, largest] = SCALE_BATCH_EVENTS.slice(-2).map((events) => events.toLocaleString('en-US'));
  return [
    ...throughputTargets(figures.throughput),
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
    ...worstEventTargets(figures.worstEvent),
  ];
}

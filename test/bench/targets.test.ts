import { describe, expect, it } from 'vitest';
import { evaluateTargets, TARGETS, type TargetFigures } from '../../bench/lib/targets.ts';

const meeting: TargetFigures = {
  transformToFloor: TARGETS.minTransformToFloor,
  transformToNaive: TARGETS.minTransformToNaive,
  hotPathBytes: TARGETS.maxHotPathBytes,
  sdkInHotPath: false,
  coldStartImportMs: TARGETS.maxColdStartImportMs,
  budgetPeakRssBytes: TARGETS.maxPeakRssBytes,
  scaleTimeGrowth: TARGETS.maxScaleGrowth,
  scaleMemoryGrowth: TARGETS.maxScaleGrowth,
};

const failing = (figures: TargetFigures): string[] =>
  evaluateTargets(figures)
    .filter((target) => !target.pass)
    .map((target) => target.name);

describe('evaluateTargets', () => {
  it('passes every target met exactly', () => {
    expect(failing(meeting)).toEqual([]);
  });

  it.each<[Partial<TargetFigures>, string]>([
    [{ transformToFloor: 0.59 }, 'throughput vs floor'],
    [{ transformToNaive: 1.99 }, 'throughput vs naive'],
    [{ hotPathBytes: TARGETS.maxHotPathBytes + 1 }, 'hot-path bundle'],
    [{ sdkInHotPath: true }, 'AWS SDK off the hot path'],
    [{ coldStartImportMs: 40.1 }, 'cold start (import, median)'],
    [{ budgetPeakRssBytes: TARGETS.maxPeakRssBytes + 1 }, 'peak RSS at the 6 MB response'],
    [{ scaleTimeGrowth: 2.01 }, 'time linear in batch size'],
    [{ scaleMemoryGrowth: 2.01 }, 'memory linear in batch size'],
  ])('fails only the target a figure misses: %o', (miss, name) => {
    expect(failing({ ...meeting, ...miss })).toEqual([name]);
  });

  it('states the scale check on the two largest batch sizes', () => {
    const time = evaluateTargets(meeting).find((target) => target.name === 'time linear in batch size');
    expect(time?.target).toBe('µs/event at 10,000 ≤ 2.00× at 1,000');
  });
});

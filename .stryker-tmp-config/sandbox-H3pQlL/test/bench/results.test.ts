// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { perEventGrowth, scalePoint, type ScalePoint } from '../../bench/lib/results.ts';

const point = (events: number, medianInvocationMs: number, rssGrowthBytes: number): ScalePoint =>
  scalePoint(
    { events, gzippedBytes: 0, decompressedBytes: 0, medianInvocationMs, microsPerEvent: 0 },
    { meterRecords: events, responseBytes: 0, baselineRssBytes: 1_000, peakRssBytes: 1_000 + rssGrowthBytes },
  );

describe('perEventGrowth', () => {
  const points = [point(100, 50, 1), point(1_000, 1, 4_000), point(10_000, 30, 20_000)];

  it('compares the per-event cost of the two largest batches', () => {
    expect(perEventGrowth(points, (p) => p.medianInvocationMs)).toBeCloseTo(3);
    expect(perEventGrowth(points, (p) => p.rssGrowthBytes)).toBeCloseTo(0.5);
  });

  it('needs two batch sizes', () => {
    expect(() => perEventGrowth(points.slice(0, 1), (p) => p.events)).toThrow(/two batch sizes/);
  });
});

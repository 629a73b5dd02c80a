// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { median, percentile } from '../../bench/lib/stats.ts';

describe('median and percentile', () => {
  it('pick a sample by nearest rank', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([7], 0.9)).toBe(7);
    expect(() => median([])).toThrow(RangeError);
  });
});

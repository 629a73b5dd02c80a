// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { formatTable } from '../../bench/lib/report.ts';

describe('formatTable', () => {
  it('right-aligns numeric columns and left-aligns text', () => {
    expect(formatTable(['name', 'ms'], [['floor', '7.5'], ['transform', '12.25']])).toBe(
      ['  name          ms', '  floor        7.5', '  transform  12.25'].join('\n'),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { evaluateTargets, TARGETS, type TargetFigures } from '../../bench/lib/targets.ts';

const cell = (name: string, transformTo: Partial<TargetFigures['throughput'][number]['transformTo']> = {}) => ({
  cell: name,
  transformTo: { ...TARGETS.minTransformTo, ...transformTo },
});

const meeting: TargetFigures = {
  throughput: [cell('small node-text'), cell('large powertools')],
  hotPathBytes: TARGETS.maxHotPathBytes,
  sdkInHotPath: false,
  coldStartImportMs: TARGETS.maxColdStartImportMs,
  budgetPeakRssBytes: TARGETS.maxPeakRssBytes,
  scaleTimeGrowth: TARGETS.maxScaleGrowth,
  scaleMemoryGrowth: TARGETS.maxScaleGrowth,
  worstEvent: [
    { shape: 'empty-objects', handlerMs: 400, peakRssBytes: TARGETS.maxPeakRssBytes, failed: false },
    { shape: 'alternating-reasons', handlerMs: TARGETS.maxWorstEventMs, peakRssBytes: 100, failed: false },
  ],
};
const worstEvent = (change: Partial<TargetFigures['worstEvent'][number]>) => [meeting.worstEvent[0]!, { ...meeting.worstEvent[1]!, ...change }];

const failing = (figures: TargetFigures): string[] =>
  evaluateTargets(figures)
    .filter((target) => !target.pass)
    .map((target) => target.name);

describe('evaluateTargets', () => {
  it('passes every target met exactly', () => {
    expect(failing(meeting)).toEqual([]);
  });

  it.each<[Partial<TargetFigures>, string]>([
    [{ throughput: [cell('small node-text'), cell('large powertools', { floor: 0.99 })] }, 'throughput vs floor, every cell'],
    [{ throughput: [cell('small node-text', { passThrough: 1.49 })] }, 'throughput vs pass-through, every cell'],
    [{ throughput: [cell('small node-text', { naive: 2.49 }), cell('large powertools')] }, 'throughput vs naive, every cell'],
    [{ hotPathBytes: TARGETS.maxHotPathBytes + 1 }, 'hot-path bundle'],
    [{ sdkInHotPath: true }, 'AWS SDK off the hot path'],
    [{ coldStartImportMs: 40.1 }, 'cold start (import, median)'],
    [{ budgetPeakRssBytes: TARGETS.maxPeakRssBytes + 1 }, 'peak RSS at the 6 MB response'],
    [{ scaleTimeGrowth: 2.01 }, 'time linear in batch size'],
    [{ scaleMemoryGrowth: 2.01 }, 'memory linear in batch size'],
    [{ worstEvent: worstEvent({ handlerMs: TARGETS.maxWorstEventMs + 1 }) }, 'worst legal event, handler time, every shape'],
    [{ worstEvent: worstEvent({ peakRssBytes: TARGETS.maxPeakRssBytes + 1 }) }, 'worst legal event, peak RSS, every shape'],
  ])('fails only the target a figure misses: %o', (miss, name) => {
    expect(failing({ ...meeting, ...miss })).toEqual([name]);
  });

  it('fails both worst-event targets when a shape threw, naming it, and names the worst shape otherwise', () => {
    expect(failing({ ...meeting, worstEvent: worstEvent({ failed: true, handlerMs: 1 }) })).toEqual([
      'worst legal event, handler time, every shape',
      'worst legal event, peak RSS, every shape',
    ]);
    expect(evaluateTargets({ ...meeting, worstEvent: worstEvent({ failed: true }) }).at(-1)?.actual).toBe('alternating-reasons threw');
    const [time, rss] = evaluateTargets(meeting).slice(-2);
    expect(time).toMatchObject({ target: '≤ 1,000 ms', actual: '1,000 ms (worst: alternating-reasons)', pass: true });
    expect(rss).toMatchObject({ target: '≤ 256.0 MiB', actual: '256.0 MiB (worst: empty-objects)', pass: true });
  });

  it('names the worst cell of each throughput ratio', () => {
    const throughput = [cell('small node-text', { floor: 1.2 }), cell('small python-text', { floor: 1.1 }), cell('large powertools', { floor: 1.3 })];
    const floor = evaluateTargets({ ...meeting, throughput }).find((target) => target.name === 'throughput vs floor, every cell');
    expect(floor).toMatchObject({ actual: '1.10× (worst: small python-text)', pass: true });
  });

  it('states the scale check on the two largest batch sizes', () => {
    const time = evaluateTargets(meeting).find((target) => target.name === 'time linear in batch size');
    expect(time?.target).toBe('µs/event at 10,000 ≤ 2.00× at 1,000');
  });
});

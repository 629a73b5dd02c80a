/** The independent count's arithmetic: which minutes are certain, and what the backup must hold of them. */
import { describe, expect, it } from 'vitest';
import { type MinuteCounts, checkForwarded, countRanges, filterKey, filtersToCount, readRange } from '../../reconcile-function/forwarded-check.ts';

const MINUTE = 60_000;
const S = Date.parse('2026-11-25T09:00:00Z');
const E = S + 60 * MINUTE;
const at = (minutes: number) => S + minutes * MINUTE;
const ACCOUNT = '123456789012';
const GROUP = '/aws/lambda/orders-handler';

function perMinute(entries: [number, number][]): MinuteCounts {
  return new Map(entries.map(([minute, events]) => [at(minute), events]));
}

describe('countRanges', () => {
  it('without an earlier object, every whole minute a lag away from both ends is certain', () => {
    const ranges = countRanges({ window: { from: S, until: E }, named: [at(0), at(5)], objectSpanMs: 8 * MINUTE, lagMs: MINUTE });
    expect(ranges.certain).toEqual({ from: at(1), until: at(59) });
    // The objects hold records that arrived from their names to a span later, a lag either way.
    expect(ranges.possible).toEqual({ from: at(-1), until: at(14) });
    expect(readRange(ranges)).toEqual({ from: at(-1), until: at(59) });
  });

  it('an earlier window\'s object may take records for its span: those minutes are not certain; part minutes round inwards', () => {
    const ranges = countRanges({ window: { from: S, until: E }, named: [at(3)], namedBefore: at(-2) - 30_000, objectSpanMs: 8 * MINUTE, lagMs: MINUTE });
    // exclusive from 09:05:30, plus the lag: the first whole minute is 09:07.
    expect(ranges.certain).toEqual({ from: at(7), until: at(59) });
  });

  it('a window shorter than the span and lags has no certain minute; a window without objects holds nothing', () => {
    const ranges = countRanges({ window: { from: S, until: S + 5 * MINUTE }, named: [], namedBefore: at(-1), objectSpanMs: 8 * MINUTE, lagMs: MINUTE });
    expect(ranges.certain).toEqual({ from: at(8), until: at(8) });
    expect(ranges.possible).toEqual({ from: S, until: S });
    // Nothing to read but the (empty) certain range.
    expect(readRange(ranges)).toEqual({ from: at(8), until: at(8) });
  });

  it('reads the minutes of both ranges, and only the non-empty ones', () => {
    const noObjects = countRanges({ window: { from: S, until: S + 60 * MINUTE }, named: [], objectSpanMs: 8 * MINUTE, lagMs: MINUTE });
    expect(readRange(noObjects)).toEqual({ from: at(1), until: at(59) });
    const noCertain = countRanges({ window: { from: S, until: S + 5 * MINUTE }, named: [at(2)], objectSpanMs: 8 * MINUTE, lagMs: MINUTE });
    expect(readRange(noCertain)).toEqual({ from: at(1), until: at(11) });
  });
});

describe('checkForwarded', () => {
  const ranges = countRanges({ window: { from: S, until: E }, named: [at(0), at(5)], objectSpanMs: 8 * MINUTE, lagMs: MINUTE });
  const forwarded = perMinute([[0, 10], [1, 10], [2, 10], [3, 10], [4, 9], [5, 6], [6, 6], [7, 6], [8, 5], [9, 5]]);

  it('counts a minute in a range from its start, never the minute the range ends at', () => {
    const edges = perMinute([[1, 1], [58, 2], [59, 100]]);
    const check = checkForwarded({ ranges, account: ACCOUNT, backup: [], known: [{ logGroup: GROUP, filter: 'f' }] }, new Map([[filterKey({ logGroup: GROUP, filter: 'f' }), edges]]));
    expect(check.filters[0]).toMatchObject({ forwardedCertain: 3, unbacked: 3 });
  });

  it('counts only the pipeline account\'s events of a filter another account names alike', () => {
    const backup = [
      { owner: ACCOUNT, logGroup: GROUP, filter: 'meter-records', events: 67 },
      { owner: '210987654321', logGroup: GROUP, filter: 'meter-records', events: 500 },
    ];
    const check = checkForwarded({ ranges, account: ACCOUNT, backup, known: [] }, new Map([[filterKey({ logGroup: GROUP, filter: 'meter-records' }), forwarded]]));
    expect(check.filters[0]).toMatchObject({ backupEvents: 67, unbacked: 0, beyondForwarded: 0 });
  });

  it('a backup holding everything CloudWatch Logs forwarded has nothing unbacked', () => {
    const check = checkForwarded({ ranges, account: ACCOUNT, backup: [{ owner: ACCOUNT, logGroup: GROUP, filter: 'meter-records', events: 77 }], known: [] }, new Map([[filterKey({ logGroup: GROUP, filter: 'meter-records' }), forwarded]]));
    expect(check.filters).toEqual([{ logGroup: GROUP, filter: 'meter-records', backupEvents: 77, forwardedCertain: 67, forwardedPossible: 77, unbacked: 0, beyondForwarded: 0 }]);
    expect(check.unbacked).toBe(0);
    expect(check.certainMinutes).toEqual({ from: '2026-11-25T09:01:00.000Z', until: '2026-11-25T09:59:00.000Z' });
  });

  it('a lost backup object shows as unbacked events: the certain minutes forwarded more than the backup holds', () => {
    const check = checkForwarded({ ranges, account: ACCOUNT, backup: [{ owner: ACCOUNT, logGroup: GROUP, filter: 'meter-records', events: 49 }], known: [] }, new Map([[filterKey({ logGroup: GROUP, filter: 'meter-records' }), forwarded]]));
    expect(check.filters[0]).toMatchObject({ backupEvents: 49, forwardedCertain: 67, unbacked: 18 });
    expect(check.unbacked).toBe(18);
  });

  it('a filter known from recent reports is checked when the window\'s backup shows nothing of it', () => {
    const known = [{ logGroup: GROUP, filter: 'meter-records' }];
    const check = checkForwarded({ ranges, account: ACCOUNT, backup: [], known }, new Map([[filterKey(known[0]!), forwarded]]));
    expect(check.unbacked).toBe(67);
  });

  it('edge minutes the backup may or may not hold are never judged; more than every minute forwarded is reported, not judged', () => {
    // Only the first minute's 10 events, which an earlier object may hold: nothing certain is missing.
    const edge = checkForwarded({ ranges, account: ACCOUNT, backup: [{ owner: ACCOUNT, logGroup: GROUP, filter: 'f', events: 0 }], known: [] }, new Map([[filterKey({ logGroup: GROUP, filter: 'f' }), perMinute([[0, 10]])]]));
    expect(edge.unbacked).toBe(0);
    const beyond = checkForwarded({ ranges, account: ACCOUNT, backup: [{ owner: ACCOUNT, logGroup: GROUP, filter: 'f', events: 90 }], known: [] }, new Map([[filterKey({ logGroup: GROUP, filter: 'f' }), forwarded]]));
    expect(beyond.filters[0]).toMatchObject({ unbacked: 0, beyondForwarded: 13 });
    expect(beyond.unbacked).toBe(0);
  });

  it('lists filters of other accounts, and filters with no metric, as uncounted with the reason', () => {
    const check = checkForwarded(
      {
        ranges,
        account: ACCOUNT,
        backup: [
          { owner: '210987654321', logGroup: '/aws/lambda/sender', filter: 'meter-records', events: 5 },
          { owner: ACCOUNT, logGroup: GROUP, filter: 'no-metric', events: 3 },
        ],
        known: [],
      },
      new Map(),
    );
    expect(check.filters).toEqual([]);
    expect(check.uncounted).toEqual([
      { logGroup: '/aws/lambda/orders-handler', filter: 'no-metric', reason: 'CloudWatch publishes no ForwardedLogEvents for it' },
      { logGroup: '/aws/lambda/sender', filter: 'meter-records', owner: '210987654321', reason: 'a filter of account 210987654321: its ForwardedLogEvents are in that account' },
    ]);
    expect(check.unbacked).toBe(0);
  });

  it('sums the backup\'s counts of one filter, and keeps an account-level policy apart from a log group\'s filter of the same name', () => {
    const input = {
      ranges,
      account: ACCOUNT,
      backup: [
        { owner: ACCOUNT, filter: 'meters-policy', events: 30 },
        { owner: ACCOUNT, filter: 'meters-policy', events: 20 },
        { owner: ACCOUNT, logGroup: GROUP, filter: 'meters-policy', events: 7 },
      ],
      known: [{ filter: 'meters-policy' }],
    };
    expect(filtersToCount(input)).toEqual([{ logGroup: GROUP, filter: 'meters-policy' }, { filter: 'meters-policy' }]);
    // An account-level policy has no log group at all (not an undefined one): the report names none.
    expect(Object.keys(filtersToCount(input)[1]!)).toEqual(['filter']);
    // Each once, in one order whatever the order given.
    const many = ['c', 'a', 'b', 'a'].map((filter) => ({ owner: ACCOUNT, logGroup: GROUP, filter, events: 1 }));
    expect(filtersToCount({ account: ACCOUNT, backup: many, known: [] }).map((filter) => filter.filter)).toEqual(['a', 'b', 'c']);
    const check = checkForwarded(input, new Map([[filterKey({ filter: 'meters-policy' }), perMinute([[10, 40], [20, 20]])], [filterKey({ logGroup: GROUP, filter: 'meters-policy' }), perMinute([[30, 7]])]]));
    expect(check.filters.map((filter) => [filter.logGroup, filter.backupEvents, filter.forwardedCertain, filter.unbacked])).toEqual([
      [GROUP, 7, 7, 0],
      [undefined, 50, 60, 10],
    ]);
  });
});

/**
 * The independent count: CloudWatch Logs' own `ForwardedLogEvents` per subscription filter against the log events
 * the source backup holds, so a lost or incomplete backup is seen rather than trusted.
 *
 * CloudWatch Logs counts an event in the minute it forwards it; the backup files it by Firehose's arrival, and an
 * object named at time t (its oldest record's arrival) holds records that arrived up to the object span later. So
 * only some minutes are certain: every event forwarded in them must be in the window's objects, because no other
 * object can hold it. The events forwarded in those minutes are a lower bound of what the window's backup must hold;
 * fewer events in the backup means events CloudWatch Logs sent that no backup object has (`unbacked`). The backup
 * may hold more than the certain minutes' count (edge minutes, re-ingested payloads, repeated deliveries), so the
 * other direction is reported, never judged.
 */

import type { SourceEventCount } from '../tools/lib/reconcile/reconcile.ts';

const MINUTE_MS = 60_000;

/**
 * A subscription filter as CloudWatch Logs names it in its payloads and in its metrics' dimensions: a log group's
 * filter, or (no log group) an account-level subscription filter policy, whose metric counts every log group it covers.
 */
export interface SubscriptionFilterId {
  readonly logGroup?: string;
  readonly filter: string;
}

/** Events forwarded per minute (the minute's start, epoch ms), summed over the filter's destination types. */
export type MinuteCounts = ReadonlyMap<number, number>;

/** Reads `ForwardedLogEvents`; a filter CloudWatch publishes no metric for is absent from the result. */
export interface ForwardedCountReader {
  read(filters: readonly SubscriptionFilterId[], range: MinuteRange): Promise<Map<string, MinuteCounts>>;
}

/** Whole minutes, `from` included, `until` excluded (both on a minute). */
export interface MinuteRange {
  readonly from: number;
  readonly until: number;
}

export interface ArrivalLayout {
  /** The window of arrival time: its backup objects are those named in it. */
  readonly window: { readonly from: number; readonly until: number };
  /** Name times of the window's backup objects. */
  readonly named: readonly number[];
  /** The name time of the newest backup object named before the window, if any. */
  readonly namedBefore?: number | undefined;
  /** How long after its name time an object may still take records. */
  readonly objectSpanMs: number;
  /** How far apart CloudWatch Logs' forwarding and Firehose's arrival of an event may be, either way. */
  readonly lagMs: number;
}

export interface CountRanges {
  /** Forwarding minutes whose events only this window's objects can hold (empty when from >= until). */
  readonly certain: MinuteRange;
  /** Forwarding minutes the window's objects can hold events of. */
  readonly possible: MinuteRange;
}

export function countRanges(layout: ArrivalLayout): CountRanges {
  const { window, named, objectSpanMs, lagMs } = layout;
  // Before this, an earlier window's object may still take records; after `window.until`, a later one may.
  const exclusiveFrom = Math.max(window.from, layout.namedBefore === undefined ? window.from : layout.namedBefore + objectSpanMs);
  const certain = { from: ceilMinute(exclusiveFrom + lagMs), until: floorMinute(window.until - lagMs) };
  const possible =
    named.length === 0
      ? { from: window.from, until: window.from }
      : { from: floorMinute(named.reduce((a, b) => Math.min(a, b)) - lagMs), until: ceilMinute(named.reduce((a, b) => Math.max(a, b)) + objectSpanMs + lagMs) };
  return { certain: certain.until > certain.from ? certain : { from: certain.from, until: certain.from }, possible };
}

/** The minutes a reader must return to judge the window: both ranges. */
export function readRange(ranges: CountRanges): MinuteRange {
  const spans = [ranges.certain, ranges.possible].filter((range) => range.until > range.from);
  if (spans.length === 0) return ranges.certain;
  return { from: Math.min(...spans.map((range) => range.from)), until: Math.max(...spans.map((range) => range.until)) };
}

export interface FilterCheck extends SubscriptionFilterId {
  readonly backupEvents: number;
  /** Forwarded in the certain minutes: the backup must hold at least these. */
  readonly forwardedCertain: number;
  /** Forwarded in every minute the window's objects can hold events of. */
  readonly forwardedPossible: number;
  /** Forwarded in the certain minutes and in no backup object: `forwardedCertain - backupEvents` when above 0. */
  readonly unbacked: number;
  /** Backup events beyond every minute's forwarded count (`backupEvents - forwardedPossible` when above 0): reported, not judged. */
  readonly beyondForwarded: number;
}

export interface UncountedFilter extends SubscriptionFilterId {
  readonly owner?: string;
  readonly reason: string;
}

export interface ForwardedCheck {
  readonly certainMinutes: { readonly from: string; readonly until: string };
  readonly filters: readonly FilterCheck[];
  /** Filters the backup shows that have no count to compare with, and why. */
  readonly uncounted: readonly UncountedFilter[];
  /** Events forwarded that no backup object holds, over every filter. */
  readonly unbacked: number;
}

export interface CheckInput {
  readonly ranges: CountRanges;
  /** The pipeline's account: only its own filters' metrics are readable here. */
  readonly account: string;
  /** What the window's backup holds, per filter. */
  readonly backup: readonly SourceEventCount[];
  /** Filters seen before (in recent reports): checked even when this window's backup shows none of their events. */
  readonly known: readonly SubscriptionFilterId[];
}

/** The filters to read a count for: this account's, from the backup and from recent reports, each once. */
export function filtersToCount(input: Pick<CheckInput, 'account' | 'backup' | 'known'>): SubscriptionFilterId[] {
  const filters = new Map<string, SubscriptionFilterId>();
  for (const filter of [...input.backup.filter((count) => count.owner === input.account), ...input.known]) filters.set(filterKey(filter), filterIdOf(filter));
  return [...filters.values()].sort(byFilter);
}

/** Compares each filter's forwarded events with the backup's events. */
export function checkForwarded(input: CheckInput, forwarded: ReadonlyMap<string, MinuteCounts>): ForwardedCheck {
  const backupEvents = new Map<string, number>();
  for (const count of input.backup) if (count.owner === input.account) backupEvents.set(filterKey(count), (backupEvents.get(filterKey(count)) ?? 0) + count.events);
  const filters: FilterCheck[] = [];
  const uncounted: UncountedFilter[] = input.backup
    .filter((count) => count.owner !== input.account)
    .map((count) => ({ ...filterIdOf(count), owner: count.owner, reason: `a filter of account ${count.owner}: its ForwardedLogEvents are in that account` }));
  for (const filter of filtersToCount(input)) {
    const minutes = forwarded.get(filterKey(filter));
    const events = backupEvents.get(filterKey(filter)) ?? 0;
    if (minutes === undefined) {
      uncounted.push({ ...filter, reason: 'CloudWatch publishes no ForwardedLogEvents for it' });
      continue;
    }
    const forwardedCertain = sumIn(minutes, input.ranges.certain);
    const forwardedPossible = sumIn(minutes, input.ranges.possible);
    filters.push({ ...filter, backupEvents: events, forwardedCertain, forwardedPossible, unbacked: Math.max(0, forwardedCertain - events), beyondForwarded: Math.max(0, events - forwardedPossible) });
  }
  return {
    certainMinutes: { from: new Date(input.ranges.certain.from).toISOString(), until: new Date(input.ranges.certain.until).toISOString() },
    filters,
    uncounted: uncounted.sort(byFilter),
    unbacked: filters.reduce((sum, filter) => sum + filter.unbacked, 0),
  };
}

export function filterKey(filter: SubscriptionFilterId): string {
  return JSON.stringify([filter.logGroup ?? null, filter.filter]);
}

/** Only a filter's id fields (no count, no owner), and no log group key for an account-level policy. */
export function filterIdOf(filter: SubscriptionFilterId): SubscriptionFilterId {
  return filter.logGroup === undefined ? { filter: filter.filter } : { logGroup: filter.logGroup, filter: filter.filter };
}

function sumIn(minutes: MinuteCounts, range: MinuteRange): number {
  let sum = 0;
  for (const [minute, events] of minutes) if (minute >= range.from && minute < range.until) sum += events;
  return sum;
}

function byFilter(a: SubscriptionFilterId, b: SubscriptionFilterId): number {
  const [left, right] = [filterKey(a), filterKey(b)];
  return left < right ? -1 : left > right ? 1 : 0;
}

function floorMinute(time: number): number {
  return Math.floor(time / MINUTE_MS) * MINUTE_MS;
}

function ceilMinute(time: number): number {
  return Math.ceil(time / MINUTE_MS) * MINUTE_MS;
}

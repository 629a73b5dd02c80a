/**
 * Which windows of arrival time a scheduled run reconciles. Windows are aligned to UTC (their length divides a
 * day); a window is closed once its end plus the settle delay has passed. State is the report objects: a window
 * without a report is due, back as far as the catch-up look-back (but none older than the oldest report in it, so a
 * new pipeline starts at its first window rather than at history it never saw), so windows missed while the
 * function did not run are caught up; and within the re-check look-back, so is one whose last report was not
 * reconciled (late deliveries and replays clear it).
 */

/** A report's status; `reported` when it is older than the re-check look-back and only listed, not read. */
export type WindowStatus = 'reconciled' | 'findings' | 'not-proven' | 'reported';

export interface DueOptions {
  readonly now: number;
  readonly windowMs: number;
  readonly settleMs: number;
  /** Windows not reconciled are checked again while they are this recent. */
  readonly lookBackMs: number;
  /** Windows without a report are reconciled while they are this recent. */
  readonly catchUpMs: number;
  readonly maxWindows: number;
}

/** The start of the newest window that has closed and settled. */
export function newestSettledWindow(options: Pick<DueOptions, 'now' | 'windowMs' | 'settleMs'>): number {
  return Math.floor((options.now - options.settleMs) / options.windowMs) * options.windowMs - options.windowMs;
}

/** Window starts to reconcile now, newest first, at most `maxWindows`. `reports` maps a window start to its last status. */
export function dueWindows(reports: ReadonlyMap<number, WindowStatus>, options: DueOptions): number[] {
  const newest = newestSettledWindow(options);
  const oldestRecheck = newest - options.lookBackMs + options.windowMs;
  const oldest = newest - Math.max(options.catchUpMs, options.lookBackMs) + options.windowMs;
  const reported = [...reports.keys()].filter((start) => start >= oldest && start <= newest);
  const firstKnown = reported.length === 0 ? newest : Math.min(...reported);
  const due: number[] = [];
  for (let start = newest; start >= Math.max(oldest, firstKnown) && due.length < options.maxWindows; start -= options.windowMs) {
    const status = reports.get(start);
    if (status === undefined || (start >= oldestRecheck && status !== 'reconciled' && status !== 'reported')) due.push(start);
  }
  return due;
}

/** `reconcile/2026-12-07/2026-12-07T01:00:00.000Z.json`: the day narrows the listing of a look-back. */
export function reportKey(reportPrefix: string, start: number): string {
  const iso = new Date(start).toISOString();
  return `${reportPrefix}${iso.slice(0, 10)}/${iso}.json`;
}

/** The day prefixes a look-back ending at `newest` covers. */
export function reportDayPrefixes(reportPrefix: string, newest: number, lookBackMs: number): string[] {
  const days = new Set<string>();
  for (let time = newest - lookBackMs; time <= newest + 86_400_000; time += 3_600_000) days.add(new Date(Math.min(time, newest)).toISOString().slice(0, 10));
  return [...days].sort().map((day) => `${reportPrefix}${day}/`);
}

export function windowOfReportKey(key: string): number | undefined {
  const match = /\/(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\.json$/.exec(key);
  if (match === null) return undefined;
  const time = Date.parse(match[1] as string);
  return Number.isFinite(time) ? time : undefined;
}

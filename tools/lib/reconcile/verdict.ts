/**
 * The reconcile verdict: totals per outcome that add up (expected = delivered + quarantined + refused + missing, in
 * records and in meterValue), the two findings beside them (conflicting: delivered with other content; unexpected:
 * delivered, never logged), and whether a billing team may sign the window.
 */

/** How totals are grouped: per meter, per meter and customer, or per meter and account (the log payload's owner). */
export type GroupBy = 'meter' | 'customer' | 'account';

/** Counts and meterValue sums of one group. Values are the logged ones (a record without a numeric meterValue counts 0). */
export interface Totals {
  readonly expected: number;
  readonly expectedValue: number;
  readonly delivered: number;
  readonly deliveredValue: number;
  readonly quarantined: number;
  readonly quarantinedValue: number;
  readonly quarantinedByReason: Readonly<Record<string, ReasonTotals>>;
  readonly refused: number;
  readonly refusedValue: number;
  readonly missing: number;
  readonly missingValue: number;
  /** Delivered records whose content differs from the log's (counted in delivered or refused as well). */
  readonly conflicting: number;
  /** Their logged meterValue. */
  readonly conflictingValue: number;
  /** Delivered records the backup cannot explain: never logged, or logged in a backup object that is gone. */
  readonly unexpected: number;
  /** Their delivered meterValue. */
  readonly unexpectedValue: number;
  /** Extra deliveries of a uniqueId with the expected content: Amberflo discards them. */
  readonly duplicated: number;
  /** Delivered records of log events outside the window, found in the backup (read because objects span buffer intervals). */
  readonly outsideWindow: number;
}

export interface ReasonTotals {
  readonly records: number;
  readonly value: number;
}

export interface GroupTotals extends Totals {
  readonly meterApiName: string;
  readonly customerId?: string;
  readonly account?: string;
}

/** What fails the verdict besides missing, conflicting, unexpected and refused records. */
export interface VerdictPolicy {
  /** Quarantined records (under the error prefix, not billed) fail the verdict. Default false: they are reported by reason. */
  readonly quarantineFails: boolean;
  /** A window without any log event in the source backup passes. Default false: it proves nothing. */
  readonly allowEmpty: boolean;
}

export const DEFAULT_POLICY: VerdictPolicy = { quarantineFails: false, allowEmpty: false };

/** Why a window is not reconciled. */
export type Finding = 'missing' | 'conflicting' | 'unexpected' | 'refused' | 'quarantined' | 'empty';

export interface Verdict {
  readonly reconciled: boolean;
  /** Empty when reconciled. */
  readonly findings: readonly Finding[];
}

/** The verdict on a window's totals: every finding, in the order they are reported. */
export function judge(total: Totals, events: number, policy: VerdictPolicy): Verdict {
  const findings: Finding[] = [];
  if (events === 0 && !policy.allowEmpty) findings.push('empty');
  if (total.missing > 0) findings.push('missing');
  if (total.conflicting > 0) findings.push('conflicting');
  if (total.unexpected > 0) findings.push('unexpected');
  if (total.refused > 0) findings.push('refused');
  if (total.quarantined > 0 && policy.quarantineFails) findings.push('quarantined');
  return { reconciled: findings.length === 0, findings };
}

export type MutableTotals = { -readonly [K in Exclude<keyof Totals, 'quarantinedByReason'>]: number } & { quarantinedByReason: Record<string, { records: number; value: number }> };

export function emptyTotals(): MutableTotals {
  return {
    expected: 0,
    expectedValue: 0,
    delivered: 0,
    deliveredValue: 0,
    quarantined: 0,
    quarantinedValue: 0,
    quarantinedByReason: {},
    refused: 0,
    refusedValue: 0,
    missing: 0,
    missingValue: 0,
    conflicting: 0,
    conflictingValue: 0,
    unexpected: 0,
    unexpectedValue: 0,
    duplicated: 0,
    outsideWindow: 0,
  };
}

/** Adds `from` into `into` (reasons sorted by name). */
export function addTotals(into: MutableTotals, from: Totals): void {
  for (const key of Object.keys(into) as (keyof MutableTotals)[]) {
    if (key !== 'quarantinedByReason') into[key] += from[key];
  }
  for (const [reason, { records, value }] of Object.entries(from.quarantinedByReason)) {
    const entry = (into.quarantinedByReason[reason] ??= { records: 0, value: 0 });
    entry.records += records;
    entry.value += value;
  }
  into.quarantinedByReason = Object.fromEntries(Object.entries(into.quarantinedByReason).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export interface RecoverySpan {
  readonly since: number;
  readonly until: number;
  readonly logGroups: readonly string[];
}

export interface ConflictExample {
  readonly uniqueId: string;
  readonly object: string;
  readonly problem: string;
  /** The logged meterValue (of the first record logged, for a uniqueId logged twice), and the delivered one. */
  readonly expectedValue: number;
  readonly deliveredValue?: number;
}

/** The pipeline's account, and where reconcile learnt it. */
export interface HomeAccount {
  readonly account?: string;
  readonly from: 'option' | 'data' | 'unknown';
}

export interface LedgerSummary {
  readonly groups: readonly GroupTotals[];
  readonly total: Totals;
  readonly events: number;
  /** Log events found more than once in the backup (e.g. a log group matched by two subscription filters), counted once. */
  readonly repeatedEvents: number;
  /** Failed events of the error prefix whose log events are not in the window (counted, not errors). */
  readonly quarantinedOutsideWindow: number;
  readonly conflicts: readonly ConflictExample[];
  readonly homeAccount: HomeAccount;
}

/** A delivered record, as read from a data object. */
export interface DeliveredRecord {
  readonly uniqueId: string;
  readonly meterApiName: string;
  readonly customerId: string;
  readonly meterValue: number;
}

/** Where a delivered line came from: its object's name (for examples) and number (to read it again). */
export interface DeliveredFrom {
  readonly object: string;
  readonly objectNumber: number;
  /** An object Amberflo wrote a reason for. */
  readonly refused: boolean;
}

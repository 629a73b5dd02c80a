/** The metrics continuous reconcile publishes (no imports: the construct reads this for its metric methods and alarms). */

/** Records per outcome of a window's check, with the Totals field each reads. */
export const RECONCILE_RECORD_METRICS = [
  ['ReconcileExpected', 'expected'],
  ['ReconcileDelivered', 'delivered'],
  ['ReconcileQuarantined', 'quarantined'],
  ['ReconcileRefused', 'refused'],
  ['ReconcileMissing', 'missing'],
  ['ReconcileConflicting', 'conflicting'],
  ['ReconcileUnexpected', 'unexpected'],
] as const;

/** A metric of continuous reconcile: records per outcome, and windows proven or not. */
export type ReconcileMetricName = (typeof RECONCILE_RECORD_METRICS)[number][0] | 'ReconcileWindowsProven' | 'ReconcileWindowsNotProven';

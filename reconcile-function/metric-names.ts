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

/** Log events CloudWatch Logs forwarded that no backup object of the window holds (its ForwardedLogEvents against the backup). */
export const RECONCILE_UNBACKED_METRIC = 'ReconcileUnbackedLogEvents';

/** A metric of continuous reconcile: records per outcome, unbacked log events, and windows proven or not. */
export type ReconcileMetricName = (typeof RECONCILE_RECORD_METRICS)[number][0] | typeof RECONCILE_UNBACKED_METRIC | 'ReconcileWindowsProven' | 'ReconcileWindowsNotProven';

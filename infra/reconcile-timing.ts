/**
 * When continuous reconcile may judge a window, for the construct and the CLI's planner alike. No CDK imports:
 * the CLI bundles this.
 */

/** CloudWatch Logs' own delivery to the subscription destination, and its retries, before the buffers start. */
const LOG_DELIVERY_MARGIN_SECONDS = 300;

export interface ReconcileTimingSettings {
  readonly processorBufferIntervalSeconds: number;
  readonly destinationBufferIntervalSeconds: number;
  readonly processorRetries: number;
  readonly transformTimeoutSeconds: number;
  readonly delivery: 'direct' | 'relay';
}

/**
 * How long after a window closes its records have settled: twice both buffer intervals (a record and, once, what
 * the transform re-ingests from it), every attempt of the transform (retries + 1 timeouts), the forwarder's copy
 * and one retry in relay mode, and CloudWatch Logs' own delivery. 25 minutes with the defaults (29 relay).
 */
export function reconcileSettleSeconds(settings: ReconcileTimingSettings, forwarderTimeoutSeconds: number): number {
  return (
    2 * (settings.processorBufferIntervalSeconds + settings.destinationBufferIntervalSeconds) +
    (settings.processorRetries + 1) * settings.transformTimeoutSeconds +
    (settings.delivery === 'relay' ? 2 * forwarderTimeoutSeconds : 0) +
    LOG_DELIVERY_MARGIN_SECONDS
  );
}

/** How far apart the names of a record's backup object and data object can be: both buffer intervals and an invocation. */
export function objectSpanSeconds(settings: Omit<ReconcileTimingSettings, 'processorRetries' | 'delivery'>): number {
  return settings.processorBufferIntervalSeconds + settings.destinationBufferIntervalSeconds + settings.transformTimeoutSeconds;
}

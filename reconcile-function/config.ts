/** The reconciling function's configuration: environment variables the construct sets (infra/pipeline/reconcile.ts). */

export const RECONCILE_ENV = {
  pipelineName: 'PIPELINE_NAME',
  pipelineAccount: 'PIPELINE_ACCOUNT',
  metricsNamespace: 'METRICS_NAMESPACE',
  delivery: 'DELIVERY',
  pipelineBucket: 'PIPELINE_BUCKET',
  backupPrefix: 'SOURCE_BACKUP_PREFIX',
  reportPrefix: 'REPORT_PREFIX',
  amberfloBucket: 'AMBERFLO_BUCKET',
  amberfloRegion: 'AMBERFLO_REGION',
  amberfloKeysSecretArn: 'AMBERFLO_KEYS_SECRET_ARN',
  dataPrefix: 'DATA_PREFIX',
  errorPrefix: 'ERROR_PREFIX',
  windowSeconds: 'WINDOW_SECONDS',
  settleSeconds: 'SETTLE_SECONDS',
  objectSpanSeconds: 'OBJECT_SPAN_SECONDS',
  forwardedCount: 'FORWARDED_COUNT',
  transformEnvironment: 'TRANSFORM_ENVIRONMENT',
} as const;

/** Windows with findings (or not proven) are checked again on every run while they are this recent: Firehose retries for 24 hours. */
export const RECHECK_LOOK_BACK_MS = 24 * 3_600_000;
/** Windows without a report (the schedule or the function stopped) are caught up while they are this recent. */
export const CATCH_UP_LOOK_BACK_MS = 7 * 24 * 3_600_000;
/** Subscription filters from recent reports a window's run is given (about 120 KB: well inside an asynchronous invocation's 256 KB event). */
export const MAX_KNOWN_FILTERS = 1_000;
/** At most this many window invocations per scheduled run; the rest are due at the next run. */
export const MAX_FAN_OUT = 24;
/** Time kept back from the function's timeout to write the report and the metrics of a window that did not finish. */
export const REPORT_MARGIN_MS = 20_000;
/**
 * How far apart CloudWatch Logs' forwarding of an event (when ForwardedLogEvents counts it) and Firehose's arrival of
 * its record (when the backup files it) are taken to be, either way: seconds normally. A delivery stream reading its
 * source later than this makes events of a window's last minute arrive in the next window, which the independent
 * count reports as unbacked, with its figures.
 */
export const FORWARDING_LAG_MS = 60_000;
/** Connection and idle timeouts of every AWS call (one S3 GET, LIST or PUT answers in well under a second). */
export const AWS_TIMEOUT_MS = 5_000;
/** The wait for a CloudWatch read's answer: a GetMetricData of up to 500 series over a window takes longer than one S3 call. */
export const CLOUDWATCH_READ_TIMEOUT_MS = 15_000;

export interface ReconcileFunctionConfig {
  readonly pipelineName: string;
  /** The pipeline's AWS account: the subscription filters whose ForwardedLogEvents it can read are its own. */
  readonly pipelineAccount: string;
  readonly metricsNamespace: string;
  readonly delivery: 'direct' | 'relay';
  readonly pipelineBucket: string;
  /**
   * The pipeline's prefixes as Firehose evaluates them (e.g. `source-backup/!{timestamp:yyyy-MM-dd}/`): listings
   * are narrowed to the dates a window needs. A static prefix works too (its whole listing).
   */
  readonly backupPrefix: string;
  /** The reports' key prefix. */
  readonly reportPrefix: string;
  readonly amberfloBucket: string;
  readonly amberfloRegion: string;
  /** Relay mode: Amberflo's key pair, to read what the forwarder wrote. */
  readonly amberfloKeysSecretArn?: string;
  readonly dataPrefix: string;
  /** In the pipeline bucket with relay delivery, in Amberflo's bucket with direct delivery. */
  readonly errorPrefix: string;
  readonly windowMs: number;
  readonly settleMs: number;
  readonly objectSpanMs: number;
  /** Check each window's backup against CloudWatch Logs' ForwardedLogEvents (`FORWARDED_COUNT`: on or off). */
  readonly forwardedCount: boolean;
  /** The deployed transform's settings (its environment), so expected records follow its rules. */
  readonly transformEnvironment: Readonly<Record<string, string>>;
}

export class ReconcileConfigError extends Error {
  override readonly name = 'ReconcileConfigError';
}

export function reconcileConfigFrom(env: NodeJS.ProcessEnv): ReconcileFunctionConfig {
  const text = (key: keyof typeof RECONCILE_ENV): string => {
    const value = env[RECONCILE_ENV[key]];
    if (value === undefined || value === '') throw new ReconcileConfigError(`${RECONCILE_ENV[key]} is not set`);
    return value;
  };
  const seconds = (key: 'windowSeconds' | 'settleSeconds' | 'objectSpanSeconds'): number => {
    const value = Number(text(key));
    if (!Number.isInteger(value) || value <= 0) throw new ReconcileConfigError(`${RECONCILE_ENV[key]} must be a whole number of seconds above 0, got "${text(key)}"`);
    return value * 1000;
  };
  const delivery = text('delivery');
  if (delivery !== 'direct' && delivery !== 'relay') throw new ReconcileConfigError(`${RECONCILE_ENV.delivery} must be direct or relay, got "${delivery}"`);
  const secret = env[RECONCILE_ENV.amberfloKeysSecretArn];
  if (delivery === 'relay' && (secret === undefined || secret === '')) throw new ReconcileConfigError(`${RECONCILE_ENV.amberfloKeysSecretArn} is required with relay delivery`);
  let transformEnvironment: Record<string, string>;
  try {
    transformEnvironment = JSON.parse(env[RECONCILE_ENV.transformEnvironment] ?? '{}') as Record<string, string>;
  } catch {
    throw new ReconcileConfigError(`${RECONCILE_ENV.transformEnvironment} must be a JSON object`);
  }
  const pipelineAccount = text('pipelineAccount');
  if (!/^\d{12}$/.test(pipelineAccount)) throw new ReconcileConfigError(`${RECONCILE_ENV.pipelineAccount} must be a 12-digit AWS account id, got "${pipelineAccount}"`);
  const forwardedCount = text('forwardedCount');
  if (forwardedCount !== 'on' && forwardedCount !== 'off') throw new ReconcileConfigError(`${RECONCILE_ENV.forwardedCount} must be on or off, got "${forwardedCount}"`);
  const windowMs = seconds('windowSeconds');
  if (86_400_000 % windowMs !== 0) throw new ReconcileConfigError(`${RECONCILE_ENV.windowSeconds} must divide a day, got ${windowMs / 1000}`);
  return {
    pipelineName: text('pipelineName'),
    pipelineAccount,
    metricsNamespace: text('metricsNamespace'),
    delivery,
    pipelineBucket: text('pipelineBucket'),
    backupPrefix: text('backupPrefix'),
    reportPrefix: text('reportPrefix'),
    amberfloBucket: text('amberfloBucket'),
    amberfloRegion: text('amberfloRegion'),
    ...(delivery === 'relay' ? { amberfloKeysSecretArn: secret as string } : {}),
    dataPrefix: text('dataPrefix'),
    errorPrefix: text('errorPrefix'),
    windowMs,
    settleMs: seconds('settleSeconds'),
    objectSpanMs: seconds('objectSpanSeconds'),
    forwardedCount: forwardedCount === 'on',
    transformEnvironment,
  };
}

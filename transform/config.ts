/** The transform's configuration, read from the environment once per cold start. */

/** What the transform does with a field outside the Amberflo ingest format: reject the record, or drop the field. */
export type UnknownFieldPolicy = 'reject' | 'drop';

/** The transform's settings; each is an environment variable (`ENV`), and `TransformSettings` of the construct. */
export interface TransformConfig {
  /** Token that marks a meter record in a log line (`METER_RECORD_PREFIX`). @default 'meter_record_for_stream' */
  readonly prefix: string;
  /** Hard cap on the gunzipped size of one Firehose record, a gzip-bomb guard (1 KiB – 1 GiB). @default 67108864 (64 MiB) */
  readonly maxDecompressedBytes: number;
  /** Upper bound on the serialized Lambda response (1 KiB – 6,291,456; Lambda's limit is 6 MB). @default 6000000 */
  readonly responseBudgetBytes: number;
  /**
   * Target NDJSON size of each payload re-ingested when a record is too large for one response (1 KiB – 6,291,456,
   * and at most ⌊(`responseBudgetBytes` − 309) / 4⌋ × 3, so a piece fits the budget base64).
   * @default 1000000
   */
  readonly splitTargetBytes: number;
  /** What to do with top-level fields that are not part of the Amberflo ingest format. @default 'reject' */
  readonly unknownFields: UnknownFieldPolicy;
  /** Attempts for each re-ingest batch, the first included, before the origin records fail (1–20). @default 6 */
  readonly reingestMaxAttempts: number;
  /** Base of the exponential backoff, with full jitter and capped at 5 s, between re-ingest attempts (0–10,000 ms). @default 100 */
  readonly reingestBaseDelayMs: number;
  /** Re-ingest passes a split piece may take; a piece of the last generation that still does not fit fails (1–100). @default 10 */
  readonly maxReingestGenerations: number;
  /** Time kept back from the Lambda timeout: re-ingest stops this long before it, so the function always returns (100–60,000 ms). @default 2000 */
  readonly deadlineMarginMs: number;
  /** Records whose meterTimeInMillis is older than this when they reach the pipeline are rejected; 0: no limit (0–36,500). @default 60 */
  readonly maxMeterAgeDays: number;
  /** Records whose meterTimeInMillis is later than their arrival in the pipeline by more than this are rejected (0–31,536,000). @default 300 */
  readonly maxFutureSkewSeconds: number;
  /** CloudWatch namespace of the transform's metrics. @default 'MeterFirehose' */
  readonly metricsNamespace: string;
  /** The `Pipeline` dimension of every metric; the construct sets it from its `pipelineName`. @default 'meter-firehose' */
  readonly pipelineName: string;
  /**
   * The pipeline's own AWS account: payloads whose `owner` is another account (a sender of a cross-account
   * subscription) derive uniqueIds as `<owner>-<eventId>`, so two accounts' event ids never share a uniqueId.
   * Empty: every payload derives `<eventId>`, as before sender accounts existed. The construct sets it, to its
   * stack's account, only when it has sender accounts.
   * @default '' (no sender accounts)
   */
  readonly homeAccountId: string;
}

export const DEFAULT_CONFIG: TransformConfig = {
  prefix: 'meter_record_for_stream',
  maxDecompressedBytes: 64 * 1024 * 1024,
  responseBudgetBytes: 6_000_000,
  splitTargetBytes: 1_000_000,
  unknownFields: 'reject',
  reingestMaxAttempts: 6,
  reingestBaseDelayMs: 100,
  maxReingestGenerations: 10,
  deadlineMarginMs: 2_000,
  // Amberflo's default backfill window: older records are dropped there, into failed-requests/.
  maxMeterAgeDays: 60,
  maxFutureSkewSeconds: 300,
  metricsNamespace: 'MeterFirehose',
  pipelineName: 'meter-firehose',
  homeAccountId: '',
};

/** Environment variable names, shared with the CDK construct that sets them. */
export const ENV = {
  prefix: 'METER_RECORD_PREFIX',
  maxDecompressedBytes: 'MAX_DECOMPRESSED_BYTES',
  responseBudgetBytes: 'RESPONSE_BUDGET_BYTES',
  splitTargetBytes: 'SPLIT_TARGET_BYTES',
  unknownFields: 'UNKNOWN_FIELDS',
  reingestMaxAttempts: 'REINGEST_MAX_ATTEMPTS',
  reingestBaseDelayMs: 'REINGEST_BASE_DELAY_MS',
  maxReingestGenerations: 'MAX_REINGEST_GENERATIONS',
  deadlineMarginMs: 'DEADLINE_MARGIN_MS',
  maxMeterAgeDays: 'MAX_METER_AGE_DAYS',
  maxFutureSkewSeconds: 'MAX_FUTURE_SKEW_SECONDS',
  metricsNamespace: 'METRICS_NAMESPACE',
  pipelineName: 'PIPELINE_NAME',
  homeAccountId: 'HOME_ACCOUNT_ID',
} as const satisfies Record<keyof TransformConfig, string>;

const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
/** A generous bound on a Firehose recordId (Kinesis-sourced ones are 56 characters). */
const MAX_RECORD_ID_LENGTH = 256;
/** A response with one Ok record and no data: what a re-ingested piece needs beside its base64 output. */
const PIECE_RESPONSE_OVERHEAD = '{"records":[{"recordId":"","result":"Ok","data":""}]}'.length + MAX_RECORD_ID_LENGTH;

/**
 * The largest SPLIT_TARGET_BYTES whose pieces fit a response of `responseBudgetBytes` on their own (their
 * NDJSON returns base64, 4 bytes for every 3). A larger target would make pieces that never fit.
 */
export function largestSplitTarget(responseBudgetBytes: number): number {
  return Math.floor((responseBudgetBytes - PIECE_RESPONSE_OVERHEAD) / 4) * 3;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function integerFrom(env: NodeJS.ProcessEnv, key: keyof TransformConfig, min: number, max: number): number {
  const name = ENV[key];
  const raw = env[name];
  const fallback = DEFAULT_CONFIG[key] as number;
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function stringFrom(env: NodeJS.ProcessEnv, key: keyof TransformConfig): string {
  const raw = env[ENV[key]];
  return raw === undefined || raw === '' ? (DEFAULT_CONFIG[key] as string) : raw;
}

/** Reads and validates the configuration; throws a ConfigError naming the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): TransformConfig {
  const prefix = stringFrom(env, 'prefix');
  if (prefix.trim() !== prefix || /[\s{}[\]"]/.test(prefix)) {
    throw new ConfigError(`${ENV.prefix} must be one token without spaces, quotes or brackets, got "${prefix}"`);
  }
  const unknownFields = stringFrom(env, 'unknownFields');
  if (unknownFields !== 'reject' && unknownFields !== 'drop') {
    throw new ConfigError(`${ENV.unknownFields} must be "reject" or "drop", got "${unknownFields}"`);
  }
  const metricsNamespace = stringFrom(env, 'metricsNamespace');
  const pipelineName = stringFrom(env, 'pipelineName');
  // The summary log carries both; the prefix in it would make the function's own log a meter source.
  for (const [key, value] of [['metricsNamespace', metricsNamespace], ['pipelineName', pipelineName]] as const) {
    if (value.includes(prefix)) throw new ConfigError(`${ENV[key]} must not contain the record prefix`);
  }
  const homeAccountId = stringFrom(env, 'homeAccountId');
  if (homeAccountId !== '' && !/^\d{12}$/.test(homeAccountId)) {
    throw new ConfigError(`${ENV.homeAccountId} must be a 12-digit AWS account id (or unset), got "${homeAccountId}"`);
  }
  const responseBudgetBytes = integerFrom(env, 'responseBudgetBytes', 1024, MAX_RESPONSE_BYTES);
  const splitTargetBytes = integerFrom(env, 'splitTargetBytes', 1024, MAX_RESPONSE_BYTES);
  const largestTarget = largestSplitTarget(responseBudgetBytes);
  if (splitTargetBytes > largestTarget) {
    throw new ConfigError(
      `${ENV.splitTargetBytes} (${splitTargetBytes}) is too large for ${ENV.responseBudgetBytes} (${responseBudgetBytes}): ` +
        `a re-ingested piece of that much output would not fit one response; set ${ENV.splitTargetBytes} to at most ` +
        `${Math.max(largestTarget, 0)} or raise ${ENV.responseBudgetBytes}`,
    );
  }
  return {
    prefix,
    maxDecompressedBytes: integerFrom(env, 'maxDecompressedBytes', 1024, 1024 * 1024 * 1024),
    responseBudgetBytes,
    splitTargetBytes,
    unknownFields,
    reingestMaxAttempts: integerFrom(env, 'reingestMaxAttempts', 1, 20),
    reingestBaseDelayMs: integerFrom(env, 'reingestBaseDelayMs', 0, 10_000),
    maxReingestGenerations: integerFrom(env, 'maxReingestGenerations', 1, 100),
    deadlineMarginMs: integerFrom(env, 'deadlineMarginMs', 100, 60_000),
    maxMeterAgeDays: integerFrom(env, 'maxMeterAgeDays', 0, 36_500),
    maxFutureSkewSeconds: integerFrom(env, 'maxFutureSkewSeconds', 0, 31_536_000),
    metricsNamespace,
    pipelineName,
    homeAccountId,
  };
}

/** The relay forwarder's configuration, read from the environment once per cold start. No secret is ever here. */

export interface RelayConfig {
  /** The pipeline bucket: the only bucket objects are forwarded from. */
  readonly pipelineBucket: string;
  /**
   * The fixed part of Firehose's data prefix (e.g. `ingest/records/`): only keys under it are forwarded, so the
   * error prefix, the source backup or another bucket never leave the account, whatever IAM would allow.
   */
  readonly sourcePrefix: string;
  /** Amberflo's bucket: objects are copied into it under the key they have in the pipeline bucket. */
  readonly amberfloBucket: string;
  readonly amberfloRegion: string;
  /** An S3-compatible endpoint instead of AWS's (local runs and tests). */
  readonly amberfloEndpoint?: string;
  /** Secrets Manager secret holding Amberflo's access key pair as JSON (see parseAmberfloSecret). */
  readonly secretArn: string;
  /**
   * How long fetched keys are used before the secret is read again, so a rotation is picked up. At most
   * 5 minutes: the SDK asks for credentials again on every request once they expire within 5 minutes, so this
   * cache alone decides, and a refused key is re-read on the next attempt.
   */
  readonly secretTtlMs: number;
  /** Attempts per object within one invocation (first try included); SQS redelivers after that. */
  readonly maxAttempts: number;
  /** Base of the exponential backoff (full jitter) between attempts. */
  readonly baseDelayMs: number;
  /** Longest wait for a TCP (and TLS) connection. */
  readonly connectionTimeoutMs: number;
  /**
   * Longest silence: a socket with nothing sent or received, a call without its response headers (the
   * streamed PUT excepted: its answer comes after the upload), a copy whose bytes stop moving.
   */
  readonly idleTimeoutMs: number;
  /** Objects forwarded at the same time within one invocation. */
  readonly concurrency: number;
}

export const RELAY_ENV = {
  pipelineBucket: 'PIPELINE_BUCKET',
  sourcePrefix: 'SOURCE_PREFIX',
  amberfloBucket: 'AMBERFLO_BUCKET',
  amberfloRegion: 'AMBERFLO_REGION',
  amberfloEndpoint: 'AMBERFLO_S3_ENDPOINT',
  secretArn: 'AMBERFLO_SECRET_ARN',
  secretTtlMs: 'SECRET_TTL_MS',
  maxAttempts: 'FORWARD_MAX_ATTEMPTS',
  baseDelayMs: 'FORWARD_BASE_DELAY_MS',
  connectionTimeoutMs: 'CONNECTION_TIMEOUT_MS',
  idleTimeoutMs: 'IDLE_TIMEOUT_MS',
  concurrency: 'FORWARD_CONCURRENCY',
} as const satisfies Record<keyof RelayConfig, string>;

export const RELAY_DEFAULTS = {
  secretTtlMs: 300_000,
  maxAttempts: 4,
  baseDelayMs: 200,
  connectionTimeoutMs: 3_000,
  idleTimeoutMs: 10_000,
  concurrency: 4,
} as const;

export class RelayConfigError extends Error {
  override readonly name = 'RelayConfigError';
}

const INTEGER_BOUNDS: Record<keyof typeof RELAY_DEFAULTS, readonly [number, number]> = {
  secretTtlMs: [0, 300_000],
  maxAttempts: [1, 10],
  baseDelayMs: [0, 10_000],
  connectionTimeoutMs: [100, 60_000],
  idleTimeoutMs: [100, 60_000],
  concurrency: [1, 32],
};

export function relayConfigFrom(env: NodeJS.ProcessEnv): RelayConfig {
  const endpoint = optional(env, 'amberfloEndpoint');
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new RelayConfigError(`${RELAY_ENV.amberfloEndpoint} must be an http(s) URL, got "${endpoint}"`);
  }
  const secretArn = required(env, 'secretArn');
  if (!/^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+$/.test(secretArn)) {
    throw new RelayConfigError(`${RELAY_ENV.secretArn} must be a Secrets Manager secret ARN, got "${secretArn}"`);
  }
  const sourcePrefix = required(env, 'sourcePrefix');
  if (sourcePrefix.startsWith('/')) throw new RelayConfigError(`${RELAY_ENV.sourcePrefix} must not start with "/", got "${sourcePrefix}"`);
  return {
    pipelineBucket: required(env, 'pipelineBucket'),
    sourcePrefix,
    amberfloBucket: required(env, 'amberfloBucket'),
    amberfloRegion: required(env, 'amberfloRegion'),
    ...(endpoint === undefined ? {} : { amberfloEndpoint: endpoint }),
    secretArn,
    secretTtlMs: integer(env, 'secretTtlMs'),
    maxAttempts: integer(env, 'maxAttempts'),
    baseDelayMs: integer(env, 'baseDelayMs'),
    connectionTimeoutMs: integer(env, 'connectionTimeoutMs'),
    idleTimeoutMs: integer(env, 'idleTimeoutMs'),
    concurrency: integer(env, 'concurrency'),
  };
}

function optional(env: NodeJS.ProcessEnv, key: keyof RelayConfig): string | undefined {
  const value = env[RELAY_ENV[key]];
  return value === undefined || value === '' ? undefined : value;
}

function required(env: NodeJS.ProcessEnv, key: keyof RelayConfig): string {
  const value = optional(env, key);
  if (value === undefined) throw new RelayConfigError(`${RELAY_ENV[key]} is required`);
  return value;
}

function integer(env: NodeJS.ProcessEnv, key: keyof typeof RELAY_DEFAULTS): number {
  const raw = optional(env, key);
  if (raw === undefined) return RELAY_DEFAULTS[key];
  const [min, max] = INTEGER_BOUNDS[key];
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RelayConfigError(`${RELAY_ENV[key]} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

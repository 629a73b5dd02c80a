/**
 * How every AWS client the CLI makes connects: connection, request and idle timeouts on each attempt, and
 * failures that got no answer from the service (network, timeout, credentials) turned into errors that name
 * the endpoint, keep their cause and say what to do.
 */
// @ts-nocheck

import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Longest silence per attempt when none is given. AWS answers Kinesis and S3 calls in well under a second, and
 * the SDK makes up to 3 attempts, so an endpoint that never answers fails the command in about 7 s.
 */
export const DEFAULT_TIMEOUT_MS = 2_000;
/** Loopback and AWS endpoints accept connections in milliseconds; waiting longer only delays the answer. */
const MAX_CONNECTION_TIMEOUT_MS = 3_000;
/**
 * Bound on a whole attempt, from connecting to the response headers, however busy the connection: room to
 * upload a 5 MiB PutRecords call on a slow link, which the silence limit alone would allow forever.
 */
const MIN_ATTEMPT_TIMEOUT_MS = 30_000;

export type AwsService = 'Kinesis' | 'Firehose' | 'S3';

export interface Connection {
  readonly service: AwsService;
  readonly region: string;
  /** An explicit endpoint (emulator, S3-compatible store); otherwise the SDK's default for the Region. */
  readonly endpoint?: string;
  /** Longest silence (nothing sent or received) in each attempt; connecting gets at most 3 s of it. */
  readonly timeoutMs: number;
}

export function timedRequestHandler(timeoutMs: number): NodeHttpHandler {
  return new NodeHttpHandler({
    connectionTimeout: Math.min(timeoutMs, MAX_CONNECTION_TIMEOUT_MS),
    socketTimeout: timeoutMs,
    requestTimeout: Math.max(timeoutMs, MIN_ATTEMPT_TIMEOUT_MS),
    throwOnRequestTimeout: true,
  });
}

/** The endpoint as a user would recognise it: the URL given, the SDK's endpoint variable, or service and Region. */
export function endpointLabel(connection: Pick<Connection, 'service' | 'region' | 'endpoint'>, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnvironment = env[`AWS_ENDPOINT_URL_${connection.service.toUpperCase()}`] ?? env['AWS_ENDPOINT_URL'];
  return connection.endpoint ?? fromEnvironment ?? `the AWS ${connection.service} endpoint in ${connection.region}`;
}

/**
 * A call that failed without an answer from the service, after the SDK's own retries. Marked as a client
 * fault so retry loops above the SDK (the re-ingest loop) stop instead of repeating it.
 */
export class AwsConnectionError extends Error {
  override readonly name = 'AwsConnectionError';
  readonly $fault = 'client';
}

const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

interface SdkErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

/**
 * The error to show for a failed call, or undefined when the service answered (its own error, such as
 * ResourceNotFoundException or AccessDenied, already says what is wrong and callers may branch on it).
 */
export function explainFailure(error: unknown, connection: Connection): AwsConnectionError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name = 'Error', message = '', code, $metadata } = error as SdkErrorShape;
  if ($metadata?.httpStatusCode !== undefined) return undefined;
  const where = endpointLabel(connection);
  const attempts = $metadata?.attempts === undefined ? '' : `, ${$metadata.attempts} attempt${$metadata.attempts === 1 ? '' : 's'}`;
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    return new AwsConnectionError(
      `no AWS credentials for ${where}: ${message}. Set AWS_PROFILE (after \`aws sso login\` or \`aws configure\`), ` +
        'or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)',
      { cause: error },
    );
  }
  if (/region is missing/i.test(message)) {
    return new AwsConnectionError(`no AWS Region for ${where}: set AWS_REGION or pass --region`, { cause: error });
  }
  if (name === 'TimeoutError' || code === 'ETIMEDOUT') {
    const phase = /establish a connection/.test(message) ? 'could not connect to' : 'no answer from';
    return new AwsConnectionError(`${phase} ${where} within ${connection.timeoutMs / 1000} s (${attempts.slice(2) || 'timed out'}); check the endpoint, or raise --timeout`, {
      cause: error,
    });
  }
  if (code !== undefined && NETWORK_ERROR_CODES.has(code)) {
    return new AwsConnectionError(`cannot reach ${where}: ${message}${attempts === '' ? '' : ` (${attempts.slice(2)})`}`, { cause: error });
  }
  return undefined;
}

type Handler = (args: never) => Promise<unknown>;

/** Anything with the SDK's middleware stack (every v3 client). */
export interface MiddlewareHost {
  readonly middlewareStack: { add(middleware: (next: Handler) => Handler, options: { step: 'initialize'; name: string }): void };
}

/** Makes the client's failed calls explain themselves (see explainFailure); the call and its retries are unchanged. */
export function explainFailures(client: MiddlewareHost, connection: Connection): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw explainFailure(error, connection) ?? error;
      }
    },
    { step: 'initialize', name: 'explainFailures' },
  );
}

/**
 * The forwarder's AWS clients. Every request is bounded for real: the connection, an idle socket (nothing sent or
 * received), and the wait for the response headers each fail the call with a TimeoutError (the handler's
 * `requestTimeout` only logs a warning without `throwOnRequestTimeout`). The streamed PUT, whose answer comes only
 * after the whole upload, lifts the header wait per call (see copy-object.ts): the invocation's deadline and the
 * no-progress watchdog bound it instead.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { CachedAmberfloKeys } from './amberflo-keys.ts';
import type { RelayConfig } from './config.ts';

export type Timeouts = Pick<RelayConfig, 'connectionTimeoutMs' | 'idleTimeoutMs'>;

/** Attempts of a GetSecretValue call (the SDK's retries): a Secrets Manager that never answers fails it within 2 × idleTimeoutMs plus a backoff. */
export const SECRET_READ_ATTEMPTS = 2;

export function boundedHttpHandler(timeouts: Timeouts): NodeHttpHandler {
  return new NodeHttpHandler({
    connectionTimeout: timeouts.connectionTimeoutMs,
    socketTimeout: timeouts.idleTimeoutMs,
    requestTimeout: timeouts.idleTimeoutMs,
    throwOnRequestTimeout: true,
  });
}

/**
 * The pipeline bucket, with the function's role (the SDK's default credential chain). One attempt per call:
 * forwardObject retries the whole copy within the invocation's time.
 */
export function pipelineS3Client(timeouts: Timeouts, endpoint?: { url: string; region: string }): S3Client {
  return new S3Client({
    maxAttempts: 1,
    requestHandler: boundedHttpHandler(timeouts),
    ...(endpoint === undefined ? {} : { endpoint: endpoint.url, region: endpoint.region, forcePathStyle: true }),
  });
}

export function secretsManagerClient(timeouts: Timeouts, endpoint?: { url: string; region: string }): SecretsManagerClient {
  return new SecretsManagerClient({
    maxAttempts: SECRET_READ_ATTEMPTS,
    requestHandler: boundedHttpHandler(timeouts),
    ...(endpoint === undefined ? {} : { endpoint: endpoint.url, region: endpoint.region }),
  });
}

/**
 * Amberflo's bucket, signed with the key pair from the secret. No SDK retries: the body is the download
 * stream, readable once; forwardObject retries the whole copy. Checksums only when the PUT asks for one
 * (copyObject always does: the source's stored checksum in a header, or a CRC32 computed while streaming).
 */
export function amberfloS3Client(config: Pick<RelayConfig, 'amberfloRegion' | 'amberfloEndpoint'> & Timeouts, keys: CachedAmberfloKeys): S3Client {
  return new S3Client({
    region: config.amberfloRegion,
    credentials: () => keys.get(),
    maxAttempts: 1,
    // The SDK warns on console for every failed streamed request; the forwarder logs each failure itself.
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    requestHandler: boundedHttpHandler(config),
    ...(config.amberfloEndpoint === undefined ? {} : { endpoint: config.amberfloEndpoint, forcePathStyle: true }),
  });
}

/**
 * Least time left for starting a copy attempt: enough to connect and to wait out one silence, so an attempt
 * either finishes a typical object or fails on its own timeouts rather than being cut off by the deadline.
 */
export function minAttemptMs(timeouts: Timeouts): number {
  return timeouts.connectionTimeoutMs + timeouts.idleTimeoutMs;
}

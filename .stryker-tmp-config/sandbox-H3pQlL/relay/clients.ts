/** The forwarder's AWS clients, each with connection and request timeouts. */
// @ts-nocheck

import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { CachedAmberfloKeys } from './amberflo-keys.ts';
import type { RelayConfig } from './config.ts';

type Timeouts = Pick<RelayConfig, 'connectionTimeoutMs' | 'requestTimeoutMs'>;

function httpHandler(timeouts: Timeouts): NodeHttpHandler {
  return new NodeHttpHandler({ connectionTimeout: timeouts.connectionTimeoutMs, requestTimeout: timeouts.requestTimeoutMs });
}

/** The pipeline bucket, with the function's role (the SDK's default credential chain). */
export function pipelineS3Client(timeouts: Timeouts): S3Client {
  return new S3Client({ requestHandler: httpHandler(timeouts) });
}

export function secretsManagerClient(timeouts: Timeouts): SecretsManagerClient {
  return new SecretsManagerClient({ requestHandler: httpHandler(timeouts) });
}

/**
 * Amberflo's bucket, signed with the key pair from the secret. No SDK retries: the body is the download
 * stream, readable once; forwardObject retries the whole copy. Checksums only when an operation requires
 * them, so the streamed body is sent as-is with its Content-Length (no aws-chunked trailer).
 */
export function amberfloS3Client(config: Pick<RelayConfig, 'amberfloRegion' | 'amberfloEndpoint'> & Timeouts, keys: CachedAmberfloKeys): S3Client {
  return new S3Client({
    region: config.amberfloRegion,
    credentials: () => keys.get(),
    maxAttempts: 1,
    // The SDK warns on console for every failed streamed request; the forwarder logs each failure itself.
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    requestHandler: httpHandler(config),
    ...(config.amberfloEndpoint === undefined ? {} : { endpoint: config.amberfloEndpoint, forcePathStyle: true }),
  });
}

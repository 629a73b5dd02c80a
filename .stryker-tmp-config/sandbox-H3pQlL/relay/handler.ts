/**
 * Relay forwarder Lambda: SQS (S3 notifications of new ingest objects in the pipeline bucket) → a streamed
 * copy into Amberflo's bucket, signed with Amberflo's key pair from Secrets Manager.
 */
// @ts-nocheck

import { CachedAmberfloKeys, secretsManagerReader } from './amberflo-keys.ts';
import { amberfloS3Client, pipelineS3Client, secretsManagerClient } from './clients.ts';
import { relayConfigFrom } from './config.ts';
import { createForwarder } from './forwarder.ts';

const config = relayConfigFrom(process.env);
const keys = new CachedAmberfloKeys(secretsManagerReader(secretsManagerClient(config), config.secretArn), config.secretTtlMs);

export const handler = createForwarder({
  source: pipelineS3Client(config),
  amberflo: amberfloS3Client(config, keys),
  amberfloBucket: config.amberfloBucket,
  retry: { maxAttempts: config.maxAttempts, baseDelayMs: config.baseDelayMs },
  onKeysRefused: () => keys.invalidate(),
  concurrency: config.concurrency,
});

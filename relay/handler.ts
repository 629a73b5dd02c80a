/**
 * Relay forwarder Lambda: SQS (S3 notifications of new ingest objects in the pipeline bucket) → a streamed
 * copy into Amberflo's bucket, signed with Amberflo's key pair from Secrets Manager.
 */
import { CachedAmberfloKeys, secretsManagerReader } from './amberflo-keys.ts';
import { amberfloS3Client, minAttemptMs, pipelineS3Client, secretsManagerClient } from './clients.ts';
import { relayConfigFrom } from './config.ts';
import { createForwarder } from './forwarder.ts';

const config = relayConfigFrom(process.env);
const keys = new CachedAmberfloKeys(
  secretsManagerReader(secretsManagerClient(config), config.secretArn),
  config.secretTtlMs,
  Date.now,
  `the Amberflo key secret ${config.secretArn}`,
);

export const handler = createForwarder({
  source: pipelineS3Client(config),
  amberflo: amberfloS3Client(config, keys),
  amberfloBucket: config.amberfloBucket,
  idleTimeoutMs: config.idleTimeoutMs,
  prepareAmberflo: () => keys.get(),
  retry: { maxAttempts: config.maxAttempts, baseDelayMs: config.baseDelayMs },
  onKeysRefused: () => keys.invalidate(),
  concurrency: config.concurrency,
  scope: { bucket: config.pipelineBucket, prefix: config.sourcePrefix },
  minAttemptMs: minAttemptMs(config),
});

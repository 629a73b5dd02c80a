/**
 * Relay delivery on one machine: every new ingest object in the pipeline bucket becomes an S3 notification
 * on a local queue, drained by the real forwarder (relay/forwarder.ts) into Amberflo's bucket, signed with
 * the key pair the secret would hold.
 */
import { CachedAmberfloKeys } from '../../../relay/amberflo-keys.ts';
import { amberfloS3Client, minAttemptMs, pipelineS3Client } from '../../../relay/clients.ts';
import { RELAY_DEFAULTS } from '../../../relay/config.ts';
import { createForwarder } from '../../../relay/forwarder.ts';
import { objectCreatedMessage } from '../../../relay/s3-events.ts';
import type { RetryPolicy } from '../../../relay/forward.ts';
import { LocalQueue, type QueueSettings } from './local-queue.ts';

export interface RelaySettings {
  readonly region: string;
  /** The pipeline bucket (read with the caller's own credentials). */
  readonly pipelineBucket: string;
  readonly pipelineEndpoint: string;
  readonly amberfloBucket: string;
  readonly amberfloEndpoint: string;
  /** The secret's value, as the forwarder would read it from Secrets Manager. */
  readonly readSecret: () => Promise<string | undefined>;
  readonly queue: QueueSettings;
  readonly retry: RetryPolicy;
  readonly log?: (line: string) => void;
}

export interface RelayReport {
  readonly forwarded: readonly string[];
  readonly deadLettered: readonly string[];
  readonly invocations: number;
  readonly receives: number;
}

export const LOCAL_QUEUE_SETTINGS: QueueSettings = { maxReceiveCount: 5, batchSize: 10, queueArn: 'arn:aws:sqs:us-east-1:000000000000:meter-firehose-relay' };

export async function relayObjects(keys: readonly string[], settings: RelaySettings): Promise<RelayReport> {
  const timeouts = { connectionTimeoutMs: RELAY_DEFAULTS.connectionTimeoutMs, idleTimeoutMs: RELAY_DEFAULTS.idleTimeoutMs };
  const source = pipelineS3Client(timeouts, { url: settings.pipelineEndpoint, region: settings.region });
  const amberfloKeys = new CachedAmberfloKeys(settings.readSecret, RELAY_DEFAULTS.secretTtlMs);
  const amberflo = amberfloS3Client({ amberfloRegion: settings.region, amberfloEndpoint: settings.amberfloEndpoint, ...timeouts }, amberfloKeys);
  try {
    const queue = new LocalQueue(settings.queue);
    const keyOf = new Map(keys.map((key) => [queue.send(objectCreatedMessage({ bucket: settings.pipelineBucket, key }, new Date())), key]));
    const handler = createForwarder({
      source,
      amberflo,
      amberfloBucket: settings.amberfloBucket,
      idleTimeoutMs: timeouts.idleTimeoutMs,
      prepareAmberflo: () => amberfloKeys.get(),
      // Only the keys this run wrote are sent; they are all in the pipeline bucket.
      scope: { bucket: settings.pipelineBucket, prefix: '' },
      minAttemptMs: minAttemptMs(timeouts),
      retry: settings.retry,
      onKeysRefused: () => amberfloKeys.invalidate(),
      concurrency: RELAY_DEFAULTS.concurrency,
      log: settings.log ?? (() => {}),
    });
    const report = await queue.drain(handler);
    const keysOf = (messages: typeof report.deleted) => messages.map((message) => keyOf.get(message.messageId) ?? message.body);
    return { forwarded: keysOf(report.deleted), deadLettered: keysOf(report.deadLettered), invocations: report.invocations, receives: report.receives };
  } finally {
    source.destroy();
    amberflo.destroy();
  }
}

/**
 * Firehose Direct PUT through the AWS SDK: a client with connection and request timeouts, and PutRecordBatch
 * that retries only the entries that failed (the transform's own loop) and returns the record ids.
 */
import { FirehoseClient, type FirehoseClientConfig, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ReingestEntry } from '../../../transform/reingest.ts';
import { type PutOptions, type PutOutcome, putReliably } from './put-reliably.ts';

export interface FirehoseClientOptions {
  readonly region: string;
  readonly endpoint?: string;
  /** Explicit credentials (local endpoints); otherwise the SDK's default chain. */
  readonly credentials?: FirehoseClientConfig['credentials'];
}

export function createFirehoseClient(options: FirehoseClientOptions): FirehoseClient {
  return new FirehoseClient({
    region: options.region,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
}

/** Puts every entry into a Direct PUT delivery stream (see putReliably); partition keys are not used. */
export async function putRecordBatchReliably(client: FirehoseClient, deliveryStreamName: string, entries: readonly ReingestEntry[], options: PutOptions = {}): Promise<PutOutcome> {
  return putReliably(
    entries,
    {
      operation: 'PutRecordBatch',
      description: `Firehose stream ${deliveryStreamName}`,
      maxBatchRecords: 500,
      maxBatchBytes: 4_000_000,
      send: async (batch) => {
        const response = await client.send(
          new PutRecordBatchCommand({ DeliveryStreamName: deliveryStreamName, Records: batch.map((entry) => ({ Data: entry.data })) }),
        );
        return batch.map((_, i) => {
          const result = response.RequestResponses?.[i];
          if (result === undefined) return undefined;
          return result.RecordId === undefined || result.ErrorCode !== undefined ? { errorCode: result.ErrorCode ?? 'MissingRecordId' } : { id: result.RecordId };
        });
      },
    },
    options,
  );
}

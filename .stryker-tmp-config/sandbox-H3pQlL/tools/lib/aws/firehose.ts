/**
 * Firehose Direct PUT through the AWS SDK: a client with per-attempt timeouts whose failures name the endpoint
 * (connection.ts), and PutRecordBatch that retries only the entries that failed (the transform's own loop) and
 * returns the record ids.
 */
// @ts-nocheck

import { FirehoseClient, type FirehoseClientConfig, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import type { ReingestEntry } from '../../../transform/reingest.ts';
import { DEFAULT_TIMEOUT_MS, explainFailures, timedRequestHandler } from './connection.ts';
import { type PutOptions, type PutOutcome, putReliably } from './put-reliably.ts';

export interface FirehoseClientOptions {
  readonly region: string;
  readonly endpoint?: string;
  /** Explicit credentials (local endpoints); otherwise the SDK's default chain. */
  readonly credentials?: FirehoseClientConfig['credentials'];
  /** Per-attempt request limit (default 5 s). */
  readonly timeoutMs?: number;
}

export function createFirehoseClient(options: FirehoseClientOptions): FirehoseClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = new FirehoseClient({
    region: options.region,
    requestHandler: timedRequestHandler(timeoutMs),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
  explainFailures(client, { service: 'Firehose', region: options.region, timeoutMs, ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }) });
  return client;
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

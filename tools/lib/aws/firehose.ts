/**
 * Firehose Direct PUT through the AWS SDK: a client with per-attempt timeouts whose failures name the endpoint
 * (connection.ts), and PutRecordBatch that retries only the entries that failed (the transform's own loop) and
 * returns the record ids.
 */
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import type { ReingestEntry } from '../../../transform/reingest.ts';
import { type AwsClientOptions, explainingFailures, timedClientConfig } from './connection.ts';
import { type PutOptions, type PutOutcome, putReliably } from './put-reliably.ts';

export function createFirehoseClient(options: AwsClientOptions): FirehoseClient {
  return explainingFailures(new FirehoseClient(timedClientConfig(options)), 'Firehose', options);
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

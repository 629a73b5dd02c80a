/**
 * Kinesis Data Streams through the AWS SDK: a client that speaks HTTP/1.1 (emulators such as kinesalite
 * do not speak the HTTP/2 the SDK uses for Kinesis by default), stream setup, PutRecords that retries only
 * the entries that failed, and a reader that drains every shard.
 */
// @ts-nocheck

import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  type KinesisClientConfig,
  PutRecordsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { DEFAULT_TIMEOUT_MS, explainFailures, timedRequestHandler } from './connection.ts';
import { type PutOptions, type PutOutcome, putReliably } from './put-reliably.ts';

export interface KinesisClientOptions {
  readonly region: string;
  readonly endpoint?: string;
  /** Explicit credentials (emulators); otherwise the SDK's default chain. */
  readonly credentials?: KinesisClientConfig['credentials'];
  /** Per-attempt request limit (default 5 s). */
  readonly timeoutMs?: number;
}

export function createKinesisClient(options: KinesisClientOptions): KinesisClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = new KinesisClient({
    region: options.region,
    requestHandler: timedRequestHandler(timeoutMs),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
  explainFailures(client, { service: 'Kinesis', region: options.region, timeoutMs, ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }) });
  return client;
}

export interface StreamInfo {
  readonly streamArn: string;
  readonly shardIds: readonly string[];
}

/** Creates the stream if it does not exist and waits until it is ACTIVE. */
export async function ensureStream(client: KinesisClient, streamName: string, shardCount: number, timeoutMs = 60_000): Promise<StreamInfo> {
  try {
    await client.send(new DescribeStreamCommand({ StreamName: streamName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { StreamDescription: description } = await client.send(new DescribeStreamCommand({ StreamName: streamName }));
    if (description?.StreamStatus === 'ACTIVE') {
      return { streamArn: description.StreamARN ?? '', shardIds: (description.Shards ?? []).map((shard) => shard.ShardId ?? '') };
    }
    if (Date.now() > deadline) throw new Error(`stream ${streamName} is not ACTIVE after ${timeoutMs} ms`);
    await sleep(50);
  }
}

export interface PutEntry {
  readonly data: Uint8Array;
  readonly partitionKey: string;
}

/** Puts every entry into the stream (see putReliably) and returns their sequence numbers in input order. */
export async function putRecordsReliably(client: KinesisClient, streamName: string, entries: readonly PutEntry[], options: PutOptions = {}): Promise<PutOutcome> {
  return putReliably(
    entries,
    {
      operation: 'PutRecords',
      description: `Kinesis stream ${streamName}`,
      maxBatchRecords: 500,
      maxBatchBytes: 5_000_000,
      send: async (batch) => {
        const response = await client.send(
          new PutRecordsCommand({ StreamName: streamName, Records: batch.map((entry) => ({ Data: entry.data, PartitionKey: entry.partitionKey })) }),
        );
        return batch.map((_, i) => {
          const result = response.Records?.[i];
          if (result === undefined) return undefined;
          return result.SequenceNumber === undefined || result.ErrorCode !== undefined
            ? { errorCode: result.ErrorCode ?? 'MissingSequenceNumber' }
            : { id: result.SequenceNumber };
        });
      },
    },
    options,
  );
}

export interface StreamRecord {
  readonly data: Buffer;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly shardId: string;
}

/** Reads a stream from its start, shard by shard; each call returns the records added since the last. */
export class StreamReader {
  private readonly iterators = new Map<string, string>();

  constructor(
    private readonly client: KinesisClient,
    private readonly streamName: string,
    private readonly shardIds: readonly string[],
  ) {}

  async readNew(): Promise<StreamRecord[]> {
    const records: StreamRecord[] = [];
    for (const shardId of this.shardIds) {
      let iterator = this.iterators.get(shardId) ?? (await this.trimHorizon(shardId));
      for (;;) {
        const response = await this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
        for (const record of response.Records ?? []) {
          records.push({
            data: Buffer.from(record.Data ?? new Uint8Array()),
            partitionKey: record.PartitionKey ?? '',
            sequenceNumber: record.SequenceNumber ?? '',
            shardId,
          });
        }
        iterator = response.NextShardIterator ?? iterator;
        if ((response.Records ?? []).length === 0) break;
      }
      this.iterators.set(shardId, iterator);
    }
    return records;
  }

  private async trimHorizon(shardId: string): Promise<string> {
    const response = await this.client.send(
      new GetShardIteratorCommand({ StreamName: this.streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    if (response.ShardIterator === undefined) throw new Error(`no shard iterator for ${this.streamName}/${shardId}`);
    return response.ShardIterator;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Kinesis Data Streams through the AWS SDK: a client that speaks HTTP/1.1 (emulators such as kinesalite
 * do not speak the HTTP/2 the SDK uses for Kinesis by default), stream setup, PutRecords that retries only
 * the entries that failed, and a reader that drains every shard.
 */
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
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface KinesisClientOptions {
  readonly region: string;
  readonly endpoint?: string;
  /** Explicit credentials (emulators); otherwise the SDK's default chain. */
  readonly credentials?: KinesisClientConfig['credentials'];
}

export function createKinesisClient(options: KinesisClientOptions): KinesisClient {
  return new KinesisClient({
    region: options.region,
    requestHandler: new NodeHttpHandler(),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
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

export const PUT_RECORDS_LIMITS = { maxRecords: 500, maxRequestBytes: 5 * 1024 * 1024, maxRecordBytes: 1024 * 1024 } as const;

function entrySize(entry: PutEntry): number {
  return entry.data.length + Buffer.byteLength(entry.partitionKey);
}

/** Splits entries into PutRecords calls of at most 500 records and 5 MiB (data plus partition keys). */
export function chunkPutEntries(entries: readonly PutEntry[], limits = PUT_RECORDS_LIMITS): PutEntry[][] {
  const chunks: PutEntry[][] = [];
  let chunk: PutEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (size > limits.maxRecordBytes) {
      throw new Error(`a Kinesis record of ${size} bytes exceeds the ${limits.maxRecordBytes}-byte record limit`);
    }
    if (chunk.length === limits.maxRecords || bytes + size > limits.maxRequestBytes) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(entry);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

export interface PutRecordsOptions {
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PutRecordsOutcome {
  /** Sequence number of each entry, in input order. */
  readonly sequenceNumbers: string[];
  readonly calls: number;
  /** Entries sent again after a partial failure. */
  readonly retriedEntries: number;
}

export class PutRecordsError extends Error {
  override readonly name = 'PutRecordsError';
}

/** Puts every entry, retrying only the entries a call reports as failed, with full-jitter backoff. */
export async function putRecordsReliably(
  client: KinesisClient,
  streamName: string,
  entries: readonly PutEntry[],
  options: PutRecordsOptions = {},
): Promise<PutRecordsOutcome> {
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelayMs = options.baseDelayMs ?? 100;
  const wait = options.sleep ?? sleep;
  const sequenceNumbers: string[] = new Array<string>(entries.length);
  let calls = 0;
  let retriedEntries = 0;
  let offset = 0;
  for (const chunk of chunkPutEntries(entries)) {
    let pending = chunk.map((entry, index) => ({ entry, index: offset + index }));
    offset += chunk.length;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        if (attempt > maxAttempts) {
          throw new PutRecordsError(`${pending.length} of ${entries.length} records still failed after ${maxAttempts} PutRecords attempts`);
        }
        retriedEntries += pending.length;
        await wait(Math.random() * baseDelayMs * 2 ** (attempt - 2));
      }
      calls += 1;
      const response = await client.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: pending.map(({ entry }) => ({ Data: entry.data, PartitionKey: entry.partitionKey })),
        }),
      );
      const results = response.Records ?? [];
      pending = pending.filter(({ index }, position) => {
        const sequenceNumber = results[position]?.SequenceNumber;
        if (results[position]?.ErrorCode !== undefined || sequenceNumber === undefined) return true;
        sequenceNumbers[index] = sequenceNumber;
        return false;
      });
    }
  }
  return { sequenceNumbers, calls, retriedEntries };
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

export function streamNameFromArn(arn: string): string {
  const match = /^arn:aws[\w-]*:kinesis:[\w-]+:\d{12}:stream\/([\w.-]+)$/.exec(arn);
  if (match?.[1] === undefined) throw new Error(`not a Kinesis stream ARN: "${arn}"`);
  return match[1];
}

export function regionFromArn(arn: string): string {
  const region = arn.split(':')[3];
  if (region === undefined || region === '') throw new Error(`no region in ARN "${arn}"`);
  return region;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

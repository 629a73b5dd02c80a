/**
 * The deployed path on one machine: a Kinesis API (in-process kinesalite unless an endpoint is given), the
 * source records put into it, the bundled transform in a Lambda-like runtime pointed at that stream for its
 * re-ingests, and the local Firehose delivering into an object store.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { type DeliveryReport, type DeliveryStreamSettings, deliverStream } from './local-firehose.ts';
import { EMULATOR_CREDENTIALS, startLocalKinesis } from './local-kinesis.ts';
import { StreamReader, createKinesisClient, ensureStream, putRecordsReliably } from '../aws/kinesis.ts';
import { type LambdaRuntime, WorkerLambdaRuntime } from './lambda-runtime.ts';
import type { ObjectStore } from '../delivery/object-store.ts';

/** The emulator runs on this process's event loop: a long GetRecords under load is slow, not lost. */
const EMULATOR_TIMEOUT_MS = 60_000;

export interface SourcePut {
  readonly data: Buffer;
  readonly partitionKey: string;
  /** Simulated time the record reaches the stream. */
  readonly arrival: number;
}

export interface LambdaSettings {
  readonly bundlePath: string;
  readonly functionName: string;
  readonly memoryMb: number;
  readonly timeoutMs: number;
  /** The transform's own configuration (METER_RECORD_PREFIX, UNKNOWN_FIELDS, …). */
  readonly environment: Readonly<Record<string, string>>;
  readonly onLog?: (text: string) => void;
}

export interface PipelineOptions {
  readonly region: string;
  readonly streamName: string;
  readonly shardCount: number;
  /** An existing Kinesis API; otherwise an in-process emulator is started and stopped. */
  readonly kinesisEndpoint?: string;
  /** Per-attempt request limit for an existing Kinesis API (the in-process emulator gets a generous one). */
  readonly timeoutMs?: number;
  readonly delivery: Omit<DeliveryStreamSettings, 'region' | 'accountId'>;
  readonly lambda: LambdaSettings;
  readonly store: ObjectStore;
  /** Replaces the worker runtime (tests inject misbehaving functions). */
  readonly createRuntime?: (settings: LambdaSettings, environment: Record<string, string>, accountId: string) => LambdaRuntime;
  readonly newUuid?: () => string;
  readonly onProgress?: (report: DeliveryReport) => void;
}

export interface PipelineResult extends DeliveryReport {
  readonly streamArn: string;
  readonly kinesisEndpoint: string;
  readonly lambdaArn: string;
}

export async function runPipeline(records: readonly SourcePut[], options: PipelineOptions): Promise<PipelineResult> {
  const emulator = options.kinesisEndpoint === undefined ? await startLocalKinesis() : undefined;
  const endpoint = emulator?.endpoint ?? (options.kinesisEndpoint as string);
  const credentials = emulator === undefined ? undefined : EMULATOR_CREDENTIALS;
  const timeoutMs = emulator === undefined ? options.timeoutMs : EMULATOR_TIMEOUT_MS;
  const kinesis = createKinesisClient({
    region: options.region,
    endpoint,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(credentials === undefined ? {} : { credentials }),
  });
  let runtime: LambdaRuntime | undefined;
  try {
    const stream = await ensureStream(kinesis, options.streamName, options.shardCount);
    const accountId = stream.streamArn.split(':')[4] ?? '000000000000';
    const reader = new StreamReader(kinesis, options.streamName, stream.shardIds);
    // A stream that already holds records (an external endpoint) is read from here on, not from its start.
    await reader.readNew();
    const arrivals = await putSourceRecords(kinesis, options.streamName, records);
    const environment = lambdaEnvironment(options.lambda, endpoint, emulator !== undefined);
    runtime = (options.createRuntime ?? defaultRuntime(options.region))(options.lambda, environment, accountId);
    const report = await deliverStream(
      { reader, streamArn: stream.streamArn, arrivals, startTime: records.reduce((first, record) => Math.min(first, record.arrival), records[0]?.arrival ?? Date.now()) },
      { ...options.delivery, region: options.region, accountId },
      {
        lambda: runtime,
        store: options.store,
        ...(options.newUuid === undefined ? {} : { newUuid: options.newUuid }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      },
    );
    return { ...report, streamArn: stream.streamArn, kinesisEndpoint: endpoint, lambdaArn: runtime.functionArn };
  } finally {
    await runtime?.close();
    kinesis.destroy();
    await emulator?.close();
  }
}

async function putSourceRecords(kinesis: KinesisClient, streamName: string, records: readonly SourcePut[]): Promise<Map<string, number>> {
  const { sequenceNumbers } = await putRecordsReliably(
    kinesis,
    streamName,
    records.map((record) => ({ data: record.data, partitionKey: record.partitionKey })),
  );
  return new Map(sequenceNumbers.map((sequenceNumber, index) => [sequenceNumber, records[index]?.arrival ?? 0]));
}

/**
 * The function's environment: its configuration, the Kinesis endpoint for re-ingests, and credentials —
 * dummy ones for the in-process emulator, otherwise the caller's AWS_* variables (the SDK default chain).
 */
function lambdaEnvironment(lambda: LambdaSettings, kinesisEndpoint: string, emulated: boolean): Record<string, string> {
  const credentials = emulated
    ? { AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey }
    : Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('AWS_') && entry[1] !== undefined));
  // The deployed function runs on nodejs22.x, where the SDK prints no Node.js version notice; here it runs
  // on the local Node.js, so the SDK's own switch keeps that notice out of --lambda-logs.
  return { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...credentials, ...lambda.environment, AWS_ENDPOINT_URL_KINESIS: kinesisEndpoint };
}

function defaultRuntime(region: string) {
  return (settings: LambdaSettings, environment: Record<string, string>, accountId: string): LambdaRuntime =>
    new WorkerLambdaRuntime({
      bundlePath: settings.bundlePath,
      functionName: settings.functionName,
      region,
      accountId,
      memoryMb: settings.memoryMb,
      timeoutMs: settings.timeoutMs,
      environment,
      ...(settings.onLog === undefined ? {} : { onLog: settings.onLog }),
    });
}

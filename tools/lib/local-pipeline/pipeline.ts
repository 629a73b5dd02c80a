/**
 * The deployed path on one machine: the source (a Kinesis API, in-process kinesalite unless an endpoint is
 * given; or a Direct PUT Firehose API on loopback), the source records put into it with the real SDK, the
 * bundled transform in a Lambda-like runtime pointed at that source for its re-ingests, and the local
 * Firehose delivering into an object store.
 */
import type { PipelineSourceKind } from '../../../infra/pipeline-source.ts';
import { type DeliveryReport, type DeliveryStreamSettings, type FirehoseSource, type SourceRecord, deliverStream } from './local-firehose.ts';
import { EMULATOR_CREDENTIALS, startLocalKinesis } from './local-kinesis.ts';
import { startLocalFirehoseApi } from './local-firehose-api.ts';
import { StreamReader, createKinesisClient, ensureStream, putRecordsReliably } from '../aws/kinesis.ts';
import { createFirehoseClient, putRecordBatchReliably } from '../aws/firehose.ts';
import { type LambdaRuntime, WorkerLambdaRuntime } from './lambda-runtime.ts';
import type { ObjectStore } from '../delivery/object-store.ts';

/** The account of the local resources; kinesalite uses the same. */
const LOCAL_ACCOUNT_ID = '000000000000';
/** Local APIs run on this process's event loop: a long call under load is slow, not lost. */
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
  /** Both Kinesis capacity modes read the same way here; `direct` puts records into Firehose itself. */
  readonly source: PipelineSourceKind;
  /** The Kinesis stream (Kinesis sources). */
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
  /** The Kinesis stream, or the delivery stream itself for `direct`. */
  readonly sourceArn: string;
  /** The API the source records were put to and the transform re-ingests into. */
  readonly sourceEndpoint: string;
  readonly lambdaArn: string;
}

/** A source with records in it: what Firehose reads, and the environment variable that points the SDK at it. */
interface OpenSource {
  readonly firehose: FirehoseSource;
  readonly arn: string;
  readonly endpoint: string;
  readonly endpointVariable: 'AWS_ENDPOINT_URL_KINESIS' | 'AWS_ENDPOINT_URL_FIREHOSE';
  readonly accountId: string;
  /** Dummy credentials for a local endpoint; otherwise the caller's. */
  readonly emulated: boolean;
  close(): Promise<void>;
}

export async function runPipeline(records: readonly SourcePut[], options: PipelineOptions): Promise<PipelineResult> {
  const startTime = records.reduce((first, record) => Math.min(first, record.arrival), records[0]?.arrival ?? Date.now());
  const source = options.source === 'direct' ? await openDirectPut(records, options, startTime) : await openKinesis(records, options, startTime);
  let runtime: LambdaRuntime | undefined;
  try {
    // The deployed function runs on nodejs24.x, where the SDK prints no Node.js version notice; here it runs
    // on the local Node.js, so the SDK's own switch keeps that notice out of --lambda-logs.
    const environment = {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...lambdaCredentials(source.emulated),
      ...options.lambda.environment,
      [source.endpointVariable]: source.endpoint,
    };
    runtime = (options.createRuntime ?? defaultRuntime(options.region))(options.lambda, environment, source.accountId);
    const report = await deliverStream(
      source.firehose,
      { ...options.delivery, region: options.region, accountId: source.accountId },
      {
        lambda: runtime,
        store: options.store,
        ...(options.newUuid === undefined ? {} : { newUuid: options.newUuid }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      },
    );
    return { ...report, sourceArn: source.arn, sourceEndpoint: source.endpoint, lambdaArn: runtime.functionArn };
  } finally {
    await runtime?.close();
    await source.close();
  }
}

async function openKinesis(records: readonly SourcePut[], options: PipelineOptions, startTime: number): Promise<OpenSource> {
  const emulator = options.kinesisEndpoint === undefined ? await startLocalKinesis() : undefined;
  const endpoint = emulator?.endpoint ?? (options.kinesisEndpoint as string);
  const timeoutMs = emulator === undefined ? options.timeoutMs : EMULATOR_TIMEOUT_MS;
  const kinesis = createKinesisClient({
    region: options.region,
    endpoint,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(emulator === undefined ? {} : { credentials: EMULATOR_CREDENTIALS }),
  });
  const close = async (): Promise<void> => {
    kinesis.destroy();
    await emulator?.close();
  };
  try {
    const stream = await ensureStream(kinesis, options.streamName, options.shardCount);
    const reader = new StreamReader(kinesis, options.streamName, stream.shardIds);
    // A stream that already holds records (an external endpoint) is read from here on, not from its start.
    await reader.readNew();
    const { ids } = await putRecordsReliably(kinesis, options.streamName, records);
    const readNew = async (): Promise<SourceRecord[]> =>
      (await reader.readNew()).map((record) => ({
        recordId: record.sequenceNumber,
        data: record.data,
        kinesis: { shardId: record.shardId, partitionKey: record.partitionKey },
      }));
    return {
      firehose: { readNew, kinesisStreamArn: stream.streamArn, arrivals: arrivalsById(ids, records), startTime },
      arn: stream.streamArn,
      endpoint,
      endpointVariable: 'AWS_ENDPOINT_URL_KINESIS',
      accountId: stream.streamArn.split(':')[4] ?? LOCAL_ACCOUNT_ID,
      emulated: emulator !== undefined,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** CloudWatch Logs puts each subscription delivery into the delivery stream; so does the transform's re-ingest. */
async function openDirectPut(records: readonly SourcePut[], options: PipelineOptions, startTime: number): Promise<OpenSource> {
  const name = options.delivery.name;
  const api = await startLocalFirehoseApi([name]);
  const firehose = createFirehoseClient({ region: options.region, endpoint: api.endpoint, credentials: EMULATOR_CREDENTIALS, timeoutMs: EMULATOR_TIMEOUT_MS });
  const close = async (): Promise<void> => {
    firehose.destroy();
    await api.close();
  };
  try {
    const { ids } = await putRecordBatchReliably(firehose, name, records);
    return {
      firehose: { readNew: async () => api.take(name), arrivals: arrivalsById(ids, records), startTime },
      arn: `arn:aws:firehose:${options.region}:${LOCAL_ACCOUNT_ID}:deliverystream/${name}`,
      endpoint: api.endpoint,
      endpointVariable: 'AWS_ENDPOINT_URL_FIREHOSE',
      accountId: LOCAL_ACCOUNT_ID,
      emulated: true,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function arrivalsById(ids: readonly string[], records: readonly SourcePut[]): Map<string, number> {
  return new Map(ids.map((id, index) => [id, records[index]?.arrival ?? 0]));
}

/** Dummy credentials for local emulators, otherwise the caller's AWS_* variables (the SDK default chain). */
function lambdaCredentials(emulated: boolean): Record<string, string> {
  return emulated
    ? { AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey }
    : Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('AWS_') && entry[1] !== undefined));
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

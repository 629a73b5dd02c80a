/**
 * The reconciling function's AWS wiring. Every client is bounded: connection, idle socket and response-header
 * timeouts (throwOnRequestTimeout), and at most 3 attempts; Amberflo's bucket is read with Amberflo's key pair in
 * relay mode (the forwarder's secret), with the function's role in direct mode (Amberflo's bucket policy grants it).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CachedAmberfloKeys, secretsManagerReader } from '../relay/amberflo-keys.ts';
import { boundedHttpHandler, secretsManagerClient } from '../relay/clients.ts';
import { S3Store } from '../tools/lib/delivery/object-store.ts';
import { AWS_TIMEOUT_MS, CLOUDWATCH_READ_TIMEOUT_MS, type ReconcileFunctionConfig } from './config.ts';
import { CloudWatchForwardedCounts } from './cloudwatch-forwarded.ts';
import type { ReconcileDependencies, WindowRun } from './handler.ts';
import { InProcessTransform } from './in-process-transform.ts';

const KEYS_TTL_MS = 5 * 60_000;
const TIMEOUTS = { connectionTimeoutMs: AWS_TIMEOUT_MS, idleTimeoutMs: AWS_TIMEOUT_MS };

export function awsDependencies(config: ReconcileFunctionConfig, env: NodeJS.ProcessEnv): ReconcileDependencies {
  const region = env['AWS_REGION'] ?? 'us-east-1';
  const functionName = env['AWS_LAMBDA_FUNCTION_NAME'] ?? '';
  const pipelineStore = new S3Store({ bucket: config.pipelineBucket, region, timeoutMs: AWS_TIMEOUT_MS });
  const keys =
    config.amberfloKeysSecretArn === undefined
      ? undefined
      : new CachedAmberfloKeys(secretsManagerReader(secretsManagerClient(TIMEOUTS), config.amberfloKeysSecretArn), KEYS_TTL_MS, Date.now, `the Amberflo key secret ${config.amberfloKeysSecretArn}`);
  const amberfloStore = new S3Store({
    bucket: config.amberfloBucket,
    region: config.amberfloRegion,
    timeoutMs: AWS_TIMEOUT_MS,
    ...(keys === undefined ? {} : { credentials: () => keys.get() }),
  });
  return {
    config,
    pipelineStore,
    amberfloStore,
    transformer: new InProcessTransform(config.transformEnvironment, region),
    forwardedCounts: new CloudWatchForwardedCounts(cloudWatchClient({ region, timeouts: { connectionTimeoutMs: AWS_TIMEOUT_MS, idleTimeoutMs: CLOUDWATCH_READ_TIMEOUT_MS } })),
    invokeWindow: windowInvoker({ functionName, region, timeouts: TIMEOUTS }),
    now: Date.now,
    log: (line) => process.stdout.write(`${line}\n`),
  };
}

export interface ClientOptions {
  readonly region: string;
  readonly timeouts: { readonly connectionTimeoutMs: number; readonly idleTimeoutMs: number };
  /** An explicit endpoint and credentials (tests); otherwise the SDK's defaults. */
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface WindowInvokerOptions extends ClientOptions {
  readonly functionName: string;
}

/** Every client of this function: bounded handler, at most 3 attempts. */
function clientSettings(options: ClientOptions) {
  return {
    region: options.region,
    maxAttempts: 3,
    requestHandler: boundedHttpHandler(options.timeouts),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
}

/** CloudWatch, to read ForwardedLogEvents. */
export function cloudWatchClient(options: ClientOptions): CloudWatchClient {
  return new CloudWatchClient(clientSettings(options));
}

/** Starts a window's run: an asynchronous invocation of this function, at most 3 bounded attempts. */
export function windowInvoker(options: WindowInvokerOptions): (start: number, run: WindowRun) => Promise<void> {
  const lambda = new LambdaClient(clientSettings(options));
  return async (start, run) => {
    const payload = Buffer.from(JSON.stringify({ window: new Date(start).toISOString(), ...run }));
    await lambda.send(new InvokeCommand({ FunctionName: options.functionName, InvocationType: 'Event', Payload: payload }));
  };
}

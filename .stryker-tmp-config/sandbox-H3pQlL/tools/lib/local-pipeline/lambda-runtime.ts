/**
 * Runs the bundled transform the way Lambda does: in its own runtime (a worker thread) with its own
 * environment, a cold start on first use, one invocation at a time, a timeout, and the response handed
 * back serialized, so its size is what Lambda would measure.
 */
// @ts-nocheck

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FirehoseTransformationEvent } from 'aws-lambda';

export type InvocationReply =
  | { readonly ok: true; readonly responseJson: string }
  | { readonly ok: false; readonly errorType: string; readonly errorMessage: string };

export type InvocationResult = InvocationReply & { readonly durationMs: number };

/** Anything that can be invoked like the transformation Lambda; tests substitute their own. */
export interface LambdaRuntime {
  readonly functionArn: string;
  invoke(event: FirehoseTransformationEvent): Promise<InvocationResult>;
  close(): Promise<void>;
}

export const DEFAULT_BUNDLE_PATH = 'dist/transform/index.mjs';

export class BundleMissingError extends Error {
  override readonly name = 'BundleMissingError';
}

export interface WorkerRuntimeOptions {
  readonly bundlePath: string;
  readonly functionName: string;
  readonly region: string;
  readonly accountId: string;
  readonly memoryMb: number;
  readonly timeoutMs: number;
  /** The function's environment (Lambda's reserved variables are added). */
  readonly environment: Readonly<Record<string, string>>;
  /** Receives what the function writes to stdout and stderr (its CloudWatch log). */
  readonly onLog?: (text: string) => void;
}

// Runs inside the worker: loads the bundle once (the cold start) and serves invocations.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const loaded = import(workerData.bundleUrl).then((module) => module.handler);
loaded.catch(() => {});
parentPort.on('message', async ({ event, context }) => {
  const lambdaContext = {
    ...context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, context.deadline - Date.now()),
    done() {}, fail() {}, succeed() {},
  };
  try {
    const handler = await loaded;
    if (typeof handler !== 'function') throw new TypeError('the bundle does not export a function named handler');
    const result = await handler(event, lambdaContext);
    parentPort.postMessage({ ok: true, responseJson: JSON.stringify(result) ?? 'null' });
  } catch (error) {
    parentPort.postMessage({ ok: false, errorType: (error && error.name) || 'Error', errorMessage: String((error && error.message) || error) });
  }
});
`;

export class WorkerLambdaRuntime implements LambdaRuntime {
  readonly functionArn: string;
  private worker: Worker | undefined;
  private invocations = 0;

  constructor(private readonly options: WorkerRuntimeOptions) {
    if (!existsSync(options.bundlePath)) {
      throw new BundleMissingError(`${options.bundlePath} not found: build the transform first with \`npm run build\``);
    }
    this.functionArn = `arn:aws:lambda:${options.region}:${options.accountId}:function:${options.functionName}:$LATEST`;
  }

  async invoke(event: FirehoseTransformationEvent): Promise<InvocationResult> {
    const worker = this.worker ?? this.start();
    const started = Date.now();
    this.invocations += 1;
    const context = {
      functionName: this.options.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: this.functionArn,
      memoryLimitInMB: String(this.options.memoryMb),
      awsRequestId: `local-${this.invocations}-${started}`,
      logGroupName: `/aws/lambda/${this.options.functionName}`,
      logStreamName: 'local',
      deadline: started + this.options.timeoutMs,
    };
    const outcome = await new Promise<InvocationReply>((resolveInvocation) => {
      const timer = setTimeout(() => {
        cleanup();
        this.stop();
        resolveInvocation({ ok: false, errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${this.options.timeoutMs / 1000} seconds` });
      }, this.options.timeoutMs);
      const onMessage = (message: InvocationReply): void => {
        cleanup();
        resolveInvocation(message);
      };
      const onError = (error: Error): void => {
        cleanup();
        this.worker = undefined;
        resolveInvocation({ ok: false, errorType: 'Runtime.ExitError', errorMessage: error.message });
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage({ event, context });
    });
    return { ...outcome, durationMs: Date.now() - started };
  }

  async close(): Promise<void> {
    await this.stop();
  }

  private start(): Worker {
    const { region, functionName, memoryMb } = this.options;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { bundleUrl: pathToFileURL(resolve(this.options.bundlePath)).href },
      env: {
        ...this.options.environment,
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_LAMBDA_FUNCTION_NAME: functionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
      },
      stdout: true,
      stderr: true,
    });
    const forward = (chunk: Buffer): void => this.options.onLog?.(chunk.toString('utf8'));
    worker.stdout.on('data', forward);
    worker.stderr.on('data', forward);
    this.worker = worker;
    return worker;
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }
}

/** The built transform, loaded as Lambda loads it: the minified ESM bundle in dist/transform/. */
// @ts-nocheck

import { fileURLToPath } from 'node:url';
import type { Context, FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';

// Resolved against the bundled benchmark, dist/bench/<entry>.mjs, so it names dist/transform/.
export const TRANSFORM_DIR = fileURLToPath(new URL('../transform/', import.meta.url));
export const TRANSFORM_BUNDLE = fileURLToPath(new URL('../transform/index.mjs', import.meta.url));

export type TransformHandler = (
  event: FirehoseTransformationEvent,
  context: Context,
) => Promise<FirehoseTransformationResult>;

export async function loadTransform(): Promise<TransformHandler> {
  const module = (await import(TRANSFORM_BUNDLE)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new Error(`${TRANSFORM_BUNDLE} exports no handler`);
  return module.handler as TransformHandler;
}

/** A Lambda context for one invocation with the five minutes Firehose allows a transformation. */
export function lambdaContext(timeoutMs = 300_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'meter-firehose-transform',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:meter-firehose-transform',
    memoryLimitInMB: '256',
    awsRequestId: 'bench-request',
    logGroupName: '/aws/lambda/meter-firehose-transform',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

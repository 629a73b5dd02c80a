/**
 * The Firehose data-transformation Lambda: gzipped CloudWatch Logs batches in, Amberflo NDJSON out.
 * A thin shell: configuration is read once per cold start, the work is in transformBatch.
 */
// @ts-nocheck

import type { Context, FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { transformBatch, type BatchDependencies } from './batch.ts';
import { loadConfig, type TransformConfig } from './config.ts';
import { summaryLines } from './metrics.ts';
import type { ReingestTarget } from './reingest.ts';

export type FirehoseTransformationHandler = (
  event: FirehoseTransformationEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<FirehoseTransformationResult>;

/** Re-ingest into the Kinesis stream Firehose reads, or into Firehose itself when it has no such source. */
export function sourceTarget(): (event: FirehoseTransformationEvent) => Promise<ReingestTarget> {
  const targets = new Map<string, Promise<ReingestTarget>>();
  return (event) => {
    const arn = event.sourceKinesisStreamArn ?? event.deliveryStreamArn;
    let target = targets.get(arn);
    if (target === undefined) {
      const viaKinesis = event.sourceKinesisStreamArn !== undefined;
      target = import('./reingest-targets.ts').then((aws) => (viaKinesis ? aws.kinesisTarget(arn) : aws.firehoseTarget(arn)));
      target.catch(() => targets.delete(arn));
      targets.set(arn, target);
    }
    return target;
  };
}

/**
 * Writes a line as-is. console.log would prepend the runtime's time/request-id/level prefix in the TEXT log
 * format, and CloudWatch extracts Embedded Metric Format only from log events that are pure JSON.
 */
export function writeLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function createHandler(
  config: TransformConfig,
  dependencies: BatchDependencies = { reingestTarget: sourceTarget() },
  log: (line: string) => void = writeLine,
): FirehoseTransformationHandler {
  return async (event, lambdaContext) => {
    // Re-ingest stops DEADLINE_MARGIN_MS before the function's timeout, so the function always returns.
    const deadline = lambdaContext === undefined ? undefined : Date.now() + lambdaContext.getRemainingTimeInMillis() - config.deadlineMarginMs;
    const { result, stats } = await transformBatch(event, config, dependencies, deadline === undefined ? {} : { deadline });
    const context = {
      namespace: config.metricsNamespace,
      pipeline: config.pipelineName,
      invocationId: event.invocationId,
      deliveryStreamArn: event.deliveryStreamArn,
      timestamp: Date.now(),
    };
    for (const line of summaryLines(stats, context)) log(line);
    return result;
  };
}

export const handler: FirehoseTransformationHandler = createHandler(loadConfig());

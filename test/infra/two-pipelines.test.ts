import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { MeterIngestionPipeline, PipelineConfigError, type MeterIngestionPipelineProps } from '../../infra/index.ts';
import { BUCKET } from './helpers.ts';

function stackOf(): Stack {
  return new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Billing');
}

function pipeline(stack: Stack, id: string, props: Partial<MeterIngestionPipelineProps> = {}): MeterIngestionPipeline {
  return new MeterIngestionPipeline(stack, id, { amberfloBucketName: BUCKET, ...props });
}

describe('two pipelines in one stack', () => {
  it('get distinct names by default, derived from their construct paths', () => {
    const stack = stackOf();
    const production = pipeline(stack, 'Production');
    const staging = pipeline(stack, 'Staging', { source: 'direct' });
    expect(production.pipelineName).not.toBe(staging.pipelineName);
    const logGroupNames = Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup')).map((r) => r.Properties.LogGroupName);
    expect(logGroupNames).toHaveLength(6);
    expect(new Set(logGroupNames).size).toBe(6);
  });

  it('are refused with the same pipelineName, naming the first', () => {
    const stack = stackOf();
    pipeline(stack, 'Production', { pipelineName: 'meters' });
    expect(() => pipeline(stack, 'Staging', { pipelineName: 'meters' })).toThrow(
      new PipelineConfigError(
        'pipelineName "meters" is already used by Billing/Production: each pipeline in a stack needs its own ' +
          '(it names the log groups, the dashboard and the metrics dimension)',
      ),
    );
  });

  it('may not both have an account subscription policy (one per account and Region)', () => {
    const stack = stackOf();
    pipeline(stack, 'Production', { accountSubscriptionPolicy: true });
    pipeline(stack, 'Staging', { accountSubscriptionPolicy: false });
    expect(() => pipeline(stack, 'Other', { accountSubscriptionPolicy: true })).toThrow(
      /^accountSubscriptionPolicy is already set by Billing\/Production: CloudWatch Logs allows one subscription filter policy per account and Region$/,
    );
  });

  it('in different stacks may share a name (each stack names its own account and Region)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const props = { amberfloBucketName: BUCKET, pipelineName: 'meters', accountSubscriptionPolicy: true };
    new MeterIngestionPipeline(new Stack(app, 'A'), 'Pipeline', props);
    expect(() => new MeterIngestionPipeline(new Stack(app, 'B'), 'Pipeline', props)).not.toThrow();
  });
});

describe('log group names given as tokens', () => {
  it('are refused with what to do instead', () => {
    const stack = stackOf();
    const logGroup = new logs.LogGroup(stack, 'Api');
    expect(() => pipeline(stack, 'Production', { sourceLogGroupNames: [logGroup.logGroupName] })).toThrow(
      /^sourceLogGroupNames must hold log group names as plain strings, not tokens such as logGroup\.logGroupName: .*pipeline\.node\.addDependency\(logGroup\)\)$/,
    );
  });
});

describe('a transform setting the construct does not know (JavaScript callers)', () => {
  it('is refused, listing the known ones, where it would otherwise be ignored', () => {
    const transform = { unknownFields: 'drop', prefx: 'p' } as unknown as MeterIngestionPipelineProps['transform'];
    expect(() => pipeline(stackOf(), 'Production', { transform })).toThrow(
      new PipelineConfigError(
        'transform has an unknown setting "prefx"; known: prefix, maxDecompressedBytes, responseBudgetBytes, splitTargetBytes, ' +
          'unknownFields, reingestMaxAttempts, reingestBaseDelayMs, maxReingestGenerations, deadlineMarginMs, maxMeterAgeDays, ' +
          'maxFutureSkewSeconds, metricsNamespace',
      ),
    );
  });
});

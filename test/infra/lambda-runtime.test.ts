/** The functions' Lambda runtime: nodejs24.x by default, nodejs22.x by choice, nothing else. */
import type { CfnResource } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LAMBDA_RUNTIME, LAMBDA_RUNTIMES } from '../../infra/lambda-runtime.ts';
import { PipelineConfigError } from '../../infra/pipeline/settings.ts';
import { acknowledgments, expectNoLintErrors, synth } from './helpers.ts';

const RELAY = { delivery: 'relay', amberfloKeysSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:amberflo-keys-AbCdEf' } as const;

const runtimesOf = (settings: Parameters<typeof synth>[0]) => {
  const synthesized = synth({ ...RELAY, ...settings });
  const { pipeline } = synthesized.stack;
  const functions = synthesized.template.findResources('AWS::Lambda::Function');
  const runtimeOf = (fn: lambda.Function) => functions[synthesized.stack.resolve((fn.node.defaultChild as CfnResource).logicalId) as string]?.Properties.Runtime;
  return { synthesized, byFunction: { transform: runtimeOf(pipeline.transformFunction), forwarder: runtimeOf(pipeline.relay!.function) } };
};

describe('the Lambda runtime', () => {
  it('is nodejs24.x for the transform and the forwarder by default; cdk-nag and cfn-lint clean', () => {
    expect(DEFAULT_LAMBDA_RUNTIME).toBe('nodejs24.x');
    const { synthesized, byFunction } = runtimesOf({});
    expect(byFunction).toEqual({ transform: 'nodejs24.x', forwarder: 'nodejs24.x' });
    expect(new AwsSolutionsChecks().validateScope(synthesized.app).violations).toEqual([]);
    expectNoLintErrors(synthesized.template);
  });

  it('is nodejs22.x for both when lambdaRuntime says so, acknowledged for cdk-nag', () => {
    const { synthesized, byFunction } = runtimesOf({ lambdaRuntime: 'nodejs22.x' });
    expect(byFunction).toEqual({ transform: 'nodejs22.x', forwarder: 'nodejs22.x' });
    expect(new AwsSolutionsChecks().validateScope(synthesized.app).violations).toEqual([]);
    const acks = acknowledgments(synthesized.app);
    expect(acks['Test/Pipeline/Transform']).toEqual(['AwsSolutions-L1']);
    expect(acks['Test/Pipeline/Forwarder']).toEqual(['AwsSolutions-L1']);
  });

  it.each(['nodejs20.x', 'nodejs26.x', 'nodejs24', 'python3.13', ''])('refuses %j, naming the choices', (runtime) => {
    const attempt = () => synth({ lambdaRuntime: runtime as (typeof LAMBDA_RUNTIMES)[number] });
    expect(attempt).toThrow(PipelineConfigError);
    expect(attempt).toThrow(
      `Context key "lambdaRuntime" must be "nodejs24.x" or "nodejs22.x" (the Node.js lines AWS supports that this project tests), got "${runtime}"`,
    );
  });
});

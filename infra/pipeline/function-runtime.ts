import { Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { LambdaRuntime } from '../lambda-runtime.ts';

const CDK_RUNTIMES: Record<LambdaRuntime, lambda.Runtime> = {
  'nodejs24.x': lambda.Runtime.NODEJS_24_X,
  'nodejs22.x': lambda.Runtime.NODEJS_22_X,
};

/** The CDK runtime of a pipeline function. */
export function functionRuntime(runtime: LambdaRuntime): lambda.Runtime {
  return CDK_RUNTIMES[runtime];
}

/**
 * AwsSolutions-L1 asks for the newest runtime aws-cdk-lib knows; the functions run on a line this project tests
 * instead, so a newer one is a deliberate upgrade, not one a dependency update makes silently.
 */
export function acknowledgeRuntimeChoice(fn: lambda.Function, runtime: LambdaRuntime): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason: `On ${runtime} (lambdaRuntime) on purpose: its bundle is built for and tested on that Node.js line.`,
  });
}

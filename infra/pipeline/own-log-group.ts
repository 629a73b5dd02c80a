import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export interface OwnLogGroupProps {
  readonly logGroupName: string;
  readonly logRetention: logs.RetentionDays;
}

/**
 * A log group of the pipeline's own. Fixed names, known before deployment, so that the account policy can exclude
 * them and a source list that names them is rejected at synth time. DESTROY: a retained log group with a fixed name
 * would block redeploying.
 */
export function ownLogGroup(scope: Construct, id: string, props: OwnLogGroupProps): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    logGroupName: props.logGroupName,
    retention: props.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

// @ts-nocheck
import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct, IDependable } from 'constructs';
import type { RecordDestination } from './record-destination.ts';

export interface LogSubscriptionsProps {
  readonly pipelineName: string;
  /** Where subscribed log events are put: the Kinesis stream, or the Firehose stream itself. */
  readonly destination: RecordDestination;
  readonly filterPattern: string;
  /** Log groups that each get a subscription filter. */
  readonly logGroupNames: string[];
  /** Whether to add the account-level subscription filter policy. */
  readonly accountPolicy: boolean;
  /** Log groups the account policy leaves out (the pipeline's own among them). */
  readonly accountPolicyExclusions: string[];
  /**
   * What must exist before any subscription: the delivery stream. It reads a Kinesis source from LATEST, so events
   * put into the stream before it reads are never delivered; a Direct PUT destination is the delivery stream itself.
   */
  readonly startAfter: IDependable;
}

/** CloudWatch Logs subscriptions into the source: per log group, and optionally account-wide, with their role. */
export class LogSubscriptions {
  /** The role CloudWatch Logs assumes to put subscribed log events into the source. */
  readonly role: iam.Role;
  readonly filters: logs.CfnSubscriptionFilter[];
  readonly accountPolicy: logs.CfnAccountPolicy | undefined;

  /**
   * Adds `SubscriptionRole`, a `Subscription<encoded log group name>` per log group and `AccountSubscriptionPolicy`
   * to `scope`.
   */
  constructor(scope: Construct, props: LogSubscriptionsProps) {
    const { destination, filterPattern } = props;
    this.role = new iam.Role(scope, 'SubscriptionRole', {
      assumedBy: new iam.ServicePrincipal('logs.amazonaws.com', {
        conditions: { StringLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:*` } },
      }),
      description: `Meter pipeline ${props.pipelineName}: CloudWatch Logs subscriptions to ${destination.description}`,
      inlinePolicies: {
        PutRecords: new iam.PolicyDocument({
          statements: destination.producerStatements([destination.putActions.single, destination.putActions.batch]),
        }),
      },
    });

    this.filters = props.logGroupNames.map(
      (logGroupName) =>
        // encodeURIComponent keeps distinct names distinct ('/' is not allowed in construct IDs).
        new logs.CfnSubscriptionFilter(scope, `Subscription${encodeURIComponent(logGroupName)}`, {
          logGroupName,
          filterPattern,
          destinationArn: destination.arn,
          roleArn: this.role.roleArn,
          distribution: destination.distribution,
        }),
    );

    const excluded = props.accountPolicyExclusions;
    this.accountPolicy = props.accountPolicy
      ? new logs.CfnAccountPolicy(scope, 'AccountSubscriptionPolicy', {
          policyName: `${props.pipelineName}-meter-records`,
          policyType: 'SUBSCRIPTION_FILTER_POLICY',
          policyDocument: Stack.of(scope).toJsonString({
            DestinationArn: destination.arn,
            RoleArn: this.role.roleArn,
            FilterPattern: filterPattern,
            ...(destination.distribution === undefined ? {} : { Distribution: destination.distribution }),
          }),
          selectionCriteria: `LogGroupName NOT IN [${excluded.map((name) => JSON.stringify(name)).join(', ')}]`,
        })
      : undefined;
    for (const subscription of [...this.filters, ...(this.accountPolicy ? [this.accountPolicy] : [])]) {
      subscription.node.addDependency(props.startAfter);
    }
  }
}

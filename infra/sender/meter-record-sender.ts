/**
 * The sender side of a cross-account pipeline: in a workload account, the subscription filters (or the account-level
 * subscription filter policy) that put meter records into the central pipeline's CloudWatch Logs destination, with
 * alarms on their delivery errors.
 */
import { Aws, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DEFAULT_SUBSCRIPTION_FILTER_PATTERN } from '../defaults.ts';
import { ALARM_PERIOD, logDeliverySums } from '../pipeline/monitoring.ts';
import { PipelineConfigError } from '../pipeline/settings.ts';

export interface MeterRecordSenderProps {
  /**
   * ARN of the central pipeline's CloudWatch Logs destination (its stack's `SenderDestinationArn` output),
   * `arn:aws:logs:<region>:<account>:destination:<name>`. The destination must be in this stack's Region: CloudWatch
   * Logs delivers only to a destination in the log groups' Region.
   */
  readonly destinationArn: string;

  /** Log groups of this account that each get a subscription filter to the destination (at most 100). @default - none */
  readonly logGroupNames?: string[];

  /**
   * Also subscribe every log group of this account and Region through an account-level subscription filter policy
   * (`AWS::Logs::AccountPolicy`, one per account and Region) pointing at the destination. The groups of
   * `logGroupNames` are left out of it, so no event is delivered twice.
   * @default false
   */
  readonly accountSubscriptionPolicy?: boolean;

  /** Further log groups the account policy leaves out (at most 50 with the groups of `logGroupNames`). @default - none */
  readonly accountPolicyExcludedLogGroupNames?: string[];

  /**
   * CloudWatch Logs filter pattern of the filters and of the account policy; use the central pipeline's own when it
   * changed its record prefix.
   * @default - the quoted default meter record prefix, `"meter_record_for_stream"`
   */
  readonly filterPattern?: string;

  /**
   * Create the IAM role CloudWatch Logs assumes to check that this account may subscribe, and name it in the filters
   * and the policy: required when the destination admits an organization (`senderOrganizationId`) rather than this
   * account by id.
   * @default false
   */
  readonly organizationSender?: boolean;

  /** Name of the account policy and of the subscription filters (1-512 characters, no `:` or `*`). @default 'meter-records' */
  readonly subscriptionName?: string;

  /** Topic notified when a delivery alarm fires or recovers. @default - alarms without actions */
  readonly alarmTopic?: sns.ITopic;
}

const MAX_POLICY_EXCLUSIONS = 50;
const MAX_LOG_GROUPS = 100;
const DESTINATION_ARN = /^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):destination:([^:*]{1,512})$/;

/** Subscription filters and/or an account policy into a central meter pipeline's destination, and their alarms. */
export class MeterRecordSender extends Construct {
  /** One subscription filter per log group of `logGroupNames`, into the destination. */
  readonly filters: logs.CfnSubscriptionFilter[];
  /** The account-level subscription filter policy, with `accountSubscriptionPolicy: true`. */
  readonly accountPolicy: logs.CfnAccountPolicy | undefined;
  /** The role CloudWatch Logs assumes to check this account's permission (`organizationSender`). */
  readonly role: iam.Role | undefined;
  /** The `AWS/Logs` delivery error and throttling alarms of the subscriptions. */
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MeterRecordSenderProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { destinationArn } = props;
    const logGroupNames = props.logGroupNames ?? [];
    const excluded = props.accountPolicyExcludedLogGroupNames ?? [];
    const accountPolicy = props.accountSubscriptionPolicy ?? false;
    const subscriptionName = props.subscriptionName ?? 'meter-records';
    checkProps(stack, { ...props, logGroupNames, accountPolicyExcludedLogGroupNames: excluded, accountSubscriptionPolicy: accountPolicy, subscriptionName });
    const filterPattern = props.filterPattern ?? DEFAULT_SUBSCRIPTION_FILTER_PATTERN;

    this.role = props.organizationSender
      ? new iam.Role(this, 'SubscriptionRole', {
          assumedBy: new iam.ServicePrincipal('logs.amazonaws.com'),
          description: 'Meter records: lets CloudWatch Logs check this account may subscribe to the central destination',
          inlinePolicies: {
            PutLogEvents: new iam.PolicyDocument({
              statements: [
                new iam.PolicyStatement({
                  actions: ['logs:PutLogEvents'],
                  resources: accountPolicy
                    ? [`arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`]
                    : logGroupNames.map((name) => `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${name}:*`),
                }),
              ],
            }),
          },
        })
      : undefined;
    if (this.role !== undefined) {
      // What AWS documents for this role: PutLogEvents on the subscribed log groups (their log streams: `:*`).
      const groups = accountPolicy ? ['*'] : logGroupNames.map((name) => `${name}:*`);
      for (const group of groups) {
        Validations.of(this.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${group}]`,
          reason: accountPolicy
            ? 'The account policy subscribes every log group of the account: CloudWatch Logs checks PutLogEvents on any of them.'
            : 'The log streams of a subscribed log group, on which CloudWatch Logs checks PutLogEvents.',
        });
      }
    }
    const roleArn = this.role?.roleArn;

    this.filters = logGroupNames.map(
      (logGroupName) =>
        new logs.CfnSubscriptionFilter(this, `Subscription${encodeURIComponent(logGroupName)}`, {
          logGroupName,
          filterName: subscriptionName,
          filterPattern,
          destinationArn,
          ...(roleArn === undefined ? {} : { roleArn }),
        }),
    );
    const exclusions = [...logGroupNames, ...excluded];
    this.accountPolicy = accountPolicy
      ? new logs.CfnAccountPolicy(this, 'AccountSubscriptionPolicy', {
          policyName: subscriptionName,
          policyType: 'SUBSCRIPTION_FILTER_POLICY',
          policyDocument: stack.toJsonString({
            DestinationArn: destinationArn,
            FilterPattern: filterPattern,
            ...(roleArn === undefined ? {} : { RoleArn: roleArn }),
          }),
          ...(exclusions.length === 0 ? {} : { selectionCriteria: `LogGroupName NOT IN [${exclusions.map((name) => JSON.stringify(name)).join(', ')}]` }),
        })
      : undefined;

    this.addAlarms(logGroupNames, accountPolicy, props.alarmTopic);
  }

  /**
   * Per log group, the `AWS/Logs` delivery metrics summed 10 groups per alarm (as the pipeline's own); for the account
   * policy, whose groups are not known here, a Metrics Insights query over every log group of the account.
   */
  private addAlarms(logGroupNames: readonly string[], accountPolicy: boolean, topic: sns.ITopic | undefined): void {
    const kinds = [
      ['DeliveryErrorsAlarm', 'DeliveryErrors', 'CloudWatch Logs could not deliver meter records to the central destination; on AccessDenied or ResourceNotFound it disables the subscription for up to 10 minutes and skips those events.'],
      ['DeliveryThrottlingAlarm', 'DeliveryThrottling', 'Meter records to the central destination were throttled (CloudWatch Logs retries them for up to 24 h).'],
    ] as const;
    for (const [id, metricName, description] of kinds) {
      const metrics = logDeliverySums(metricName, logGroupNames);
      if (accountPolicy) {
        metrics.push(
          new cloudwatch.MathExpression({
            expression: `SELECT SUM(${metricName}) FROM "AWS/Logs"`,
            usingMetrics: {},
            period: ALARM_PERIOD,
            label: `${metricName} of every log group of the account`,
          }),
        );
      }
      metrics.forEach((metric, chunk) => {
        const alarm = new cloudwatch.Alarm(this, chunk === 0 ? id : `${id}${chunk + 1}`, {
          metric,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          // A disabled subscription is retried after up to 10 minutes: any error in the last 15 keeps the alarm on.
          evaluationPeriods: metricName === 'DeliveryErrors' ? 3 : 1,
          datapointsToAlarm: 1,
          // Published only when something fails: no data is no failure.
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          alarmDescription: `Meter record sender: ${description}`,
        });
        if (topic !== undefined) {
          alarm.addAlarmAction(new actions.SnsAction(topic));
          alarm.addOkAction(new actions.SnsAction(topic));
        }
        this.alarms.push(alarm);
      });
    }
  }
}

/** The pattern of a CloudWatch Logs destination ARN (also the sender stack's parameter's AllowedPattern). */
export const DESTINATION_ARN_PATTERN = DESTINATION_ARN.source;

/** Checks a destination ARN given as text (a token, such as a parameter, is checked at deploy time instead). */
export function checkDestinationArn(stack: Stack, destinationArn: string): void {
  if (Token.isUnresolved(destinationArn)) return;
  const match = DESTINATION_ARN.exec(destinationArn);
  if (match === null) {
    throw new PipelineConfigError(`destinationArn must be a CloudWatch Logs destination ARN (arn:aws:logs:<region>:<account>:destination:<name>), got "${destinationArn}"`);
  }
  const [, region, account] = match;
  if (!Token.isUnresolved(stack.region) && region !== stack.region) {
    throw new PipelineConfigError(`destinationArn is in ${region}, but this stack deploys to ${stack.region}: CloudWatch Logs delivers only to a destination in the log groups' Region`);
  }
  if (!Token.isUnresolved(stack.account) && account === stack.account) {
    throw new PipelineConfigError(`destinationArn belongs to this account (${account}): subscribe this account's log groups with the pipeline's sourceLogGroupNames instead`);
  }
}

type CheckedProps = MeterRecordSenderProps & Required<Pick<MeterRecordSenderProps, 'logGroupNames' | 'accountPolicyExcludedLogGroupNames' | 'accountSubscriptionPolicy' | 'subscriptionName'>>;

function checkProps(stack: Stack, props: CheckedProps): void {
  const fail = (message: string): never => {
    throw new PipelineConfigError(message);
  };
  const { logGroupNames, accountPolicyExcludedLogGroupNames: excluded } = props;
  checkDestinationArn(stack, props.destinationArn);
  if (logGroupNames.length === 0 && !props.accountSubscriptionPolicy) {
    fail('a sender needs logGroupNames (sourceLogGroupNames in context) or accountSubscriptionPolicy: true, or it sends nothing');
  }
  if (logGroupNames.length > MAX_LOG_GROUPS) fail(`logGroupNames may list at most ${MAX_LOG_GROUPS} log groups, got ${logGroupNames.length}`);
  for (const [setting, names] of [['logGroupNames', logGroupNames], ['accountPolicyExcludedLogGroupNames', excluded]] as const) {
    const invalid = names.find((name) => !/^[.\-_/#A-Za-z0-9]{1,512}$/.test(name));
    if (invalid !== undefined) fail(`${setting} must hold log group names (1-512 of letters, digits, ".", "-", "_", "/", "#"), got "${invalid}"`);
    const duplicate = names.find((name, i) => names.indexOf(name) !== i);
    if (duplicate !== undefined) fail(`${setting} lists "${duplicate}" twice`);
  }
  if (excluded.length > 0 && !props.accountSubscriptionPolicy) fail('accountPolicyExcludedLogGroupNames applies with accountSubscriptionPolicy: true only');
  if (props.accountSubscriptionPolicy && logGroupNames.length + excluded.length > MAX_POLICY_EXCLUSIONS) {
    fail(`the account policy can leave out at most ${MAX_POLICY_EXCLUSIONS} log groups (logGroupNames and accountPolicyExcludedLogGroupNames), got ${logGroupNames.length + excluded.length}`);
  }
  if (!/^[^:*]{1,512}$/.test(props.subscriptionName)) fail(`subscriptionName must be 1-512 characters without ":" or "*", got "${props.subscriptionName}"`);
}

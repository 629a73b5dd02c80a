import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { RELAY_ENV } from '../../relay/config.ts';
import { FUNCTION_NODE_OPTIONS, type LambdaRuntime } from '../lambda-runtime.ts';
import { nagObjectArn } from './delivery.ts';
import { acknowledgeRuntimeChoice, functionRuntime } from './function-runtime.ts';
import { pipelineFunctionCode } from './lambda-code.ts';
import { ownLogGroup, type OwnLogGroupProps } from './own-log-group.ts';
import { staticPart } from './s3-prefixes.ts';

export const FORWARDER_TIMEOUT = Duration.minutes(2);
/** Receives of a message before SQS moves it to the dead-letter queue. */
export const RELAY_MAX_RECEIVE_COUNT = 5;
/** SQS's longest retention: the DLQ alarm fires within minutes, objects expire after 15 days at the earliest. */
const DEAD_LETTER_RETENTION = Duration.days(14);

export interface RelayProps extends OwnLogGroupProps {
  readonly pipelineName: string;
  readonly pipelineBucket: s3.IBucket;
  /** Firehose's data prefix in the pipeline bucket: its new objects are forwarded under the same key. */
  readonly dataOutputPrefix: string;
  readonly amberfloBucketName: string;
  readonly amberfloBucketRegion: string | undefined;
  readonly amberfloKeys: secretsmanager.ISecret;
  readonly runtime: LambdaRuntime;
}

/**
 * Relay delivery's second hop: S3 notifications of new ingest objects → SQS (with a dead-letter queue) → the
 * forwarder Lambda, which copies each object to Amberflo's bucket with Amberflo's key pair. Only the secret's
 * ARN is configured here; its value is read by the function at run time.
 */
export class Relay {
  /** Notifications of new ingest objects in the pipeline bucket, consumed by the forwarder. */
  readonly queue: sqs.Queue;
  /** Messages whose object could not be forwarded after every receive; redrive them after fixing the cause. */
  readonly deadLetterQueue: sqs.Queue;
  /** The forwarder Lambda. */
  readonly function: lambda.Function;
  /** The forwarder's log group, `/meter-firehose/<pipelineName>/forwarder`. */
  readonly logGroup: logs.LogGroup;
  /** The dead-letter and backlog alarms. */
  readonly alarms: cloudwatch.Alarm[];

  /** Adds `RelayDeadLetterQueue`, `RelayQueue`, `ForwarderLogGroup`, `ForwarderRole`, `Forwarder` and two alarms to `scope`. */
  constructor(scope: Construct, props: RelayProps) {
    this.deadLetterQueue = new sqs.Queue(scope, 'RelayDeadLetterQueue', {
      retentionPeriod: DEAD_LETTER_RETENTION,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue of RelayQueue; its messages are alarmed on and redriven by an operator.',
    });
    this.queue = new sqs.Queue(scope, 'RelayQueue', {
      // AWS's guidance for Lambda event sources: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(FORWARDER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: RELAY_MAX_RECEIVE_COUNT },
    });
    const ingestPrefix = staticPart(props.dataOutputPrefix);
    props.pipelineBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue), { prefix: ingestPrefix });
    acknowledgeNotificationsHandler(scope);

    this.logGroup = ownLogGroup(scope, 'ForwarderLogGroup', props);
    const objects = `${ingestPrefix}*`;
    const role = new iam.Role(scope, 'ForwarderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Meter pipeline ${props.pipelineName}: relay forwarder`,
      inlinePolicies: {
        Logs: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] })],
        }),
        ReadIngestObjects: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.pipelineBucket.arnForObjects(objects)] })],
        }),
        // Amberflo's bucket is written with Amberflo's keys, not with this role.
        ReadAmberfloKeys: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.amberfloKeys.secretArn] })],
        }),
      },
    });
    // A secret given with its customer-managed key (the ISecret's encryptionKey): the forwarder decrypts with it.
    props.amberfloKeys.encryptionKey?.grantDecrypt(role);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagObjectArn(scope, props.pipelineBucket, objects)}]`,
      reason: 'Firehose names each ingest object itself; the forwarder reads only objects under the ingest prefix.',
    });
    this.function = new lambda.Function(scope, 'Forwarder', {
      code: pipelineFunctionCode('relay', props.runtime),
      handler: 'index.handler',
      runtime: functionRuntime(props.runtime),
      architecture: lambda.Architecture.ARM_64,
      // The body streams from one socket to the other: memory does not grow with object size.
      memorySize: 256,
      timeout: FORWARDER_TIMEOUT,
      role,
      logGroup: this.logGroup,
      environment: {
        [RELAY_ENV.pipelineBucket]: props.pipelineBucket.bucketName,
        [RELAY_ENV.sourcePrefix]: ingestPrefix,
        [RELAY_ENV.amberfloBucket]: props.amberfloBucketName,
        [RELAY_ENV.amberfloRegion]: props.amberfloBucketRegion ?? Aws.REGION,
        [RELAY_ENV.secretArn]: props.amberfloKeys.secretArn,
        NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
      },
    });
    acknowledgeRuntimeChoice(this.function, props.runtime);
    this.function.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }));

    this.alarms = [
      new cloudwatch.Alarm(scope, 'RelayDeadLettersAlarm', {
        alarmName: `${props.pipelineName}-relay-dead-letters`,
        alarmDescription:
          'Ingest objects the forwarder could not copy to Amberflo\'s bucket after ' +
          `${RELAY_MAX_RECEIVE_COUNT} receives. They are still in the pipeline bucket: fix the cause, then redrive the DLQ ` +
          '(or replay --from-backup) well before the bucket lifecycle expires them.',
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(scope, 'RelayBacklogAlarm', {
        alarmName: `${props.pipelineName}-relay-backlog`,
        alarmDescription: 'The oldest ingest notification waiting for the forwarder is over an hour old: Amberflo receives late.',
        metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 3600,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
  }
}

/**
 * CDK configures bucket notifications through its own singleton function (also for an existing bucket); its role
 * uses the AWS managed basic-execution policy, which only lets it write its own logs.
 */
function acknowledgeNotificationsHandler(scope: Construct): void {
  const handler = Stack.of(scope).node.tryFindChild(NOTIFICATIONS_HANDLER_ID);
  const role = handler?.node.tryFindChild('Role');
  if (role === undefined) return;
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: "CDK's bucket-notifications handler (a deploy-time custom resource) may only write its own logs with this policy.",
  });
}

/** The id aws-cdk-lib gives its bucket-notifications singleton (aws-s3/lib/notifications-resource). */
const NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

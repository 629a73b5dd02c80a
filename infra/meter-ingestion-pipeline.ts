import * as path from 'node:path';
import { ArnFormat, AssetHashType, Aws, DockerImage, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ConfigError, ENV, loadConfig, type TransformConfig } from '../transform/config.ts';
import { PIPELINE_DEFAULTS } from './defaults.ts';
import { bundleTransform } from '../build/transform-bundle.ts';

/** Transform settings the construct passes to the function's environment (`PIPELINE_NAME` is set from `pipelineName`). */
export type TransformSettings = Partial<Omit<TransformConfig, 'pipelineName'>>;

/** Compression formats Amberflo can ingest: it gunzips objects whose key ends in `.gz` and reads the rest as JSON. */
export type DeliveryCompression = 'UNCOMPRESSED' | 'GZIP';

export interface MeterIngestionPipelineProps {
  /** Name of the S3 bucket Amberflo provisioned for this account (owned by Amberflo's account). */
  readonly amberfloBucketName: string;

  /**
   * Unique name of this pipeline: the `Pipeline` dimension of the transform's metrics, the dashboard name and
   * part of the pipeline's own log group names. Letters, digits, `-` and `_`, at most 64 characters.
   * @default - derived from the construct path
   */
  readonly pipelineName?: string;

  /** Log groups whose meter records are subscribed into the pipeline. @default - none */
  readonly sourceLogGroupNames?: string[];

  /**
   * CloudWatch Logs filter pattern of the subscription filters and of the account policy.
   * @default - the quoted meter record prefix, e.g. `"meter_record_for_stream"`
   */
  readonly subscriptionFilterPattern?: string;

  /**
   * Also subscribe every log group of the account and Region through an account-level subscription filter policy
   * (`AWS::Logs::AccountPolicy`; one per account and Region). The pipeline's own log groups are always excluded.
   * @default false
   */
  readonly accountSubscriptionPolicy?: boolean;

  /**
   * Further log groups the account policy leaves out (at most 48: the policy takes 50, two are the pipeline's).
   * @default - none
   */
  readonly accountPolicyExcludedLogGroupNames?: string[];

  /** Provisioned shard count of the Kinesis stream. @default - on-demand capacity */
  readonly streamShardCount?: number;

  /** Retention of the Kinesis stream, i.e. the replay window, in hours (24–8760). @default 24 */
  readonly streamRetentionHours?: number;

  /**
   * Data Firehose buffers this many MB of (gzipped) input before invoking the transform (0.2–3). The transform's
   * output is about 12× its input and a Lambda response is capped at 6 MB, so the default is well below the
   * service default of 1 MB.
   * @default 0.25
   */
  readonly processorBufferSizeMBs?: number;

  /** Longest time Firehose buffers input before invoking the transform, in seconds (0–900). @default 60 */
  readonly processorBufferIntervalSeconds?: number;

  /** Retries of a failed transform invocation before its records go to the error prefix. @default 3 */
  readonly processorRetries?: number;

  /**
   * S3 key prefix of delivered meter records. Its static part (before the first `!{`) scopes the write permission.
   * @default 'ingest/records/!{timestamp:yyyy-MM-dd}/'
   */
  readonly dataOutputPrefix?: string;

  /**
   * S3 key prefix of records Firehose could not process or deliver. Must contain `!{firehose:error-output-type}`
   * and lie outside the data prefix's top-level folder, which Amberflo ingests.
   * @default 'errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/'
   */
  readonly errorOutputPrefix?: string;

  /** Longest time Firehose buffers transformed records before writing an S3 object, in seconds (0–900). @default 300 */
  readonly destinationBufferIntervalSeconds?: number;

  /** Size of transformed data at which Firehose writes an S3 object, in MiB (1–128). @default 5 */
  readonly destinationBufferSizeMBs?: number;

  /** Compression of delivered objects. @default 'GZIP' */
  readonly compression?: DeliveryCompression;

  /**
   * Extension of delivered objects; must start with `.`, and end with `.gz` when compressing.
   * @default - '.gz' with GZIP compression, none otherwise
   */
  readonly fileExtension?: string;

  /** Retention of the transform's log group and of Firehose's error log group, in days. @default 30 */
  readonly logRetentionDays?: number;

  /** Memory of the transform function, in MB (128–10240). @default 1024 */
  readonly transformMemorySizeMB?: number;

  /** Timeout of the transform function, in seconds (1–300: Firehose waits at most 5 minutes). @default 120 */
  readonly transformTimeoutSeconds?: number;

  /**
   * Settings of the transform, validated at synth time as the function validates them at cold start.
   * @default - the transform's defaults (transform/config.ts)
   */
  readonly transform?: TransformSettings;

  /** Topic notified when an alarm fires or recovers. @default - alarms without actions */
  readonly alarmTopic?: sns.ITopic;

  /** `GetRecords.IteratorAgeMilliseconds` above which the stream is considered to fall behind, in seconds. @default 900 */
  readonly iteratorAgeAlarmSeconds?: number;

  /**
   * `DeliveryToS3.DataFreshness` above which delivery is considered late, in seconds.
   * @default - processor buffer interval + destination buffer interval + 300
   */
  readonly dataFreshnessAlarmSeconds?: number;

  /** Sum of `RejectedMeterRecords` over 5 minutes above which the rejected-records alarm fires. @default 0 */
  readonly rejectedMeterRecordsAlarmThreshold?: number;

  /** Maximum transform duration, as a percentage of its timeout, above which the duration alarm fires (1–100). @default 80 */
  readonly durationAlarmPercentOfTimeout?: number;
}

/** A pipeline setting out of range; the message names the setting (prop and CDK context key alike). */
export class PipelineConfigError extends Error {
  override readonly name = 'PipelineConfigError';
}

const ERROR_OUTPUT_TYPE = '!{firehose:error-output-type}';
const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/**
 * The transform's code: bundled at synth time, offline, by the same esbuild definition `npm run build` uses, so
 * the deployed files are the ones tested and benchmarked. NodejsFunction is not used because it cannot split
 * code: its single file would load the AWS SDK on every cold start, where this bundle loads it only to re-ingest.
 */
function transformCode(): lambda.Code {
  return lambda.Code.fromAsset(path.join(REPO_ROOT, 'transform'), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: local bundling always succeeds, and this project needs no Docker.
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
      local: {
        tryBundle(outputDir) {
          bundleTransform(REPO_ROOT, outputDir);
          return true;
        },
      },
    },
  });
}
const ALARM_PERIOD = Duration.minutes(5);

/**
 * CloudWatch Logs → Kinesis Data Stream → Data Firehose (with the TypeScript transform) → the Amberflo S3 bucket,
 * with least-privilege roles, KMS encryption, alarms and a dashboard.
 */
export class MeterIngestionPipeline extends Construct {
  readonly pipelineName: string;
  readonly streamKey: kms.Key;
  readonly stream: kinesis.Stream;
  readonly transformFunction: lambda.Function;
  readonly transformLogGroup: logs.LogGroup;
  readonly deliveryLogGroup: logs.LogGroup;
  readonly deliveryStream: firehose.CfnDeliveryStream;
  /** The role Firehose writes to the Amberflo bucket with: Amberflo's bucket policy must grant it access. */
  readonly deliveryRole: iam.Role;
  /** The role CloudWatch Logs assumes to put subscribed log events into the stream. */
  readonly subscriptionRole: iam.Role;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MeterIngestionPipelineProps) {
    super(scope, id);
    const settings = resolveSettings(props, Names.uniqueResourceName(this, { maxLength: 64, separator: '-' }));
    const { pipelineName } = settings;
    this.pipelineName = pipelineName;

    this.streamKey = new kms.Key(this, 'StreamKey', {
      description: `Encrypts the Kinesis stream of meter pipeline ${pipelineName}`,
      enableKeyRotation: true,
    });
    this.stream = new kinesis.Stream(this, 'Stream', {
      streamMode: settings.streamShardCount === undefined ? kinesis.StreamMode.ON_DEMAND : kinesis.StreamMode.PROVISIONED,
      shardCount: settings.streamShardCount,
      retentionPeriod: Duration.hours(settings.streamRetentionHours),
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: this.streamKey,
    });
    Validations.of(this.stream).acknowledge({
      id: 'AwsSolutions-KDS3',
      reason:
        'A customer-managed key on purpose: each role is granted exactly this key, and the key policy can revoke ' +
        'access to the meter data independently of the stream.',
    });

    // Fixed names, known before deployment, so that the account policy can exclude them and a source list that
    // names them is rejected at synth time. DESTROY: a retained log group with a fixed name would block redeploying.
    const logGroupProps = {
      retention: settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    };
    this.transformLogGroup = new logs.LogGroup(this, 'TransformLogGroup', {
      logGroupName: settings.transformLogGroupName,
      ...logGroupProps,
    });
    this.deliveryLogGroup = new logs.LogGroup(this, 'DeliveryLogGroup', {
      logGroupName: settings.deliveryLogGroupName,
      ...logGroupProps,
    });
    const deliveryLogStream = new logs.LogStream(this, 'DeliveryLogStream', {
      logGroup: this.deliveryLogGroup,
      logStreamName: 'DestinationDelivery',
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.transformFunction = this.createTransform(settings);
    this.subscriptionRole = this.createSubscriptionRole();
    this.subscribeSources(settings);

    this.deliveryRole = this.createDeliveryRole(settings, deliveryLogStream.logStreamName);
    // L1 on purpose: the L2 S3 destination grants read, write and delete on the whole bucket, and its Lambda
    // processor only takes whole MiB. This stream writes to another account's bucket under two prefixes only, and
    // its processor buffer must stay below 1 MB (see processorBufferSizeMBs).
    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamType: 'KinesisStreamAsSource',
      kinesisStreamSourceConfiguration: {
        kinesisStreamArn: this.stream.streamArn,
        roleArn: this.deliveryRole.roleArn,
      },
      extendedS3DestinationConfiguration: {
        bucketArn: bucketArn(settings.amberfloBucketName),
        roleArn: this.deliveryRole.roleArn,
        prefix: settings.dataOutputPrefix,
        errorOutputPrefix: settings.errorOutputPrefix,
        bufferingHints: {
          intervalInSeconds: settings.destinationBufferIntervalSeconds,
          sizeInMBs: settings.destinationBufferSizeMBs,
        },
        compressionFormat: settings.compression,
        fileExtension: settings.fileExtension,
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: this.deliveryLogGroup.logGroupName,
          logStreamName: deliveryLogStream.logStreamName,
        },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'Lambda',
              parameters: [
                { parameterName: 'LambdaArn', parameterValue: this.transformFunction.functionArn },
                { parameterName: 'BufferSizeInMBs', parameterValue: String(settings.processorBufferSizeMBs) },
                {
                  parameterName: 'BufferIntervalInSeconds',
                  parameterValue: String(settings.processorBufferIntervalSeconds),
                },
                { parameterName: 'NumberOfRetries', parameterValue: String(settings.processorRetries) },
              ],
            },
          ],
        },
      },
    });
    Validations.of(this.deliveryStream).acknowledge({
      id: 'AwsSolutions-KDF1',
      reason:
        'A delivery stream with a Kinesis stream as source cannot use Firehose server-side encryption; ' +
        'the source stream is encrypted with a customer-managed KMS key and Firehose writes to S3 over TLS.',
    });

    this.createAlarms(settings);
    this.dashboard = this.createDashboard(settings.transformConfig.metricsNamespace);
  }

  private createTransform(settings: ResolvedSettings): lambda.Function {
    const role = new iam.Role(this, 'TransformRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Meter pipeline ${settings.pipelineName}: transform function`,
      inlinePolicies: {
        Logs: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [this.transformLogGroup.logGroupArn],
            }),
          ],
        }),
        // Re-ingests rejected records and oversized batches into the source stream.
        Reingest: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ actions: ['kinesis:PutRecords'], resources: [this.stream.streamArn] }),
            new iam.PolicyStatement({
              actions: ['kms:GenerateDataKey', 'kms:Encrypt'],
              resources: [this.streamKey.keyArn],
            }),
          ],
        }),
      },
    });
    const fn = new lambda.Function(this, 'Transform', {
      code: transformCode(),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      // The largest processor buffer (3 MB gzipped) expands to ~36 MB of NDJSON, held as strings next to its
      // base64 response: 1024 MB covers that with room to spare, and Lambda allots CPU in proportion to memory,
      // which gunzip and JSON parsing use.
      memorySize: settings.transformMemorySizeMB,
      // Firehose waits at most 5 minutes per invocation; 2 minutes surfaces a stuck invocation (and lets Firehose
      // retry) well before that, and is far beyond the re-ingest backoff (seconds).
      timeout: Duration.seconds(settings.transformTimeoutSeconds),
      role,
      logGroup: this.transformLogGroup,
      environment: { ...transformEnvironment(settings.transformConfig), NODE_OPTIONS: '--enable-source-maps' },
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the bundle targets node22 and is tested on it; moving to a newer ' +
        'runtime is a deliberate upgrade, not a silent one.',
    });
    return fn;
  }

  private createSubscriptionRole(): iam.Role {
    return new iam.Role(this, 'SubscriptionRole', {
      assumedBy: new iam.ServicePrincipal('logs.amazonaws.com', {
        conditions: { StringLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:*` } },
      }),
      description: `Meter pipeline ${this.pipelineName}: CloudWatch Logs subscriptions to the Kinesis stream`,
      inlinePolicies: {
        PutRecords: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['kinesis:PutRecord', 'kinesis:PutRecords'],
              resources: [this.stream.streamArn],
            }),
            new iam.PolicyStatement({
              actions: ['kms:GenerateDataKey', 'kms:Encrypt'],
              resources: [this.streamKey.keyArn],
            }),
          ],
        }),
      },
    });
  }

  private subscribeSources(settings: ResolvedSettings): void {
    for (const logGroupName of settings.sourceLogGroupNames) {
      // encodeURIComponent keeps distinct names distinct ('/' is not allowed in construct IDs).
      new logs.CfnSubscriptionFilter(this, `Subscription${encodeURIComponent(logGroupName)}`, {
        logGroupName,
        filterPattern: settings.subscriptionFilterPattern,
        destinationArn: this.stream.streamArn,
        roleArn: this.subscriptionRole.roleArn,
        distribution: 'Random',
      });
    }
    if (!settings.accountSubscriptionPolicy) return;
    const excluded = [
      settings.transformLogGroupName,
      settings.deliveryLogGroupName,
      ...settings.accountPolicyExcludedLogGroupNames,
    ];
    new logs.CfnAccountPolicy(this, 'AccountSubscriptionPolicy', {
      policyName: `${settings.pipelineName}-meter-records`,
      policyType: 'SUBSCRIPTION_FILTER_POLICY',
      policyDocument: Stack.of(this).toJsonString({
        DestinationArn: this.stream.streamArn,
        RoleArn: this.subscriptionRole.roleArn,
        FilterPattern: settings.subscriptionFilterPattern,
        Distribution: 'Random',
      }),
      selectionCriteria: `LogGroupName NOT IN [${excluded.map((name) => JSON.stringify(name)).join(', ')}]`,
    });
  }

  private createDeliveryRole(settings: ResolvedSettings, logStreamName: string): iam.Role {
    const bucket = bucketArn(settings.amberfloBucketName);
    const objectKeys = [settings.dataOutputPrefix, settings.errorOutputPrefix].map(
      (prefix) => `${settings.amberfloBucketName}/${staticPart(prefix)}*`,
    );
    const objectArns = objectKeys.map((key) => `arn:${Aws.PARTITION}:s3:::${key}`);
    const role = new iam.Role(this, 'DeliveryRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': Aws.ACCOUNT_ID } },
      }),
      description: `Meter pipeline ${settings.pipelineName}: Firehose delivery to the Amberflo bucket`,
      inlinePolicies: {
        ReadStream: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['kinesis:DescribeStream', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'],
              resources: [this.stream.streamArn],
            }),
            new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.streamKey.keyArn] }),
          ],
        }),
        InvokeTransform: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
              resources: [this.transformFunction.functionArn],
            }),
          ],
        }),
        // Cross-account delivery: Firehose puts objects with the bucket-owner-full-control ACL, which needs
        // s3:PutObjectAcl. Object actions are limited to the static parts of the data and error prefixes.
        WriteAmberfloBucket: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
              resources: [bucket],
            }),
            new iam.PolicyStatement({
              actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject', 's3:PutObjectAcl'],
              resources: objectArns,
            }),
          ],
        }),
        ErrorLogging: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:PutLogEvents'],
              resources: [
                Stack.of(this).formatArn({
                  service: 'logs',
                  resource: 'log-group',
                  resourceName: `${this.deliveryLogGroup.logGroupName}:log-stream:${logStreamName}`,
                  arnFormat: ArnFormat.COLON_RESOURCE_NAME,
                }),
              ],
            }),
          ],
        }),
      },
    });
    for (const key of objectKeys) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${key}]`,
        reason:
          'Firehose names each object itself (prefix + stream name + timestamp + random suffix), so object ' +
          'permissions can only be scoped to the static part of the configured prefix.',
      });
    }
    return role;
  }

  private createAlarms(settings: ResolvedSettings): void {
    const { transformConfig } = settings;
    const firehoseMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Firehose',
        metricName,
        dimensionsMap: { DeliveryStreamName: this.deliveryStream.ref },
        statistic,
        period: ALARM_PERIOD,
      });
    const fn = this.transformFunction;
    const timeoutMs = settings.transformTimeoutSeconds * 1000;

    this.alarm('WriteThrottledAlarm', {
      metric: this.stream.metricWriteProvisionedThroughputExceeded({ statistic: 'Sum', period: ALARM_PERIOD }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: 'Writes to the Kinesis stream are throttled: subscriptions are delayed (CloudWatch Logs retries).',
    });
    this.alarm('IteratorAgeAlarm', {
      metric: this.stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: ALARM_PERIOD }),
      threshold: settings.iteratorAgeAlarmSeconds * 1000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: `Firehose is falling behind the stream; records expire after ${settings.streamRetentionHours} h.`,
    });
    this.alarm('DataFreshnessAlarm', {
      metric: firehoseMetric('DeliveryToS3.DataFreshness', 'Maximum'),
      threshold: settings.dataFreshnessAlarmSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: 'The oldest record in Firehose is older than expected: delivery to Amberflo is late.',
    });
    this.alarm('DeliverySuccessAlarm', {
      metric: firehoseMetric('DeliveryToS3.Success', 'Minimum'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      alarmDescription: 'Firehose failed to put objects into the Amberflo bucket (check its bucket policy).',
    });
    this.alarm('ProcessingSuccessAlarm', {
      metric: firehoseMetric('ExecuteProcessing.Success', 'Minimum'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      alarmDescription: 'Firehose invocations of the transform failed; their records go to the error prefix.',
    });
    this.alarm('TransformErrorsAlarm', {
      metric: fn.metricErrors({ statistic: 'Sum', period: ALARM_PERIOD }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: 'The transform function returned errors.',
    });
    this.alarm('TransformThrottlesAlarm', {
      metric: fn.metricThrottles({ statistic: 'Sum', period: ALARM_PERIOD }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: 'Invocations of the transform function were throttled.',
    });
    this.alarm('TransformDurationAlarm', {
      metric: fn.metricDuration({ statistic: 'Maximum', period: ALARM_PERIOD }),
      threshold: (timeoutMs * settings.durationAlarmPercentOfTimeout) / 100,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: `The transform ran longer than ${settings.durationAlarmPercentOfTimeout}% of its timeout.`,
    });
    this.alarm('RejectedMeterRecordsAlarm', {
      metric: new cloudwatch.Metric({
        namespace: transformConfig.metricsNamespace,
        metricName: 'RejectedMeterRecords',
        dimensionsMap: { Pipeline: settings.pipelineName },
        statistic: 'Sum',
        period: ALARM_PERIOD,
      }),
      threshold: settings.rejectedMeterRecordsAlarmThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: 'The transform rejected meter records (invalid or incomplete); see its logs and the error prefix.',
    });
    if (settings.alarmTopic) {
      const action = new cloudwatchActions.SnsAction(settings.alarmTopic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }

  private alarm(id: string, props: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'>): void {
    this.alarms.push(
      new cloudwatch.Alarm(this, id, {
        evaluationPeriods: 1,
        // No data means no traffic (or no failures): not a breach.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...props,
        alarmDescription: `${this.pipelineName}: ${props.alarmDescription}`,
      }),
    );
  }

  private createDashboard(metricsNamespace: string): cloudwatch.Dashboard {
    const transformMetric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: metricsNamespace,
        metricName,
        dimensionsMap: { Pipeline: this.pipelineName },
        statistic: 'Sum',
        period: ALARM_PERIOD,
      });
    const graph = (title: string, names: string[]) =>
      new cloudwatch.GraphWidget({ title, width: 8, left: names.map(transformMetric) });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: this.pipelineName });
    dashboard.addWidgets(
      graph('Transform records', ['RecordsIn', 'RecordsOk', 'RecordsDropped', 'RecordsFailed', 'RecordsReingested']),
      graph('Meter records', ['MeterRecordsOut', 'RejectedMeterRecords']),
      graph('Transform bytes', ['BytesIn', 'BytesOut']),
    );
    for (let i = 0; i < this.alarms.length; i += 3) {
      dashboard.addWidgets(
        ...this.alarms.slice(i, i + 3).map((alarm) => new cloudwatch.AlarmWidget({ alarm, width: 8, title: alarm.node.id })),
      );
    }
    return dashboard;
  }
}

type NumericProp = {
  [K in keyof MeterIngestionPipelineProps]-?: MeterIngestionPipelineProps[K] extends number | undefined ? K : never;
}[keyof MeterIngestionPipelineProps];

type ResolvedSettings = Required<
  Omit<MeterIngestionPipelineProps, 'streamShardCount' | 'fileExtension' | 'alarmTopic' | 'transform'>
> & {
  readonly streamShardCount: number | undefined;
  readonly fileExtension: string | undefined;
  readonly alarmTopic: sns.ITopic | undefined;
  readonly transformConfig: TransformConfig;
  readonly transformLogGroupName: string;
  readonly deliveryLogGroupName: string;
};

/** Applies defaults and validates every setting; errors name the prop (which is also the CDK context key). */
function resolveSettings(props: MeterIngestionPipelineProps, defaultPipelineName: string): ResolvedSettings {
  const numberProp = (key: NumericProp, fallback: number, min: number, max = Infinity, integer = true) =>
    checkNumber(key, props[key] ?? fallback, min, max, integer);

  const { amberfloBucketName } = props;
  if (!Token.isUnresolved(amberfloBucketName) && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(amberfloBucketName ?? '')) {
    fail(
      `amberfloBucketName must be an S3 bucket name (3-63 lowercase letters, digits, "." or "-"), ` +
        `got "${amberfloBucketName}"`,
    );
  }

  const pipelineName = props.pipelineName ?? defaultPipelineName;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(pipelineName)) {
    fail(`pipelineName must be 1-64 letters, digits, "-" or "_", got "${pipelineName}"`);
  }
  const transformLogGroupName = `/meter-firehose/${pipelineName}/transform`;
  const deliveryLogGroupName = `/meter-firehose/${pipelineName}/delivery-errors`;
  const ownLogGroups = [transformLogGroupName, deliveryLogGroupName];

  const sourceLogGroupNames = props.sourceLogGroupNames ?? [];
  const own = sourceLogGroupNames.find((name) => ownLogGroups.includes(name));
  if (own !== undefined) {
    fail(`sourceLogGroupNames must not include the pipeline's own log group "${own}": the pipeline would feed itself`);
  }
  const duplicate = sourceLogGroupNames.find((name, i) => sourceLogGroupNames.indexOf(name) !== i);
  if (duplicate !== undefined) fail(`sourceLogGroupNames lists "${duplicate}" twice`);

  const accountPolicyExcludedLogGroupNames = props.accountPolicyExcludedLogGroupNames ?? [];
  const maxExcluded = 50 - ownLogGroups.length;
  if (accountPolicyExcludedLogGroupNames.length > maxExcluded) {
    fail(
      `accountPolicyExcludedLogGroupNames may list at most ${maxExcluded} log groups (the policy takes 50 and ` +
        `excludes the pipeline's own two), got ${accountPolicyExcludedLogGroupNames.length}`,
    );
  }

  let transformConfig: TransformConfig;
  try {
    transformConfig = loadConfig(transformEnvironment({ ...props.transform, pipelineName }));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return fail(`transform: ${error.message}`);
  }

  const dataOutputPrefix = props.dataOutputPrefix ?? PIPELINE_DEFAULTS.dataOutputPrefix;
  const errorOutputPrefix = props.errorOutputPrefix ?? PIPELINE_DEFAULTS.errorOutputPrefix;
  checkPrefixes(dataOutputPrefix, errorOutputPrefix);

  const compression = props.compression ?? PIPELINE_DEFAULTS.compression;
  if (compression !== 'GZIP' && compression !== 'UNCOMPRESSED') {
    fail(
      `compression must be "GZIP" or "UNCOMPRESSED" (Amberflo reads JSON and gunzips ".gz" objects only), ` +
        `got "${compression}"`,
    );
  }
  const fileExtension = props.fileExtension ?? (compression === 'GZIP' ? '.gz' : undefined);
  if (fileExtension !== undefined && !/^\.[0-9a-z!\-_.*'()]{1,127}$/.test(fileExtension)) {
    fail(`fileExtension must start with "." followed by up to 127 of 0-9 a-z ! - _ . * ' ( ), got "${fileExtension}"`);
  }
  if (compression === 'GZIP' && !fileExtension?.endsWith('.gz')) {
    fail(
      `fileExtension must end with ".gz" when compression is GZIP (Amberflo only gunzips ".gz" objects), ` +
        `got "${fileExtension}"`,
    );
  }

  const logRetentionDays = props.logRetentionDays ?? 30;
  const retentionChoices = Object.values(logs.RetentionDays).filter((value) => typeof value === 'number');
  if (!retentionChoices.includes(logRetentionDays)) {
    fail(`logRetentionDays must be one of ${retentionChoices.join(', ')}, got ${logRetentionDays}`);
  }

  const processorBufferIntervalSeconds = numberProp('processorBufferIntervalSeconds', PIPELINE_DEFAULTS.processorBufferIntervalSeconds, 0, 900);
  const destinationBufferIntervalSeconds = numberProp('destinationBufferIntervalSeconds', PIPELINE_DEFAULTS.destinationBufferIntervalSeconds, 0, 900);
  return {
    amberfloBucketName,
    pipelineName,
    transformLogGroupName,
    deliveryLogGroupName,
    sourceLogGroupNames,
    subscriptionFilterPattern: props.subscriptionFilterPattern ?? JSON.stringify(transformConfig.prefix),
    accountSubscriptionPolicy: props.accountSubscriptionPolicy ?? false,
    accountPolicyExcludedLogGroupNames,
    streamShardCount: props.streamShardCount === undefined ? undefined : numberProp('streamShardCount', 0, 1),
    streamRetentionHours: numberProp('streamRetentionHours', 24, 24, 8760),
    processorBufferSizeMBs: numberProp('processorBufferSizeMBs', PIPELINE_DEFAULTS.processorBufferSizeMBs, 0.2, 3, false),
    processorBufferIntervalSeconds,
    processorRetries: numberProp('processorRetries', PIPELINE_DEFAULTS.processorRetries, 0),
    dataOutputPrefix,
    errorOutputPrefix,
    destinationBufferIntervalSeconds,
    destinationBufferSizeMBs: numberProp('destinationBufferSizeMBs', PIPELINE_DEFAULTS.destinationBufferSizeMBs, 1, 128),
    compression,
    fileExtension,
    logRetentionDays,
    transformMemorySizeMB: numberProp('transformMemorySizeMB', PIPELINE_DEFAULTS.transformMemorySizeMB, 128, 10_240),
    transformTimeoutSeconds: numberProp('transformTimeoutSeconds', PIPELINE_DEFAULTS.transformTimeoutSeconds, 1, 300),
    transformConfig,
    alarmTopic: props.alarmTopic,
    iteratorAgeAlarmSeconds: numberProp('iteratorAgeAlarmSeconds', 900, 1),
    // A record may wait for both buffers; alarm once it is 5 minutes older than that.
    dataFreshnessAlarmSeconds: numberProp(
      'dataFreshnessAlarmSeconds',
      processorBufferIntervalSeconds + destinationBufferIntervalSeconds + 300,
      1,
    ),
    rejectedMeterRecordsAlarmThreshold: numberProp('rejectedMeterRecordsAlarmThreshold', 0, 0),
    durationAlarmPercentOfTimeout: numberProp('durationAlarmPercentOfTimeout', 80, 1, 100),
  };
}

function fail(message: string): never {
  throw new PipelineConfigError(message);
}

function checkNumber(name: string, value: number, min: number, max = Infinity, integer = true): number {
  const valid = typeof value === 'number' && (integer ? Number.isInteger(value) : Number.isFinite(value));
  if (!valid || value < min || value > max) {
    const range = max === Infinity ? `of at least ${min}` : `from ${min} to ${max}`;
    fail(`${name} must be ${integer ? 'an integer' : 'a number'} ${range}, got ${value}`);
  }
  return value;
}

/**
 * Firehose's prefix rules (no dynamic partitioning): `!{timestamp:…}` and `!{firehose:random-string}` anywhere,
 * `!{firehose:error-output-type}` only in, and then required by, the error prefix. On top of that the error prefix
 * must stay out of the data prefix's top-level folder, or Amberflo would ingest Firehose's error records.
 */
function checkPrefixes(data: string, error: string): void {
  const expressions = (prefix: string) => prefix.match(/!\{[^}]*\}/g) ?? [];
  const allowed = (expression: string, isError: boolean) =>
    expression.startsWith('!{timestamp:') ||
    expression === '!{firehose:random-string}' ||
    (isError && expression === ERROR_OUTPUT_TYPE);
  for (const [name, prefix, isError] of [
    ['dataOutputPrefix', data, false],
    ['errorOutputPrefix', error, true],
  ] as const) {
    if (prefix.startsWith('/') || prefix.length > 1024) {
      fail(`${name} must not start with "/" and must be at most 1024 characters, got "${prefix}"`);
    }
    if (staticPart(prefix) === '') {
      fail(`${name} must start with a fixed folder (e.g. "ingest/") that scopes the S3 permissions, got "${prefix}"`);
    }
    const invalid = expressions(prefix).find((expression) => !allowed(expression, isError));
    if (invalid !== undefined) {
      fail(`${name} may not use the expression ${invalid}, got "${prefix}"`);
    }
  }
  if (expressions(error).length > 0 && !error.includes(ERROR_OUTPUT_TYPE)) {
    fail(`errorOutputPrefix must include ${ERROR_OUTPUT_TYPE} when it uses expressions, got "${error}"`);
  }
  const staticData = staticPart(data);
  const slash = staticData.indexOf('/');
  const dataFolder = slash === -1 ? staticData : staticData.slice(0, slash + 1);
  if (staticPart(error).startsWith(dataFolder)) {
    fail(
      `errorOutputPrefix must lie outside "${dataFolder}", the top-level folder of dataOutputPrefix that ` +
        `Amberflo ingests, got "${error}"`,
    );
  }
}

/** The part of a prefix before its first expression: the only part known when granting permissions. */
function staticPart(prefix: string): string {
  const index = prefix.indexOf('!{');
  return index === -1 ? prefix : prefix.slice(0, index);
}

function bucketArn(bucketName: string): string {
  return `arn:${Aws.PARTITION}:s3:::${bucketName}`;
}

function transformEnvironment(config: Partial<TransformConfig>): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const key of Object.keys(ENV) as (keyof TransformConfig)[]) {
    const value = config[key];
    if (value !== undefined) environment[ENV[key]] = String(value);
  }
  return environment;
}

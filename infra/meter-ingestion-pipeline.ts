import { Annotations, Aws, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import { PIPELINE_DEFAULTS } from './defaults.ts';
import { ENV } from '../transform/config.ts';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Delivery } from './pipeline/delivery.ts';
import { DirectPutDestination } from './pipeline/direct-put.ts';
import { ALARM_PERIOD, Monitoring } from './pipeline/monitoring.ts';
import { staticPart } from './pipeline/s3-prefixes.ts';
import { SOURCE_BACKUP_PREFIXES } from './pipeline/delivery.ts';
import type { METRICS } from '../transform/metrics.ts';
import type { MeterIngestionPipelineProps } from './pipeline/props.ts';
import { PipelineConfigError, resolveSettings, type ResolvedSettings } from './pipeline/settings.ts';
import { SenderDestination } from './pipeline/sender-destination.ts';
import { MeterStream } from './pipeline/stream.ts';
import { LogSubscriptions } from './pipeline/subscriptions.ts';
import { TransformFunction } from './pipeline/transform-function.ts';
import { PipelineBucket } from './pipeline/pipeline-bucket.ts';
import { Relay } from './pipeline/relay.ts';
import { Reconcile } from './pipeline/reconcile.ts';
import type { ReconcileMetricName } from '../reconcile-function/metric-names.ts';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** A metric the transform publishes for every invocation (transform/metrics.ts), per pipeline. */
export type PipelineMetricName = (typeof METRICS)[number][0];

/**
 * CloudWatch Logs → Kinesis Data Stream (or, with `source: 'direct'`, straight) → Data Firehose (with the TypeScript
 * transform) → the Amberflo S3 bucket, with least-privilege roles, encryption, alarms and a dashboard.
 *
 * Each part (pipeline/*.ts) adds its resources directly to this construct, under the ids they have always had:
 * a scope per part would change every logical ID, and CloudFormation would replace the stream and the delivery
 * stream (losing the records in them) and fail on the log groups' fixed names.
 */
export class MeterIngestionPipeline extends Construct {
  /** The pipeline's name (`pipelineName`, or the one derived from the construct path). */
  readonly pipelineName: string;
  /** The KMS key of the Kinesis stream; undefined for `source: 'direct'`. */
  readonly streamKey: kms.Key | undefined;
  /** The Kinesis stream CloudWatch Logs puts into and Firehose reads; undefined for `source: 'direct'`. */
  readonly stream: kinesis.Stream | undefined;
  /** The transformation Lambda Firehose invokes. */
  readonly transformFunction: lambda.Function;
  /** The transform's log group, `/meter-firehose/<pipelineName>/transform`. */
  readonly transformLogGroup: logs.LogGroup;
  /** Firehose's error log group, `/meter-firehose/<pipelineName>/delivery-errors`. */
  readonly deliveryLogGroup: logs.LogGroup;
  /** The Firehose delivery stream (`ref` is its name). */
  readonly deliveryStream: firehose.CfnDeliveryStream;
  /** The role Firehose writes to the Amberflo bucket with: Amberflo's bucket policy must grant it access. */
  readonly deliveryRole: iam.Role;
  /** The role CloudWatch Logs assumes to put subscribed log events into the source. */
  readonly subscriptionRole: iam.Role;
  /** The account-level subscription filter policy, with `accountSubscriptionPolicy: true`. */
  readonly accountPolicy: logs.CfnAccountPolicy | undefined;
  /** Every alarm the pipeline created, notifying `alarmTopic` when given. */
  readonly alarms: cloudwatch.Alarm[];
  /** The CloudWatch dashboard, named after the pipeline. */
  readonly dashboard: cloudwatch.Dashboard;
  /** The customer's bucket (relay delivery, source backup); undefined in direct mode without backup. */
  readonly pipelineBucket: s3.IBucket | undefined;
  /** Relay mode's queue, dead-letter queue and forwarder; undefined in direct mode. */
  readonly relay: Relay | undefined;
  /** Continuous reconcile's schedule, function and alarms; undefined when `continuousReconcile` is off. */
  readonly reconcile: Reconcile | undefined;
  /** The CloudWatch Logs destination sender accounts subscribe to (`senderAccountIds`, `senderOrganizationId`). */
  readonly senderDestination: SenderDestination | undefined;

  private readonly metricsNamespace: string;
  private readonly amberfloBucketName: string;
  private readonly errorOutputPrefix: string;
  private readonly sourceBackup: boolean;

  constructor(scope: Construct, id: string, props: MeterIngestionPipelineProps) {
    super(scope, id);
    const settings = resolveSettings(props, Names.uniqueResourceName(this, { maxLength: 64, separator: '-' }));
    checkStackNeighbours(this, settings);
    const { pipelineName } = settings;
    this.pipelineName = pipelineName;
    this.metricsNamespace = settings.transformConfig.metricsNamespace;
    this.amberfloBucketName = settings.amberfloBucketName;
    this.errorOutputPrefix = settings.errorOutputPrefix;
    this.sourceBackup = settings.sourceBackup;

    const stream =
      settings.source === 'direct'
        ? undefined
        : new MeterStream(this, { pipelineName, shardCount: settings.streamShardCount, retentionHours: settings.streamRetentionHours });
    const source = stream ?? new DirectPutDestination(this, pipelineName);
    this.streamKey = stream?.key;
    this.stream = stream?.stream;

    const transform = new TransformFunction(this, {
      pipelineName,
      logGroupName: settings.transformLogGroupName,
      logRetention: settings.logRetention,
      memorySizeMB: settings.transformMemorySizeMB,
      timeoutSeconds: settings.transformTimeoutSeconds,
      runtime: settings.lambdaRuntime,
      config: settings.transformConfig,
      source,
    });
    this.transformLogGroup = transform.logGroup;
    this.transformFunction = transform.function;

    this.pipelineBucket = settings.usesPipelineBucket
      ? new PipelineBucket(this, {
          pipelineName,
          existingBucketName: settings.pipelineBucketName,
          expirationDays: settings.pipelineBucketExpirationDays,
          accessLogsBucketName: settings.pipelineBucketAccessLogsBucketName,
        }).bucket
      : undefined;

    const delivery = new Delivery(this, {
      ...settings,
      logGroupName: settings.deliveryLogGroupName,
      source,
      transform: transform.function,
      pipelineBucket: this.pipelineBucket,
    });
    this.deliveryLogGroup = delivery.logGroup;
    this.deliveryRole = delivery.role;
    this.deliveryStream = delivery.deliveryStream;

    this.relay =
      settings.delivery === 'relay' && this.pipelineBucket !== undefined && settings.amberfloKeys !== undefined
        ? new Relay(this, {
            pipelineName,
            logGroupName: settings.forwarderLogGroupName,
            logRetention: settings.logRetention,
            pipelineBucket: this.pipelineBucket,
            dataOutputPrefix: settings.dataOutputPrefix,
            amberfloBucketName: settings.amberfloBucketName,
            amberfloBucketRegion: settings.amberfloBucketRegion,
            amberfloKeys: settings.amberfloKeys,
            runtime: settings.lambdaRuntime,
          })
        : undefined;

    const subscriptions = new LogSubscriptions(this, {
      pipelineName,
      destination: source,
      filterPattern: settings.subscriptionFilterPattern,
      logGroupNames: settings.sourceLogGroupNames,
      accountPolicy: settings.accountSubscriptionPolicy,
      accountPolicyExclusions: settings.accountPolicyExclusions,
      startAfter: delivery.deliveryStream,
    });
    this.subscriptionRole = subscriptions.role;
    this.accountPolicy = subscriptions.accountPolicy;

    if (settings.senders !== undefined) {
      const home = Stack.of(this).account;
      if (!Token.isUnresolved(home) && settings.senders.accountIds.includes(home)) {
        throw new PipelineConfigError(`senderAccountIds must not include the pipeline's own account ${home}: subscribe its log groups with sourceLogGroupNames`);
      }
      this.senderDestination = new SenderDestination(this, {
        pipelineName,
        senders: settings.senders,
        target: source,
        startAfter: delivery.deliveryStream,
      });
      // Records of sender accounts derive uniqueIds apart from this account's (transform/validate.ts, uniqueIdPrefix).
      transform.function.addEnvironment(ENV.homeAccountId, Aws.ACCOUNT_ID);
    }

    if (settings.sourceLogGroupNames.length === 0 && !settings.accountSubscriptionPolicy && settings.senders === undefined) {
      Annotations.of(this).addWarningV2(
        'cdk-meter-firehose:noSources',
        'no log group is subscribed (sourceLogGroupNames is empty, no accountSubscriptionPolicy, no sender accounts): ' +
          'nothing reaches the pipeline unless something else puts records into it' +
          (settings.source === 'direct' ? '' : `, yet its ${settings.source} Kinesis stream is billed by the hour from deployment (\`meter-firehose plan\` prices it)`),
      );
    }

    this.reconcile =
      settings.continuousReconcile && this.pipelineBucket !== undefined
        ? new Reconcile(this, {
            ...settings,
            logGroupName: settings.reconcileLogGroupName,
            runtime: settings.lambdaRuntime,
            pipelineBucket: this.pipelineBucket,
            sourceBackupPrefix: PIPELINE_DEFAULTS.sourceBackupPrefix,
            windowSeconds: settings.reconcileWindowSeconds,
            alarmOnRefused: settings.reconcileAlarmOnRefused,
            forwardedCount: settings.reconcileForwardedCount,
            metric: (metricName, metricProps) => this.metricReconcile(metricName, metricProps),
          })
        : undefined;
    if (!settings.sourceBackup && props.continuousReconcile === undefined) {
      Annotations.of(this).addWarningV2(
        'cdk-meter-firehose:noContinuousReconcile',
        'sourceBackup is off, so continuous reconcile is too: nothing proves the bill is complete (turn sourceBackup on to have it)',
      );
    }

    const monitoring = new Monitoring(this, {
      otherAlarms: [...(this.relay?.alarms ?? []), ...(this.reconcile?.alarms ?? [])],
      widgets: this.reconcile?.widgets ?? [],
      ...settings,
      metric: (metricName) => this.metric(metricName),
      stream,
      transform: transform.function,
      deliveryStream: delivery.deliveryStream,
    });
    this.alarms = monitoring.alarms;
    this.dashboard = monitoring.dashboard;
  }

  /**
   * A metric the transform publishes for this pipeline (its `Pipeline` dimension, in the namespace of
   * `transform.metricsNamespace`). Every one counts per invocation, so the sum over 5 minutes is the default.
   */
  metric(metricName: PipelineMetricName, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { Pipeline: this.pipelineName },
      statistic: 'Sum',
      period: ALARM_PERIOD,
      ...props,
    });
  }

  /** Firehose records the transform received (each a batch of log events). Sum over 5 minutes by default. */
  metricRecordsIn(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('RecordsIn', props);
  }

  /** Meter records written to Amberflo's ingest prefix. Sum over 5 minutes by default. */
  metricMeterRecordsOut(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('MeterRecordsOut', props);
  }

  /** Meter records the transform rejected (invalid or incomplete; see its logs). Sum over 5 minutes by default. */
  metricRejectedMeterRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('RejectedMeterRecords', props);
  }

  /** Firehose records the transform could not process: Firehose writes them to the error prefix. Sum over 5 minutes by default. */
  metricRecordsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('RecordsFailed', props);
  }

  /** Firehose records too large for one response, re-ingested into the source in pieces. Sum over 5 minutes by default. */
  metricRecordsReingested(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('RecordsReingested', props);
  }

  /**
   * A metric of continuous reconcile for this pipeline: records per outcome of each window checked
   * (`ReconcileExpected`, `ReconcileDelivered`, `ReconcileQuarantined`, `ReconcileRefused`, `ReconcileMissing`,
   * `ReconcileConflicting`, `ReconcileUnexpected`) and windows proven or not (`ReconcileWindowsProven`,
   * `ReconcileWindowsNotProven`). A window re-checked counts again. Sum over 1 hour by default.
   */
  metricReconcile(metricName: ReconcileMetricName, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { Pipeline: this.pipelineName },
      statistic: 'Sum',
      period: Duration.hours(1),
      ...props,
    });
  }

  /**
   * Lets `grantee` read the objects Firehose wrote under the error prefix (records it could not process or
   * deliver): in the pipeline bucket with relay delivery; in Amberflo's bucket with direct delivery, where
   * Amberflo's bucket policy must also allow the grantee's account.
   */
  grantReadErrors(grantee: iam.IGrantable): iam.Grant {
    const pattern = `${staticPart(this.errorOutputPrefix)}*`;
    if (this.relay !== undefined && this.pipelineBucket !== undefined) return this.pipelineBucket.grantRead(grantee, pattern);
    const bucketArn = `arn:${Aws.PARTITION}:s3:::${this.amberfloBucketName}`;
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:ListBucket'],
      resourceArns: [bucketArn, `${bucketArn}/${pattern}`],
    });
  }

  /** Lets `grantee` read the backup of every source record in the pipeline bucket (what `replay --from-backup` reads). */
  grantReadSourceBackup(grantee: iam.IGrantable): iam.Grant {
    if (!this.sourceBackup || this.pipelineBucket === undefined) {
      throw new PipelineConfigError(`grantReadSourceBackup: pipeline ${this.pipelineName} has sourceBackup: false, so no backup to read`);
    }
    const bucket = this.pipelineBucket;
    const grants = SOURCE_BACKUP_PREFIXES.map((prefix) => bucket.grantRead(grantee, `${staticPart(prefix)}*`));
    return grants.reduce((all, grant) => all.combine(grant));
  }
}

/**
 * Two pipelines in one stack must not share a `pipelineName` (it names their log groups, dashboard and Direct PUT
 * stream, unique per account and Region) or both have an account subscription policy (one per account and Region).
 */
function checkStackNeighbours(pipeline: MeterIngestionPipeline, settings: ResolvedSettings): void {
  for (const other of Stack.of(pipeline).node.findAll()) {
    if (!(other instanceof MeterIngestionPipeline) || other === pipeline) continue;
    if (other.pipelineName === settings.pipelineName) {
      throw new PipelineConfigError(
        `pipelineName "${settings.pipelineName}" is already used by ${other.node.path}: each pipeline in a stack needs ` +
          'its own (it names the log groups, the dashboard and the metrics dimension)',
      );
    }
    if (settings.accountSubscriptionPolicy && other.accountPolicy !== undefined) {
      throw new PipelineConfigError(
        `accountSubscriptionPolicy is already set by ${other.node.path}: CloudWatch Logs allows one subscription filter ` +
          'policy per account and Region',
      );
    }
  }
}

import { Aws, Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { RECONCILE_ENV } from '../../reconcile-function/config.ts';
import { RECONCILE_UNBACKED_METRIC, type ReconcileMetricName } from '../../reconcile-function/metric-names.ts';
import { FAILED_REQUESTS_PREFIX } from '../../tools/lib/amberflo/failed-requests.ts';
import type { TransformConfig } from '../../transform/config.ts';
import type { LambdaRuntime } from '../lambda-runtime.ts';
import { nagObjectArn } from './delivery.ts';
import { acknowledgeRuntimeChoice, functionRuntime } from './function-runtime.ts';
import { pipelineFunctionCode } from './lambda-code.ts';
import { ownLogGroup, type OwnLogGroupProps } from './own-log-group.ts';
import { FORWARDER_TIMEOUT } from './relay.ts';
import { staticPart } from './s3-prefixes.ts';
import { type ReconcileTimingSettings, objectSpanSeconds, reconcileSettleSeconds } from '../reconcile-timing.ts';
import { transformEnvironment } from './settings.ts';

/** The reports' prefix in the pipeline bucket. */
export const RECONCILE_REPORT_PREFIX = 'reconcile/';
/** A window's invocation: the longest Lambda allows, so the largest window is reconciled in one. */
export const RECONCILE_TIMEOUT = Duration.minutes(15);
/** 2048 MB: the ledger keeps a few bytes per record, and Lambda's CPU share grows with memory (gunzip, JSON, the transform). */
export const RECONCILE_MEMORY_MB = 2048;
export interface ReconcileProps extends OwnLogGroupProps, ReconcileTimingSettings {
  readonly pipelineName: string;
  readonly runtime: LambdaRuntime;
  readonly pipelineBucket: s3.IBucket;
  readonly sourceBackupPrefix: string;
  readonly dataOutputPrefix: string;
  readonly errorOutputPrefix: string;
  readonly amberfloBucketName: string;
  readonly amberfloBucketRegion: string | undefined;
  /** Relay mode: Amberflo's key pair, to read what the forwarder wrote. */
  readonly amberfloKeys: secretsmanager.ISecret | undefined;
  readonly transformConfig: TransformConfig;
  readonly windowSeconds: number;
  readonly alarmOnRefused: boolean;
  /** Check each window's backup against CloudWatch Logs' ForwardedLogEvents. */
  readonly forwardedCount: boolean;
  readonly metric: (metricName: ReconcileMetricName, props?: cloudwatch.MetricOptions) => cloudwatch.Metric;
}

/**
 * Continuous reconcile: a schedule (EventBridge) → the reconciling function, which invokes itself once per due
 * window of arrival time and writes a report per window under `reconcile/`; a findings alarm and a not-proven alarm.
 */
export class Reconcile {
  /** The reconciling function: one invocation per scheduled run, and one per window it reconciles. */
  readonly function: lambda.Function;
  /** Its role. In direct mode Amberflo's bucket policy must let it read the ingest, error and `failed-requests/` prefixes. */
  readonly role: iam.Role;
  /** Its log group, `/meter-firehose/<pipelineName>/reconcile` (the EMF metrics and a line per window). */
  readonly logGroup: logs.LogGroup;
  /** The EventBridge rule that runs it once per window length. */
  readonly schedule: events.Rule;
  /** The findings alarm and the not-proven alarm. */
  readonly alarms: cloudwatch.Alarm[];
  /** Dashboard widgets of its metrics. */
  readonly widgets: cloudwatch.IWidget[];

  /** Adds `ReconcileLogGroup`, `ReconcileRole`, `Reconcile`, `ReconcileInvokeSelf`, `ReconcileSchedule` and two alarms to `scope`. */
  constructor(scope: Construct, props: ReconcileProps) {
    this.logGroup = ownLogGroup(scope, 'ReconcileLogGroup', props);
    const bucket = props.pipelineBucket;
    const backup = `${staticPart(props.sourceBackupPrefix)}*`;
    const reports = `${RECONCILE_REPORT_PREFIX}*`;
    const data = `${staticPart(props.dataOutputPrefix)}*`;
    const errors = `${staticPart(props.errorOutputPrefix)}*`;
    const failed = `${FAILED_REQUESTS_PREFIX}*`;
    const relay = props.delivery === 'relay';
    const pipelineReads = relay ? [backup, reports, errors] : [backup, reports];
    const amberfloArn = `arn:${Aws.PARTITION}:s3:::${props.amberfloBucketName}`;
    const statements = [
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': pipelineReads } } }),
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: pipelineReads.map((pattern) => bucket.arnForObjects(pattern)) }),
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(reports)] }),
    ];
    const amberfloStatements = relay
      ? // Amberflo's bucket is read with Amberflo's keys (the forwarder's secret), not with this role.
        [new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [(props.amberfloKeys as secretsmanager.ISecret).secretArn] })]
      : [
          new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [amberfloArn], conditions: { StringLike: { 's3:prefix': [data, errors, failed] } } }),
          new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [data, errors, failed].map((pattern) => `${amberfloArn}/${pattern}`) }),
        ];
    this.role = new iam.Role(scope, 'ReconcileRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Meter pipeline ${props.pipelineName}: continuous reconcile`,
      inlinePolicies: {
        Logs: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] })],
        }),
        PipelineBucket: new iam.PolicyDocument({ statements }),
        AmberfloBucket: new iam.PolicyDocument({ statements: amberfloStatements }),
        // The independent count: CloudWatch Logs' ForwardedLogEvents. Neither action takes a resource narrower than *.
        ...(props.forwardedCount
          ? { ForwardedLogEvents: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['cloudwatch:ListMetrics', 'cloudwatch:GetMetricData'], resources: ['*'] })] }) }
          : {}),
      },
    });
    if (props.forwardedCount) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'cloudwatch:ListMetrics and cloudwatch:GetMetricData support no resource-level permissions; both only read metrics.',
      });
    }
    props.amberfloKeys?.encryptionKey?.grantDecrypt(this.role);
    const nagged = [
      ...pipelineReads.map((pattern) => nagObjectArn(scope, bucket, pattern)),
      ...(relay ? [] : [data, errors, failed].map((pattern) => `arn:<AWS::Partition>:s3:::${props.amberfloBucketName}/${pattern}`)),
    ];
    for (const resource of nagged) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason: 'Firehose names each object itself and reports are named by window: object reads are scoped to the static part of each prefix.',
      });
    }

    this.function = new lambda.Function(scope, 'Reconcile', {
      code: pipelineFunctionCode('reconcile', props.runtime),
      handler: 'index.handler',
      runtime: functionRuntime(props.runtime),
      architecture: lambda.Architecture.ARM_64,
      memorySize: RECONCILE_MEMORY_MB,
      timeout: RECONCILE_TIMEOUT,
      role: this.role,
      logGroup: this.logGroup,
      // A window's run writes a not-proven report itself when it cannot finish; a retry would only repeat it.
      retryAttempts: 0,
      environment: {
        [RECONCILE_ENV.pipelineName]: props.pipelineName,
        [RECONCILE_ENV.pipelineAccount]: Aws.ACCOUNT_ID,
        [RECONCILE_ENV.metricsNamespace]: props.transformConfig.metricsNamespace,
        [RECONCILE_ENV.delivery]: props.delivery,
        [RECONCILE_ENV.pipelineBucket]: bucket.bucketName,
        [RECONCILE_ENV.backupPrefix]: props.sourceBackupPrefix,
        [RECONCILE_ENV.reportPrefix]: RECONCILE_REPORT_PREFIX,
        [RECONCILE_ENV.amberfloBucket]: props.amberfloBucketName,
        [RECONCILE_ENV.amberfloRegion]: props.amberfloBucketRegion ?? Aws.REGION,
        ...(props.amberfloKeys === undefined ? {} : { [RECONCILE_ENV.amberfloKeysSecretArn]: props.amberfloKeys.secretArn }),
        [RECONCILE_ENV.dataPrefix]: props.dataOutputPrefix,
        [RECONCILE_ENV.errorPrefix]: props.errorOutputPrefix,
        [RECONCILE_ENV.windowSeconds]: String(props.windowSeconds),
        [RECONCILE_ENV.settleSeconds]: String(reconcileSettleSeconds(props, FORWARDER_TIMEOUT.toSeconds())),
        [RECONCILE_ENV.objectSpanSeconds]: String(objectSpanSeconds(props)),
        [RECONCILE_ENV.forwardedCount]: props.forwardedCount ? 'on' : 'off',
        [RECONCILE_ENV.transformEnvironment]: JSON.stringify(transformEnvironment(props.transformConfig)),
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    acknowledgeRuntimeChoice(this.function, props.runtime);
    // A policy apart from the role's, so the function (which depends on its role) may name itself in it.
    new iam.Policy(scope, 'ReconcileInvokeSelf', {
      roles: [this.role],
      statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] })],
    });

    this.schedule = new events.Rule(scope, 'ReconcileSchedule', {
      description: `Meter pipeline ${props.pipelineName}: reconcile the windows due`,
      schedule: events.Schedule.rate(Duration.seconds(props.windowSeconds)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.seconds(props.windowSeconds) })],
    });

    const period = Duration.seconds(props.windowSeconds);
    const findingMetrics: Record<string, cloudwatch.IMetric> = {
      missing: props.metric('ReconcileMissing', { period }),
      conflicting: props.metric('ReconcileConflicting', { period }),
      unexpected: props.metric('ReconcileUnexpected', { period }),
      ...(props.forwardedCount ? { unbacked: props.metric(RECONCILE_UNBACKED_METRIC, { period }) } : {}),
      ...(props.alarmOnRefused ? { refused: props.metric('ReconcileRefused', { period }) } : {}),
    };
    // Twice the window, at most a day: one scheduled run (and its windows' reports) falls in every period.
    const provenPeriod = Duration.seconds(Math.min(2 * props.windowSeconds, 86_400));
    this.alarms = [
      new cloudwatch.Alarm(scope, 'ReconcileFindingsAlarm', {
        alarmName: `${props.pipelineName}-reconcile-findings`,
        alarmDescription:
          `${props.pipelineName}: meter records missing, conflicting or unexpected${props.alarmOnRefused ? ' (or refused by Amberflo)' : ''}${props.forwardedCount ? ', or log events CloudWatch Logs forwarded that no backup object holds,' : ''} in a reconciled window. ` +
          `The window's report in the pipeline bucket (${RECONCILE_REPORT_PREFIX}<day>/<window>.json) lists each record and the replay that recovers it.`,
        metric: new cloudwatch.MathExpression({
          expression: Object.keys(findingMetrics).join(' + '),
          usingMetrics: findingMetrics,
          period,
          label: 'Records and log events needing action',
        }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(scope, 'ReconcileNotProvenAlarm', {
        alarmName: `${props.pipelineName}-reconcile-not-proven`,
        alarmDescription:
          `${props.pipelineName}: a window could not be proven (an object unreadable or not allowed, out of time), or the reconcile did not run. ` +
          `See the window's report and /meter-firehose/${props.pipelineName}/reconcile.`,
        metric: props.metric('ReconcileWindowsNotProven', { period: provenPeriod, statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No data: the schedule or the function is not running, so nothing is proven.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    ];
    const needingAction: ReconcileMetricName[] = ['ReconcileMissing', 'ReconcileConflicting', 'ReconcileUnexpected', ...(props.forwardedCount ? ([RECONCILE_UNBACKED_METRIC] as const) : [])];
    this.widgets = [
      new cloudwatch.GraphWidget({
        title: 'Reconcile: records per window',
        width: 12,
        left: (['ReconcileExpected', 'ReconcileDelivered', 'ReconcileQuarantined', 'ReconcileRefused'] as const).map((name) => props.metric(name, { period })),
        right: needingAction.map((name) => props.metric(name, { period })),
      }),
      new cloudwatch.GraphWidget({
        title: 'Reconcile: windows',
        width: 12,
        left: (['ReconcileWindowsProven', 'ReconcileWindowsNotProven'] as const).map((name) => props.metric(name, { period })),
      }),
    ];
  }
}

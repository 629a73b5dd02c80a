import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { ResolvedSettings } from './settings.ts';
import { KINESIS_SHARD_WRITE_LIMITS } from '../pipeline-source.ts';
import type { MeterStream } from './stream.ts';
import type { PipelineMetricName } from '../meter-ingestion-pipeline.ts';

export const ALARM_PERIOD = Duration.minutes(5);
/** Metrics one alarm's math expression may use. */
const MAX_ALARM_METRICS = 10;

/** Settings of the alarms, as resolved (and checked) by settings.ts. */
export type MonitoringSettings = Pick<
  ResolvedSettings,
  | 'pipelineName'
  | 'sourceLogGroupNames'
  | 'alarmTopic'
  | 'iteratorAgeAlarmSeconds'
  | 'dataFreshnessAlarmSeconds'
  | 'rejectedMeterRecordsAlarmThreshold'
  | 'durationAlarmPercentOfTimeout'
  | 'streamRetentionHours'
  | 'streamShardCount'
  | 'transformTimeoutSeconds'
>;

/** Share of a provisioned stream's write capacity above which the shard-capacity alarms fire. */
const SHARD_CAPACITY_ALARM_PERCENT = 80;

export interface MonitoringProps extends MonitoringSettings {
  /** A metric of the transform's own (the pipeline's `metric()`), summed over the alarm period. */
  readonly metric: (metricName: PipelineMetricName) => cloudwatch.Metric;
  /** The Kinesis stream; absent for a Direct PUT source. */
  readonly stream: MeterStream | undefined;
  readonly transform: lambda.IFunction;
  readonly deliveryStream: firehose.CfnDeliveryStream;
  /** Alarms of other parts (the relay's, continuous reconcile's) that notify the same topic. */
  readonly otherAlarms?: readonly cloudwatch.Alarm[];
  /** Dashboard widgets of other parts, after the transform's. */
  readonly widgets?: readonly cloudwatch.IWidget[];
}

/** The pipeline's alarms (notifying the alarm topic, if any) and its dashboard. */
export class Monitoring {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  private readonly scope: Construct;
  private readonly pipelineName: string;

  /** Adds one alarm per check, under the alarm's name (e.g. `IteratorAgeAlarm`), and `Dashboard` to `scope`. */
  constructor(scope: Construct, props: MonitoringProps) {
    this.scope = scope;
    this.pipelineName = props.pipelineName;
    this.addAlarms(props);
    this.alarms.push(...(props.otherAlarms ?? []));
    if (props.alarmTopic) {
      const action = new cloudwatchActions.SnsAction(props.alarmTopic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
    this.dashboard = this.createDashboard(props.metric, props.widgets ?? []);
  }

  private addAlarms(props: MonitoringProps): void {
    const fn = props.transform;
    const firehoseMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Firehose',
        metricName,
        dimensionsMap: { DeliveryStreamName: props.deliveryStream.ref },
        statistic,
        period: ALARM_PERIOD,
      });
    const timeoutMs = props.transformTimeoutSeconds * 1000;

    if (props.stream === undefined) {
      this.alarm('DirectPutThrottledAlarm', {
        metric: firehoseMetric('ThrottledRecords', 'Sum'),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription:
          'Firehose throttled Direct PUT records (stream quota): CloudWatch Logs retries, and re-ingests retry with backoff.',
      });
    } else {
      this.addStreamAlarms(props, props.stream.stream);
    }
    this.alarm('DataFreshnessAlarm', {
      metric: firehoseMetric('DeliveryToS3.DataFreshness', 'Maximum'),
      threshold: props.dataFreshnessAlarmSeconds,
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
      threshold: (timeoutMs * props.durationAlarmPercentOfTimeout) / 100,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: `The transform ran longer than ${props.durationAlarmPercentOfTimeout}% of its timeout.`,
    });
    this.alarm('RejectedMeterRecordsAlarm', {
      metric: props.metric('RejectedMeterRecords'),
      threshold: props.rejectedMeterRecordsAlarmThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: 'The transform rejected meter records (invalid or incomplete); see its logs and the error prefix.',
    });

    // Silence caused by a failure must alarm: when Firehose stops reading, it publishes nothing at all (no iterator
    // age, no freshness), so its reads count as 0 (FILL) while the stream receives records. Two of three periods,
    // so that records put at the very end of a period and read in the next one do not fire it.
    const stream = props.stream?.stream;
    if (stream !== undefined) {
      this.alarm('StreamNotReadAlarm', {
        metric: new cloudwatch.MathExpression({
          expression: 'IF(FILL(incoming, 0) > 0 AND FILL(read, 0) == 0, 1, 0)',
          usingMetrics: {
            incoming: stream.metricIncomingRecords({ statistic: 'Sum', period: ALARM_PERIOD }),
            read: firehoseMetric('DataReadFromKinesisStream.Records', 'Sum'),
          },
          period: ALARM_PERIOD,
          label: 'Stream receives records that Firehose does not read',
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        alarmDescription: 'The Kinesis stream receives records but Firehose reads none: records expire unread.',
      });
    }

    // A subscription failing with AccessDenied or ResourceNotFound is disabled for up to 10 minutes and its events
    // are skipped: any error in the last 15 minutes keeps the alarm firing across those pauses.
    this.logDeliveryAlarms('SubscriptionDeliveryErrorsAlarm', 'DeliveryErrors', props.sourceLogGroupNames, {
      evaluationPeriods: 3,
      datapointsToAlarm: 1,
      alarmDescription:
        'CloudWatch Logs could not put subscribed events into the stream; on AccessDenied or ResourceNotFound it ' +
        'disables the subscription for up to 10 minutes and skips those events.',
    });
    this.logDeliveryAlarms('SubscriptionThrottlingAlarm', 'DeliveryThrottling', props.sourceLogGroupNames, {
      alarmDescription: 'Subscribed events were throttled by the stream (CloudWatch Logs retries them for up to 24 h).',
    });
  }

  /** Throttled writes and Firehose falling behind; for provisioned shards, also writes nearing their capacity. */
  private addStreamAlarms(props: MonitoringProps, stream: kinesis.Stream): void {
    this.alarm('WriteThrottledAlarm', {
      metric: stream.metricWriteProvisionedThroughputExceeded({ statistic: 'Sum', period: ALARM_PERIOD }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: 'Writes to the Kinesis stream are throttled: subscriptions are delayed (CloudWatch Logs retries).',
    });
    this.alarm('IteratorAgeAlarm', {
      metric: stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: ALARM_PERIOD }),
      threshold: props.iteratorAgeAlarmSeconds * 1000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: `Firehose is falling behind the stream; records expire after ${props.streamRetentionHours} h.`,
    });
    const shards = props.streamShardCount;
    if (shards === undefined) return;
    const seconds = ALARM_PERIOD.toSeconds();
    const capacity = (id: string, metric: cloudwatch.IMetric, perShard: number, unit: string) =>
      this.alarm(id, {
        metric: new cloudwatch.MathExpression({
          expression: `100 * used / ${seconds * shards * perShard}`,
          usingMetrics: { used: metric },
          period: ALARM_PERIOD,
          label: `% of ${shards} shards' ${unit}`,
        }),
        threshold: SHARD_CAPACITY_ALARM_PERCENT,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription:
          `Writes averaged over ${SHARD_CAPACITY_ALARM_PERCENT}% of the ${shards} shards' ${unit} for 5 minutes: ` +
          'bursts are being throttled or soon will be; add shards (streamShardCount).',
      });
    capacity('ShardRecordsCapacityAlarm', stream.metricIncomingRecords({ statistic: 'Sum', period: ALARM_PERIOD }), KINESIS_SHARD_WRITE_LIMITS.recordsPerSecond, 'records/s');
    capacity('ShardBytesCapacityAlarm', stream.metricIncomingBytes({ statistic: 'Sum', period: ALARM_PERIOD }), KINESIS_SHARD_WRITE_LIMITS.bytesPerSecond, 'bytes/s');
  }

  /**
   * Alarms when the sum of an `AWS/Logs` subscription metric over the subscribed log groups is above 0: one alarm
   * per 10 log groups (the most one alarm's expression may use), the first named `id`, the next `id`2, and so on.
   */
  private logDeliveryAlarms(
    id: string,
    metricName: string,
    logGroupNames: string[],
    props: Pick<cloudwatch.AlarmProps, 'alarmDescription' | 'datapointsToAlarm'> & { evaluationPeriods?: number },
  ): void {
    logDeliverySums(metricName, logGroupNames).forEach((metric, chunk) => {
      this.alarm(chunk === 0 ? id : `${id}${chunk + 1}`, {
        ...props,
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    });
  }

  private alarm(id: string, props: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'> & { evaluationPeriods?: number }): void {
    this.alarms.push(
      new cloudwatch.Alarm(this.scope, id, {
        evaluationPeriods: 1,
        // Every metric here is published only while there is traffic or failure, so no data means no traffic (or no
        // failures): not a breach. A failure that silences a metric is caught by StreamNotReadAlarm instead.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...props,
        alarmDescription: `${this.pipelineName}: ${props.alarmDescription}`,
      }),
    );
  }

  private createDashboard(metric: MonitoringProps['metric'], widgets: readonly cloudwatch.IWidget[]): cloudwatch.Dashboard {
    const graph = (title: string, names: PipelineMetricName[]) =>
      new cloudwatch.GraphWidget({
        title,
        width: 8,
        left: names.map(metric),
      });
    const dashboard = new cloudwatch.Dashboard(this.scope, 'Dashboard', { dashboardName: this.pipelineName });
    dashboard.addWidgets(
      graph('Transform records', ['RecordsIn', 'RecordsOk', 'RecordsDropped', 'RecordsFailed', 'RecordsReingested']),
      graph('Meter records', ['MeterRecordsOut', 'RejectedMeterRecords']),
      graph('Transform bytes', ['BytesIn', 'BytesOut']),
    );
    if (widgets.length > 0) dashboard.addWidgets(...widgets);
    for (let i = 0; i < this.alarms.length; i += 3) {
      dashboard.addWidgets(
        ...this.alarms.slice(i, i + 3).map((alarm) => new cloudwatch.AlarmWidget({ alarm, width: 8, title: alarm.node.id })),
      );
    }
    return dashboard;
  }
}

/**
 * The sum of an `AWS/Logs` subscription metric (`DeliveryErrors`, `DeliveryThrottling`) over log groups, per
 * `LogGroupName`: one expression per 10 log groups, the most one alarm's expression may use.
 */
export function logDeliverySums(metricName: string, logGroupNames: readonly string[]): cloudwatch.MathExpression[] {
  const sums: cloudwatch.MathExpression[] = [];
  for (let start = 0; start < logGroupNames.length; start += MAX_ALARM_METRICS) {
    const names = logGroupNames.slice(start, start + MAX_ALARM_METRICS);
    const metrics = Object.fromEntries(
      names.map((logGroupName, i) => [
        `group${i}`,
        new cloudwatch.Metric({ namespace: 'AWS/Logs', metricName, dimensionsMap: { LogGroupName: logGroupName }, statistic: 'Sum', period: ALARM_PERIOD }),
      ]),
    );
    sums.push(
      new cloudwatch.MathExpression({
        expression: `SUM([${Object.keys(metrics).join(', ')}])`,
        usingMetrics: metrics,
        period: ALARM_PERIOD,
        label: `${metricName} of ${names.length === 1 ? names[0] : `${names.length} log groups`}`,
      }),
    );
  }
  return sums;
}

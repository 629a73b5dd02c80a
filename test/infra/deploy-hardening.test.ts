import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PipelineConfigError, type MeterIngestionPipelineProps } from '../../infra/index.ts';
import { buildPipeline, onlyResource, synth } from './helpers.ts';

function templateOf(props: Partial<MeterIngestionPipelineProps>): Template {
  return Template.fromStack(Stack.of(buildPipeline(props)));
}

const resources = (template: Template, type: string) => Object.entries(template.findResources(type));

describe('first deploy: nothing is subscribed before Firehose reads the stream', () => {
  const template = templateOf({ sourceLogGroupNames: ['/aws/lambda/a', '/aws/lambda/b'], accountSubscriptionPolicy: true });
  const deliveryStream = onlyResource(template, 'AWS::KinesisFirehose::DeliveryStream').logicalId;

  it.each(['AWS::Logs::SubscriptionFilter', 'AWS::Logs::AccountPolicy'])('every %s depends on the delivery stream', (type) => {
    const subscriptions = resources(template, type);
    expect(subscriptions.length).toBeGreaterThan(0);
    for (const [, subscription] of subscriptions) expect(subscription.DependsOn).toContain(deliveryStream);
  });
});

describe('no setting replaces the stream or the delivery stream', () => {
  // A new logical ID, or a change to a property CloudFormation cannot update in place, replaces the resource: the
  // records in the old stream are lost and the new delivery stream reads from LATEST.
  const defaults = synth().template;
  const overrides = synth({
    pipelineName: 'billing',
    sourceLogGroupNames: ['/aws/lambda/a'],
    accountSubscriptionPolicy: true,
    streamShardCount: 4,
    streamRetentionHours: 168,
    processorBufferSizeMBs: 1,
    dataOutputPrefix: 'ingest/x/',
    errorOutputPrefix: 'failed/',
    compression: 'UNCOMPRESSED',
  }).template;

  it('keeps the logical IDs they were first deployed with', () => {
    for (const template of [defaults, overrides]) {
      expect(onlyResource(template, 'AWS::Kinesis::Stream').logicalId).toBe('PipelineStreamDD609695');
      expect(onlyResource(template, 'AWS::KinesisFirehose::DeliveryStream').logicalId).toBe('PipelineDeliveryStream8C3095D9');
      expect(onlyResource(template, 'AWS::KMS::Key').logicalId).toBe('PipelineStreamKey09442828');
    }
  });

  it('keeps their replacement properties: no names, the same source and type', () => {
    const replacing = (template: Template) => {
      const stream = onlyResource(template, 'AWS::Kinesis::Stream').properties;
      const delivery = onlyResource(template, 'AWS::KinesisFirehose::DeliveryStream').properties;
      return [stream.Name, delivery.DeliveryStreamName, delivery.DeliveryStreamType, delivery.KinesisStreamSourceConfiguration];
    };
    expect(replacing(defaults)[0]).toBeUndefined();
    expect(replacing(defaults)[1]).toBeUndefined();
    expect(replacing(overrides)).toEqual(replacing(defaults));
  });
});

describe('the account policy never doubles a directly subscribed log group', () => {
  const criteria = (props: Partial<MeterIngestionPipelineProps>) =>
    onlyResource(templateOf({ accountSubscriptionPolicy: true, ...props }), 'AWS::Logs::AccountPolicy').properties
      .SelectionCriteria as string;

  it('leaves out every group in sourceLogGroupNames, once', () => {
    expect(criteria({ sourceLogGroupNames: ['/a', '/b'], accountPolicyExcludedLogGroupNames: ['/b', '/c'] })).toBe(
      'LogGroupName NOT IN ["/meter-firehose/p/transform", "/meter-firehose/p/delivery-errors", "/meter-firehose/p/reconcile", "/a", "/b", "/c"]',
    );
  });

  it('counts them against the 50 names the policy takes', () => {
    const sources = ['/a', '/b'];
    const excluded = (n: number) => Array.from({ length: n }, (_, i) => `/g${i}`);
    expect(() => buildPipeline({ accountSubscriptionPolicy: true, sourceLogGroupNames: sources, accountPolicyExcludedLogGroupNames: excluded(45) })).not.toThrow();
    expect(() => buildPipeline({ accountSubscriptionPolicy: true, sourceLogGroupNames: sources, accountPolicyExcludedLogGroupNames: excluded(46) })).toThrow(
      new PipelineConfigError(
        'accountPolicyExcludedLogGroupNames may list at most 45 log groups (the policy takes 50 and excludes the ' +
          "pipeline's own three and the 2 of sourceLogGroupNames), got 46",
      ),
    );
    // Without the policy, sources take no room in it.
    expect(() => buildPipeline({ sourceLogGroupNames: sources, accountPolicyExcludedLogGroupNames: excluded(47) })).not.toThrow();
  });
});

describe('silent failures alarm', () => {
  it('StreamNotReadAlarm fires when the stream receives records and Firehose reads none, for 2 of 3 periods', () => {
    const template = templateOf({});
    const stream = onlyResource(template, 'AWS::Kinesis::Stream').logicalId;
    const delivery = onlyResource(template, 'AWS::KinesisFirehose::DeliveryStream').logicalId;
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(FILL(incoming, 0) > 0 AND FILL(read, 0) == 0, 1, 0)', ReturnData: true }),
        Match.objectLike({
          Id: 'incoming',
          MetricStat: Match.objectLike({
            Metric: { Namespace: 'AWS/Kinesis', MetricName: 'IncomingRecords', Dimensions: [{ Name: 'StreamName', Value: { Ref: stream } }] },
            Stat: 'Sum',
          }),
          ReturnData: false,
        }),
        Match.objectLike({
          Id: 'read',
          MetricStat: Match.objectLike({
            Metric: {
              Namespace: 'AWS/Firehose',
              MetricName: 'DataReadFromKinesisStream.Records',
              Dimensions: [{ Name: 'DeliveryStreamName', Value: { Ref: delivery } }],
            },
            Stat: 'Sum',
          }),
          ReturnData: false,
        }),
      ]),
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
  });

  it('no subscription alarms without subscribed log groups', () => {
    const ids = buildPipeline({}).alarms.map((alarm) => alarm.node.id);
    expect(ids.filter((id) => id.startsWith('Subscription'))).toEqual([]);
  });

  it('DeliveryErrors and DeliveryThrottling of every subscribed log group, ten groups per alarm', () => {
    const names = Array.from({ length: 12 }, (_, i) => `/aws/lambda/f${i}`);
    const pipeline = buildPipeline({ sourceLogGroupNames: names });
    expect(pipeline.alarms.map((alarm) => alarm.node.id).filter((id) => id.startsWith('Subscription'))).toEqual([
      'SubscriptionDeliveryErrorsAlarm',
      'SubscriptionDeliveryErrorsAlarm2',
      'SubscriptionThrottlingAlarm',
      'SubscriptionThrottlingAlarm2',
    ]);
    const template = Template.fromStack(Stack.of(pipeline));
    for (const metricName of ['DeliveryErrors', 'DeliveryThrottling']) {
      const alarms = resources(template, 'AWS::CloudWatch::Alarm')
        .map(([, alarm]) => alarm.Properties)
        .filter((alarm) => alarm.Metrics?.some((m: any) => m.MetricStat?.Metric.MetricName === metricName));
      expect(alarms).toHaveLength(2);
      const groups = alarms.flatMap((alarm) =>
        alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => {
          expect(m.MetricStat.Metric.Namespace).toBe('AWS/Logs');
          expect(m.MetricStat.Stat).toBe('Sum');
          return m.MetricStat.Metric.Dimensions;
        }),
      );
      expect(groups).toEqual(names.map((name) => [{ Name: 'LogGroupName', Value: name }]));
      for (const alarm of alarms) {
        expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, TreatMissingData: 'notBreaching' });
        expect(alarm.Metrics.filter((m: any) => m.MetricStat).length).toBeLessThanOrEqual(10);
      }
    }
    // Errors stay in alarm across the 10 minutes a failing subscription is disabled.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'SUM([group0, group1])' })]),
      EvaluationPeriods: 3,
      DatapointsToAlarm: 1,
      AlarmDescription: Match.stringLikeRegexp('could not put subscribed events'),
    });
  });
});

describe('limits from the docs', () => {
  const fill = (length: number) => 'x'.repeat(length);

  it('prefixes are at most 512 characters once evaluated', () => {
    // yyyy-MM-dd is 10 characters, the error output type at most 24, the random string 11.
    const data = (staticLength: number) => `ingest/${fill(staticLength - 7)}/!{timestamp:yyyy-MM-dd}/`;
    expect(() => buildPipeline({ dataOutputPrefix: data(500) })).not.toThrow();
    expect(() => buildPipeline({ dataOutputPrefix: data(501) })).toThrow(
      /^dataOutputPrefix must be at most 512 characters once Firehose evaluates its expressions \(up to 513 here\)/,
    );
    const error = (staticLength: number) => `errors/${fill(staticLength - 7)}/!{firehose:error-output-type}/!{firehose:random-string}`;
    expect(() => buildPipeline({ errorOutputPrefix: error(475) })).not.toThrow();
    expect(() => buildPipeline({ errorOutputPrefix: error(476) })).toThrow(/^errorOutputPrefix must be at most 512 characters .*\(up to 513 here\)/);
    // Month names count at their widest, "September".
    expect(() => buildPipeline({ dataOutputPrefix: `ingest/${fill(496)}/!{timestamp:MMMM}/` })).toThrow(/\(up to 514 here\)/);
  });

  it('processorRetries is bounded by the API range, 0 to 300', () => {
    expect(() => buildPipeline({ processorRetries: 300 })).not.toThrow();
    expect(() => buildPipeline({ processorRetries: 0 })).not.toThrow();
  });

  it('producers are granted kms:GenerateDataKey, never kms:Encrypt', () => {
    const template = JSON.stringify(templateOf({ sourceLogGroupNames: ['/a'] }).toJSON());
    expect(template).toContain('"kms:GenerateDataKey"');
    expect(template).not.toContain('kms:Encrypt');
  });
});

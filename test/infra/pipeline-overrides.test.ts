import type { CfnResource } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../transform/config.ts';
import type { PipelineSettings } from '../../infra/config.ts';
import type { MeterFirehoseStack } from '../../infra/stack.ts';
import { acknowledgments, BUCKET, onlyResource, pipelineFunction, synth, type Synthesized } from './helpers.ts';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:meter-alarms';
const SOURCES = ['/aws/lambda/orders', '/aws/lambda/search'];

const OVERRIDES: Partial<PipelineSettings> = {
  pipelineName: 'billing',
  sourceLogGroupNames: SOURCES,
  accountSubscriptionPolicy: true,
  accountPolicyExcludedLogGroupNames: ['/aws/lambda/noisy'],
  streamShardCount: 2,
  streamRetentionHours: 168,
  processorBufferSizeMBs: 1.5,
  processorBufferIntervalSeconds: 30,
  processorRetries: 5,
  dataOutputPrefix: 'ingest/billing/!{timestamp:yyyy/MM/dd}/',
  errorOutputPrefix: 'failed/billing/!{firehose:error-output-type}/',
  destinationBufferIntervalSeconds: 60,
  destinationBufferSizeMBs: 64,
  compression: 'UNCOMPRESSED',
  fileExtension: '.json',
  logRetentionDays: 7,
  transformMemorySizeMB: 2048,
  transformTimeoutSeconds: 60,
  transform: { prefix: 'usage_record', unknownFields: 'drop', metricsNamespace: 'Billing' },
  iteratorAgeAlarmSeconds: 120,
  dataFreshnessAlarmSeconds: 400,
  rejectedMeterRecordsAlarmThreshold: 10,
  durationAlarmPercentOfTimeout: 50,
};

let synthesized: Synthesized;
let template: Template;
let stack: MeterFirehoseStack;
const ref = (value: unknown) => stack.resolve(value);
const s3Arn = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${BUCKET}${suffix}`]] });

beforeAll(() => {
  synthesized = synth(OVERRIDES, TOPIC_ARN);
  ({ template, stack } = synthesized);
});

describe('overridden settings', () => {
  it('provision the stream with shards and a longer replay window', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 2,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      RetentionPeriodHours: 168,
    });
  });

  it('reach the processor as strings', () => {
    const { Parameters } = onlyResource(template, 'AWS::KinesisFirehose::DeliveryStream').properties
      .ExtendedS3DestinationConfiguration.ProcessingConfiguration.Processors[0];
    expect(Parameters.slice(1)).toEqual([
      { ParameterName: 'BufferSizeInMBs', ParameterValue: '1.5' },
      { ParameterName: 'BufferIntervalInSeconds', ParameterValue: '30' },
      { ParameterName: 'NumberOfRetries', ParameterValue: '5' },
    ]);
  });

  it('shape the S3 destination', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: OVERRIDES.dataOutputPrefix,
        ErrorOutputPrefix: OVERRIDES.errorOutputPrefix,
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 64 },
        CompressionFormat: 'UNCOMPRESSED',
        FileExtension: '.json',
      }),
    });
  });

  it('move the write permission to the static parts of the new prefixes', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: Match.arrayWith([
        {
          PolicyName: 'WriteAmberfloBucket',
          PolicyDocument: Match.objectLike({
            Statement: Match.arrayWith([
              Match.objectLike({
                Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject', 's3:PutObjectAcl'],
                // Sorted by the @aws-cdk/aws-iam:minimizePolicies feature flag (cdk.json).
                Resource: [s3Arn('/failed/billing/*'), s3Arn('/ingest/billing/*')],
              }),
            ]),
          }),
        },
      ]),
    });
    expect(acknowledgments(synthesized.app)['Test/Pipeline/DeliveryRole']).toEqual([
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${BUCKET}/ingest/billing/*]`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${BUCKET}/failed/billing/*]`,
      // The source-record backup (on by default) in the pipeline bucket.
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<PipelinePipelineBucket\w+\.Arn>\/source-backup\/\*\]$/),
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<PipelinePipelineBucket\w+\.Arn>\/source-backup-errors\/\*\]$/),
      `AwsSolutions-IAM5[Resource::<${stack.resolve((stack.pipeline.transformFunction.node.defaultChild as CfnResource).logicalId)}.Arn>:*]`,
    ]);
  });

  it('size the transform and configure it, keeping PIPELINE_NAME unique to the pipeline', () => {
    const fn = pipelineFunction(template, 'Transform').properties;
    expect(fn.MemorySize).toBe(2048);
    expect(fn.Timeout).toBe(60);
    expect(fn.Environment.Variables).toMatchObject({
      [ENV.prefix]: 'usage_record',
      [ENV.unknownFields]: 'drop',
      [ENV.metricsNamespace]: 'Billing',
      [ENV.pipelineName]: 'billing',
    });
  });

  it('set the retention of both log groups', () => {
    for (const name of ['/meter-firehose/billing/transform', '/meter-firehose/billing/delivery-errors']) {
      template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: name, RetentionInDays: 7 });
    }
  });
});

describe('sources', () => {
  it('subscribe each configured log group to the stream with the prefix as pattern', () => {
    const filters = Object.values(template.findResources('AWS::Logs::SubscriptionFilter')).map((f) => f.Properties);
    expect(filters.map((f) => f.LogGroupName).sort()).toEqual(SOURCES);
    for (const filter of filters) {
      expect(filter).toEqual({
        LogGroupName: expect.any(String),
        FilterPattern: '"usage_record"',
        DestinationArn: ref(stack.pipeline.stream!.streamArn),
        RoleArn: ref(stack.pipeline.subscriptionRole.roleArn),
        Distribution: 'Random',
      });
    }
  });

  it('add an account-wide subscription policy that leaves out the pipeline, the groups subscribed directly and the listed ones', () => {
    const policy = onlyResource(template, 'AWS::Logs::AccountPolicy').properties;
    expect(policy).toMatchObject({
      PolicyName: 'billing-meter-records',
      PolicyType: 'SUBSCRIPTION_FILTER_POLICY',
      SelectionCriteria:
        'LogGroupName NOT IN ["/meter-firehose/billing/transform", "/meter-firehose/billing/delivery-errors", "/meter-firehose/billing/reconcile", ' +
        '"/aws/lambda/orders", "/aws/lambda/search", "/aws/lambda/noisy"]',
    });
    expect(policy.Scope ?? 'ALL').toBe('ALL');
    const document = JSON.stringify(policy.PolicyDocument);
    for (const fragment of [
      JSON.stringify(ref(stack.pipeline.stream!.streamArn)),
      JSON.stringify(ref(stack.pipeline.subscriptionRole.roleArn)),
      '\\"FilterPattern\\":\\"\\\\\\"usage_record\\\\\\"\\"',
      '\\"Distribution\\":\\"Random\\"',
    ]) {
      expect(document).toContain(fragment);
    }
  });

  it('never include a log group of the pipeline itself', () => {
    const ownNames = Object.values(template.findResources('AWS::Logs::LogGroup')).map((g) => g.Properties.LogGroupName);
    expect(ownNames).toHaveLength(3);
    const subscribed = Object.values(template.findResources('AWS::Logs::SubscriptionFilter')).map((f) => f.Properties.LogGroupName);
    expect(subscribed.filter((name) => ownNames.includes(name))).toEqual([]);
    const criteria: string = onlyResource(template, 'AWS::Logs::AccountPolicy').properties.SelectionCriteria;
    for (const name of ownNames) expect(criteria).toContain(JSON.stringify(name));
  });
});

describe('alarms', () => {
  it('use the overridden thresholds and namespace', () => {
    const expectations = [
      ['GetRecords.IteratorAgeMilliseconds', 120_000],
      ['DeliveryToS3.DataFreshness', 400],
      ['Duration', 30_000],
    ] as const;
    for (const [MetricName, Threshold] of expectations) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName, Threshold });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Billing',
      MetricName: 'RejectedMeterRecords',
      Dimensions: [{ Name: 'Pipeline', Value: 'billing' }],
      Threshold: 10,
    });
  });

  it('notify the topic when they fire and when they recover', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    // Nine on the pipeline's resources, StreamNotReadAlarm, the subscriptions' errors and throttling, and the two
    // shard-capacity alarms of a provisioned stream (streamShardCount: 2), and continuous reconcile's two.
    expect(alarms).toHaveLength(16);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([TOPIC_ARN]);
      expect(alarm.Properties.OKActions).toEqual([TOPIC_ARN]);
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports nothing unacknowledged with sources and the account policy', () => {
    expect(new AwsSolutionsChecks().validateScope(synthesized.app).violations).toEqual([]);
  });
});

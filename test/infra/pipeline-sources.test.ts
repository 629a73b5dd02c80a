/** The template of each source: what exists, who may put where, which alarms watch it, and cdk-nag. */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { acknowledgments, BUCKET, onlyResource, pipelineFunction, synth, type Synthesized } from './helpers.ts';

const SOURCES = ['/aws/lambda/orders'];

/** Every IAM action any role of the template may take, with the resources it may take it on. */
function roleActions(template: Template): { role: string; action: string; resource: unknown }[] {
  return Object.entries(template.findResources('AWS::IAM::Role')).flatMap(([role, resource]) =>
    ((resource.Properties.Policies ?? []) as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }[]).flatMap((policy) =>
      policy.PolicyDocument.Statement.flatMap((statement) =>
        [statement.Action].flat().map((action) => ({ role, action, resource: statement.Resource })),
      ),
    ),
  );
}

function alarmIds(template: Template): string[] {
  return Object.keys(template.findResources('AWS::CloudWatch::Alarm')).map((id) => id.replace(/[0-9A-F]{8}$/, ''));
}

describe('source: direct', () => {
  let synthesized: Synthesized;
  let template: Template;
  const ref = (value: unknown) => synthesized.stack.resolve(value);
  const deliveryStreamArn = {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':firehose:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':deliverystream/direct-pipeline']],
  };

  beforeAll(() => {
    synthesized = synth({ source: 'direct', pipelineName: 'direct-pipeline', sourceLogGroupNames: SOURCES, accountSubscriptionPolicy: true });
    template = synthesized.template;
  });

  it('has no Kinesis stream and no stream key; the delivery stream takes Direct PUT, encrypted by Firehose', () => {
    template.resourceCountIs('AWS::Kinesis::Stream', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(synthesized.stack.pipeline.stream).toBeUndefined();
    const { properties } = onlyResource(template, 'AWS::KinesisFirehose::DeliveryStream');
    expect(properties).toMatchObject({
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamName: 'direct-pipeline',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
    });
    expect(properties['KinesisStreamSourceConfiguration']).toBeUndefined();
    expect(Object.keys(template.toJSON().Outputs)).not.toContain('StreamName');
  });

  it('subscribes log groups and the account policy to the delivery stream, once it exists, without a distribution', () => {
    const { logicalId: deliveryStreamId } = onlyResource(template, 'AWS::KinesisFirehose::DeliveryStream');
    const filter = Object.values(template.findResources('AWS::Logs::SubscriptionFilter'))[0];
    expect(filter?.Properties).toMatchObject({ LogGroupName: SOURCES[0], DestinationArn: deliveryStreamArn });
    expect(filter?.Properties.Distribution).toBeUndefined();
    expect(filter?.DependsOn).toContain(deliveryStreamId);
    const policy = onlyResource(template, 'AWS::Logs::AccountPolicy');
    expect(JSON.stringify(policy.properties['PolicyDocument'])).not.toContain('Distribution');
    expect(template.findResources('AWS::Logs::AccountPolicy')[policy.logicalId]?.DependsOn).toContain(deliveryStreamId);
  });

  it('lets CloudWatch Logs put into the delivery stream and the transform re-ingest with PutRecordBatch, nothing more', () => {
    const puts = roleActions(template).filter(({ action }) => action.startsWith('firehose:') || action.startsWith('kinesis:') || action.startsWith('kms:'));
    expect(puts).toEqual([
      { role: expect.stringMatching(/^PipelineTransformRole/), action: 'firehose:PutRecordBatch', resource: deliveryStreamArn },
      { role: expect.stringMatching(/^PipelineSubscriptionRole/), action: 'firehose:PutRecord', resource: deliveryStreamArn },
      { role: expect.stringMatching(/^PipelineSubscriptionRole/), action: 'firehose:PutRecordBatch', resource: deliveryStreamArn },
    ]);
    const deliveryRole = onlyRole(template, /^PipelineDeliveryRole/);
    // WritePipelineBucket: the source-record backup, on by default (test/infra/pipeline-bucket.test.ts).
    expect(Object.keys(policiesOf(deliveryRole))).toEqual(['InvokeTransform', 'WriteAmberfloBucket', 'WritePipelineBucket', 'ErrorLogging']);
    expect(ref(synthesized.stack.pipeline.subscriptionRole.roleArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PipelineSubscriptionRole/), 'Arn'] });
  });

  it('alarms on Direct PUT throttling instead of the stream alarms', () => {
    const ids = alarmIds(template);
    expect(ids).toContain('PipelineDirectPutThrottledAlarm');
    expect(ids).not.toContain('PipelineWriteThrottledAlarm');
    expect(ids).not.toContain('PipelineIteratorAgeAlarm');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Firehose',
      MetricName: 'ThrottledRecords',
      Dimensions: [{ Name: 'DeliveryStreamName', Value: { Ref: onlyResource(template, 'AWS::KinesisFirehose::DeliveryStream').logicalId } }],
      Threshold: 0,
    });
  });

  it('is cdk-nag clean with nothing to acknowledge about encryption', () => {
    expect(new AwsSolutionsChecks().validateScope(synthesized.app).violations).toEqual([]);
    expect(acknowledgments(synthesized.app)).toEqual({
      'Test/Pipeline/Transform': ['AwsSolutions-L1'],
      'Test/Pipeline/PipelineBucket': ['AwsSolutions-S1'],
      'Test/Pipeline/DeliveryRole': [
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${BUCKET}/ingest/records/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${BUCKET}/errors/*]`,
        `AwsSolutions-IAM5[Resource::<${onlyResource(template, 'AWS::S3::Bucket').logicalId}.Arn>/source-backup/*]`,
        `AwsSolutions-IAM5[Resource::<${onlyResource(template, 'AWS::S3::Bucket').logicalId}.Arn>/source-backup-errors/*]`,
        `AwsSolutions-IAM5[Resource::<${pipelineFunction(template, 'Transform').logicalId}.Arn>:*]`,
      ],
      'Test/Pipeline/Reconcile': ['AwsSolutions-L1'],
      'Test/Pipeline/ReconcileRole': [
        'AwsSolutions-IAM5[Resource::*]',
        `AwsSolutions-IAM5[Resource::<${onlyResource(template, 'AWS::S3::Bucket').logicalId}.Arn>/source-backup/*]`,
        `AwsSolutions-IAM5[Resource::<${onlyResource(template, 'AWS::S3::Bucket').logicalId}.Arn>/reconcile/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${BUCKET}/ingest/records/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${BUCKET}/errors/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${BUCKET}/failed-requests/*]`,
      ],
    });
  });
});

describe('source: kinesis-provisioned', () => {
  let synthesized: Synthesized;
  let template: Template;

  beforeAll(() => {
    synthesized = synth({ source: 'kinesis-provisioned', streamShardCount: 3, sourceLogGroupNames: SOURCES });
    template = synthesized.template;
  });

  it('provisions the shards and reads them through Firehose', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: 3, StreamModeDetails: { StreamMode: 'PROVISIONED' } });
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', { DeliveryStreamType: 'KinesisStreamAsSource' });
  });

  it('alarms at 80% of the shards’ write capacity, records and bytes, besides throttling and iterator age', () => {
    const ids = alarmIds(template);
    expect(ids).toEqual(expect.arrayContaining(['PipelineWriteThrottledAlarm', 'PipelineIteratorAgeAlarm', 'PipelineShardRecordsCapacityAlarm', 'PipelineShardBytesCapacityAlarm']));
    expect(ids).not.toContain('PipelineDirectPutThrottledAlarm');
    // 5-minute sums against 300 s × 3 shards × 1,000 records/s and × 1 MiB/s.
    for (const [metricName, capacity] of [['IncomingRecords', 300 * 3 * 1000], ['IncomingBytes', 300 * 3 * 1024 * 1024]] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 80,
        ComparisonOperator: 'GreaterThanThreshold',
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: `100 * used / ${capacity}` }),
          Match.objectLike({ Id: 'used', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: metricName, Namespace: 'AWS/Kinesis' }), Stat: 'Sum' }) }),
        ]),
      });
    }
  });

  it('is cdk-nag clean', () => {
    expect(new AwsSolutionsChecks().validateScope(synthesized.app).violations).toEqual([]);
  });
});

describe('source: kinesis-on-demand (the default)', () => {
  it('keeps the stream alarms and adds no shard-capacity ones', () => {
    const { template } = synth({ source: 'kinesis-on-demand' });
    template.hasResourceProperties('AWS::Kinesis::Stream', { StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
    const ids = alarmIds(template);
    expect(ids).toEqual(expect.arrayContaining(['PipelineWriteThrottledAlarm', 'PipelineIteratorAgeAlarm']));
    expect(ids.filter((id) => id.includes('Capacity') || id.includes('DirectPut'))).toEqual([]);
  });
});

function onlyRole(template: Template, id: RegExp): Record<string, any> {
  const matches = Object.entries(template.findResources('AWS::IAM::Role')).filter(([logicalId]) => id.test(logicalId));
  if (matches.length !== 1) throw new Error(`expected one role matching ${id}, found ${matches.length}`);
  return matches[0]![1];
}

function policiesOf(role: Record<string, any>): Record<string, unknown> {
  return Object.fromEntries((role.Properties.Policies as { PolicyName: string; PolicyDocument: unknown }[]).map((policy) => [policy.PolicyName, policy.PolicyDocument]));
}

import type { CfnResource } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_NODE_MAJOR } from '../../build/lambda-node.ts';
import { DEFAULT_CONFIG, ENV } from '../../transform/config.ts';
import type { MeterFirehoseStack } from '../../infra/stack.ts';
import { acknowledgments, BUCKET, onlyResource, pipelineFunction, synth, type Synthesized } from './helpers.ts';

let synthesized: Synthesized;
let template: Template;
let stack: MeterFirehoseStack;
const ref = (value: unknown) => stack.resolve(value);

beforeAll(() => {
  synthesized = synth();
  ({ template, stack } = synthesized);
});

const pipelineBucketLogicalId = () => (stack.pipeline.pipelineBucket?.node.defaultChild as CfnResource).logicalId;
const s3Arn = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${BUCKET}${suffix}`]] });

describe('Kinesis stream', () => {
  it('is on-demand, encrypted with a rotating customer-managed key, and keeps records 24 h', () => {
    const { pipeline } = stack;
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      ShardCount: Match.absent(),
      RetentionPeriodHours: 24,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: ref(pipeline.streamKey!.keyArn) },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});

describe('transform function', () => {
  it('runs the bundled transform on nodejs24.x, arm64, 1024 MB, 2 minutes', () => {
    // The Node.js `npm test` runs the Lambda suites on first (build/lambda-node.ts) is the one deployed.
    expect(LAMBDA_NODE_MAJOR).toBe(24);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 120,
      LoggingConfig: { LogGroup: ref(stack.pipeline.transformLogGroup.logGroupName) },
    });
  });

  it('gets every setting the transform reads, with a unique pipeline name', () => {
    const variables = pipelineFunction(template, 'Transform').properties.Environment.Variables;
    expect(variables).toEqual({
      [ENV.prefix]: DEFAULT_CONFIG.prefix,
      [ENV.maxDecompressedBytes]: String(DEFAULT_CONFIG.maxDecompressedBytes),
      [ENV.responseBudgetBytes]: String(DEFAULT_CONFIG.responseBudgetBytes),
      [ENV.splitTargetBytes]: String(DEFAULT_CONFIG.splitTargetBytes),
      [ENV.unknownFields]: DEFAULT_CONFIG.unknownFields,
      [ENV.reingestMaxAttempts]: String(DEFAULT_CONFIG.reingestMaxAttempts),
      [ENV.reingestBaseDelayMs]: String(DEFAULT_CONFIG.reingestBaseDelayMs),
      [ENV.maxReingestGenerations]: String(DEFAULT_CONFIG.maxReingestGenerations),
      [ENV.deadlineMarginMs]: String(DEFAULT_CONFIG.deadlineMarginMs),
      [ENV.maxMeterAgeDays]: String(DEFAULT_CONFIG.maxMeterAgeDays),
      [ENV.maxFutureSkewSeconds]: String(DEFAULT_CONFIG.maxFutureSkewSeconds),
      [ENV.metricsNamespace]: DEFAULT_CONFIG.metricsNamespace,
      [ENV.pipelineName]: stack.pipeline.pipelineName,
      NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=16',
    });
    expect(stack.pipeline.pipelineName).toMatch(/^Test-Pipeline-[A-Za-z0-9]+$/);
  });

  it('logs to its own log group with 30-day retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/meter-firehose/${stack.pipeline.pipelineName}/transform`,
      RetentionInDays: 30,
    });
  });

  it('may only log, and re-ingest with PutRecords into this stream with its key', () => {
    const { pipeline } = stack;
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
      ManagedPolicyArns: Match.absent(),
      Policies: [
        {
          PolicyName: 'Logs',
          PolicyDocument: Match.objectLike({
            Statement: [
              {
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: ref(pipeline.transformLogGroup.logGroupArn),
              },
            ],
          }),
        },
        {
          PolicyName: 'Reingest',
          PolicyDocument: Match.objectLike({
            Statement: [
              { Effect: 'Allow', Action: 'kinesis:PutRecords', Resource: ref(pipeline.stream!.streamArn) },
              { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: ref(pipeline.streamKey!.keyArn) },
            ],
          }),
        },
      ],
    });
  });

  it('attaches no other policy to any role (but the reconciling function\'s leave to invoke itself)', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map((policy) => policy.Properties);
    expect(policies).toEqual([
      {
        PolicyName: expect.any(String),
        Roles: [ref(stack.pipeline.reconcile?.role.roleName)],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [pipelineFunction(template, 'Reconcile').logicalId, 'Arn'] } }],
        },
      },
    ]);
    expect(template.findResources('AWS::IAM::ManagedPolicy')).toEqual({});
  });
});

describe('Firehose delivery stream', () => {
  it('reads the Kinesis stream', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: {
        KinesisStreamARN: ref(stack.pipeline.stream!.streamArn),
        RoleARN: ref(stack.pipeline.deliveryRole.roleArn),
      },
      DeliveryStreamEncryptionConfigurationInput: Match.absent(),
    });
  });

  it('invokes the transform with a 0.25 MB, 60 s buffer and 3 retries', () => {
    const destination = onlyResource(template, 'AWS::KinesisFirehose::DeliveryStream').properties
      .ExtendedS3DestinationConfiguration;
    expect(destination.ProcessingConfiguration).toEqual({
      Enabled: true,
      Processors: [
        {
          Type: 'Lambda',
          Parameters: [
            { ParameterName: 'LambdaArn', ParameterValue: ref(stack.pipeline.transformFunction.functionArn) },
            { ParameterName: 'BufferSizeInMBs', ParameterValue: '0.25' },
            { ParameterName: 'BufferIntervalInSeconds', ParameterValue: '60' },
            { ParameterName: 'NumberOfRetries', ParameterValue: '3' },
          ],
        },
      ],
    });
  });

  it('delivers gzipped NDJSON to the Amberflo bucket under the ingest prefix, errors elsewhere', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: s3Arn(''),
        RoleARN: ref(stack.pipeline.deliveryRole.roleArn),
        Prefix: 'ingest/records/!{timestamp:yyyy-MM-dd}/',
        ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/',
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 5 },
        CompressionFormat: 'GZIP',
        FileExtension: '.gz',
        S3BackupMode: 'Enabled',
      }),
    });
  });

  it('logs its errors to a log group with retention', () => {
    const { pipeline } = stack;
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        CloudWatchLoggingOptions: {
          Enabled: true,
          LogGroupName: ref(pipeline.deliveryLogGroup.logGroupName),
          LogStreamName: { Ref: Match.stringLikeRegexp('DeliveryLogStream') },
        },
      }),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/meter-firehose/${pipeline.pipelineName}/delivery-errors`,
      RetentionInDays: 30,
    });
  });

  it('assumes a role that reads only this stream, invokes only the transform, writes only under the prefixes', () => {
    const { pipeline } = stack;
    const logStreamArn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':logs:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':log-group:',
          ref(pipeline.deliveryLogGroup.logGroupName),
          ':log-stream:',
          { Ref: Match.stringLikeRegexp('DeliveryLogStream') },
        ],
      ],
    };
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 'firehose.amazonaws.com' },
            Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'ReadStream',
          PolicyDocument: Match.objectLike({
            Statement: [
              {
                Effect: 'Allow',
                // Sorted by the @aws-cdk/aws-iam:minimizePolicies feature flag (cdk.json), as are all lists below.
                Action: ['kinesis:DescribeStream', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
                Resource: ref(pipeline.stream!.streamArn),
              },
              { Effect: 'Allow', Action: 'kms:Decrypt', Resource: ref(pipeline.streamKey!.keyArn) },
            ],
          }),
        },
        {
          PolicyName: 'InvokeTransform',
          PolicyDocument: Match.objectLike({
            Statement: [
              {
                Effect: 'Allow',
                Action: ['lambda:GetFunctionConfiguration', 'lambda:InvokeFunction'],
                Resource: [
                  ref(pipeline.transformFunction.functionArn),
                  { 'Fn::Join': ['', [ref(pipeline.transformFunction.functionArn), ':*']] },
                ],
              },
            ],
          }),
        },
        {
          PolicyName: 'WriteAmberfloBucket',
          PolicyDocument: Match.objectLike({
            Statement: [
              {
                Effect: 'Allow',
                Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
                Resource: s3Arn(''),
              },
              {
                Effect: 'Allow',
                Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject', 's3:PutObjectAcl'],
                Resource: [s3Arn('/errors/*'), s3Arn('/ingest/records/*')],
              },
            ],
          }),
        },
        {
          // The source-record backup, in the customer's own bucket (test/infra/pipeline-bucket.test.ts).
          PolicyName: 'WritePipelineBucket',
          PolicyDocument: Match.anyValue(),
        },
        {
          PolicyName: 'ErrorLogging',
          PolicyDocument: Match.objectLike({
            Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: logStreamArn }],
          }),
        },
      ],
    });
  });
});

describe('sources', () => {
  it('subscribes nothing and sets no account policy unless configured', () => {
    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 0);
    template.resourceCountIs('AWS::Logs::AccountPolicy', 0);
  });

  it('lets only CloudWatch Logs of this account and Region put records into the stream', () => {
    const { pipeline } = stack;
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 'logs.amazonaws.com' },
            Condition: {
              StringLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*'],
                  ],
                },
              },
            },
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'PutRecords',
          PolicyDocument: Match.objectLike({
            Statement: [
              { Effect: 'Allow', Action: ['kinesis:PutRecord', 'kinesis:PutRecords'], Resource: ref(pipeline.stream!.streamArn) },
              { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: ref(pipeline.streamKey!.keyArn) },
            ],
          }),
        },
      ],
    });
  });
});

describe('alarms', () => {
  const expected = () => {
    const { pipeline } = stack;
    const streamName = [{ Name: 'StreamName', Value: ref(pipeline.stream!.streamName) }];
    const deliveryStreamName = [{ Name: 'DeliveryStreamName', Value: ref(pipeline.deliveryStream.ref) }];
    const functionName = [{ Name: 'FunctionName', Value: ref(pipeline.transformFunction.functionName) }];
    return [
      ['AWS/Kinesis', 'WriteProvisionedThroughputExceeded', streamName, 'Sum', 'GreaterThanThreshold', 0],
      ['AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds', streamName, 'Maximum', 'GreaterThanThreshold', 900_000],
      ['AWS/Firehose', 'DeliveryToS3.DataFreshness', deliveryStreamName, 'Maximum', 'GreaterThanThreshold', 660],
      ['AWS/Firehose', 'DeliveryToS3.Success', deliveryStreamName, 'Minimum', 'LessThanThreshold', 1],
      ['AWS/Firehose', 'ExecuteProcessing.Success', deliveryStreamName, 'Minimum', 'LessThanThreshold', 1],
      ['AWS/Lambda', 'Errors', functionName, 'Sum', 'GreaterThanThreshold', 0],
      ['AWS/Lambda', 'Throttles', functionName, 'Sum', 'GreaterThanThreshold', 0],
      ['AWS/Lambda', 'Duration', functionName, 'Maximum', 'GreaterThanThreshold', 96_000],
      [
        'MeterFirehose',
        'RejectedMeterRecords',
        [{ Name: 'Pipeline', Value: pipeline.pipelineName }],
        'Sum',
        'GreaterThanThreshold',
        0,
      ],
    ] as const;
  };

  it('covers the stream, delivery, the transform and rejected records, dimensioned by the real resources', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);
    // And StreamNotReadAlarm, a math expression (deploy-hardening.test.ts), and continuous reconcile's two (continuous-reconcile.test.ts).
    expect(alarms).toHaveLength(expected().length + 3);
    for (const [namespace, metricName, dimensions, statistic, comparison, threshold] of expected()) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: namespace,
        MetricName: metricName,
        Dimensions: dimensions,
        Statistic: statistic,
        ComparisonOperator: comparison,
        Threshold: threshold,
        Period: 300,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: Match.absent(),
      });
    }
  });

  it('are shown with the transform metrics on a dashboard named after the pipeline', () => {
    const dashboard = onlyResource(template, 'AWS::CloudWatch::Dashboard').properties;
    expect(dashboard.DashboardName).toBe(stack.pipeline.pipelineName);
    const body = JSON.stringify(dashboard.DashboardBody);
    for (const metric of ['RecordsIn', 'RecordsOk', 'RecordsDropped', 'RecordsFailed', 'RecordsReingested', 'MeterRecordsOut', 'BytesIn', 'BytesOut']) {
      expect(body).toContain(`\\"${metric}\\"`);
    }
    for (const alarm of stack.pipeline.alarms) expect(body).toContain(stack.resolve(alarm.alarmArn)['Fn::GetAtt'][0]);
  });
});

describe('stack', () => {
  it('outputs the Firehose role ARN that Amberflo must grant', () => {
    template.hasOutput('FirehoseRoleArn', { Value: ref(stack.pipeline.deliveryRole.roleArn) });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports nothing unacknowledged', () => {
    expect(new AwsSolutionsChecks().validateScope(synthesized.app).violations).toEqual([]);
  });

  it('acknowledges each finding on the one resource it concerns', () => {
    expect(acknowledgments(synthesized.app)).toEqual({
      'Test/Pipeline/Stream': ['AwsSolutions-KDS3'],
      'Test/Pipeline/Transform': ['AwsSolutions-L1'],
      'Test/Pipeline/PipelineBucket': ['AwsSolutions-S1'],
      'Test/Pipeline/DeliveryRole': [
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${BUCKET}/ingest/records/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${BUCKET}/errors/*]`,
        `AwsSolutions-IAM5[Resource::<${ref(pipelineBucketLogicalId())}.Arn>/source-backup/*]`,
        `AwsSolutions-IAM5[Resource::<${ref(pipelineBucketLogicalId())}.Arn>/source-backup-errors/*]`,
        `AwsSolutions-IAM5[Resource::<${pipelineFunction(template, 'Transform').logicalId}.Arn>:*]`,
      ],
      'Test/Pipeline/DeliveryStream': ['AwsSolutions-KDF1'],
      'Test/Pipeline/Reconcile': ['AwsSolutions-L1'],
      'Test/Pipeline/ReconcileRole': [
        'AwsSolutions-IAM5[Resource::*]',
        `AwsSolutions-IAM5[Resource::<${ref(pipelineBucketLogicalId())}.Arn>/source-backup/*]`,
        `AwsSolutions-IAM5[Resource::<${ref(pipelineBucketLogicalId())}.Arn>/reconcile/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${BUCKET}/ingest/records/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${BUCKET}/errors/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${BUCKET}/failed-requests/*]`,
      ],
    });
  });
});

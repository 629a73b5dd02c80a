/** The pipeline bucket, the source-record backup and the two delivery modes, as synthesized. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CfnResource } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../infra/stack.ts';
import { RELAY_ENV } from '../../relay/config.ts';
import { acknowledgments, BUCKET, onlyResource, synth, type Synthesized } from './helpers.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:amberflo-keys-AbCdEf';
const RELAY = { delivery: 'relay', amberfloKeysSecretArn: SECRET_ARN } as const;

function bucketRef(synthesized: Synthesized): string {
  return synthesized.stack.resolve((synthesized.stack.pipeline.pipelineBucket?.node.defaultChild as CfnResource).logicalId) as string;
}

function policyNames(template: Template, description: RegExp): string[] {
  const role = Object.values(template.findResources('AWS::IAM::Role')).find((resource) => description.test(String(resource.Properties.Description)));
  return (role?.Properties.Policies ?? []).map((policy: { PolicyName: string }) => policy.PolicyName);
}

function policyStatements(template: Template, description: RegExp, policyName: string): { Action: string | string[]; Resource: unknown }[] {
  const role = Object.values(template.findResources('AWS::IAM::Role')).find((resource) => description.test(String(resource.Properties.Description)));
  return role?.Properties.Policies.find((policy: { PolicyName: string }) => policy.PolicyName === policyName)?.PolicyDocument.Statement ?? [];
}

const objectsOf = (logicalId: string, pattern: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId, 'Arn'] }, `/${pattern}`]] });

describe('direct delivery (the default) with the source-record backup', () => {
  let synthesized: Synthesized;
  let template: Template;
  beforeAll(() => {
    synthesized = synth();
    template = synthesized.template;
  });

  it('creates a private, encrypted, TLS-only bucket with ACLs disabled, expiring objects after 90 days, retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' })] },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('backs up every source record, uncompressed (they are gzip already), under source-backup/', () => {
    const stream = onlyResource(template, 'AWS::KinesisFirehose::DeliveryStream').properties.ExtendedS3DestinationConfiguration;
    expect(stream.S3BackupMode).toBe('Enabled');
    expect(stream.S3BackupConfiguration).toMatchObject({
      BucketARN: { 'Fn::GetAtt': [bucketRef(synthesized), 'Arn'] },
      Prefix: 'source-backup/!{timestamp:yyyy-MM-dd}/',
      ErrorOutputPrefix: 'source-backup-errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/',
      CompressionFormat: 'UNCOMPRESSED',
    });
  });

  it('lets Firehose write the backup prefixes of the pipeline bucket only, without ACLs', () => {
    const statements = policyStatements(template, /Firehose delivery/, 'WritePipelineBucket');
    expect(statements[1]?.Action).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject']);
    expect(statements[1]?.Resource).toEqual(
      expect.arrayContaining([objectsOf(bucketRef(synthesized), 'source-backup/*'), objectsOf(bucketRef(synthesized), 'source-backup-errors/*')]),
    );
    expect(statements[1]?.Resource).toHaveLength(2);
  });

  it('has no relay resources', () => {
    template.resourceCountIs('AWS::SQS::Queue', 0);
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
    expect(synthesized.stack.pipeline.relay).toBeUndefined();
  });
});

describe('direct delivery without the backup', () => {
  it('creates no bucket and no backup', () => {
    const { template } = synth({ sourceBackup: false });
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(onlyResource(template, 'AWS::KinesisFirehose::DeliveryStream').properties.ExtendedS3DestinationConfiguration.S3BackupMode).toBeUndefined();
    expect(policyNames(template, /Firehose delivery/)).not.toContain('WritePipelineBucket');
  });
});

describe('an existing pipeline bucket', () => {
  it('is used by name, not created; its notifications are configured in relay mode', () => {
    const { template } = synth({ ...RELAY, pipelineBucketName: 'my-meter-pipeline' });
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(JSON.stringify(onlyResource(template, 'AWS::KinesisFirehose::DeliveryStream').properties.ExtendedS3DestinationConfiguration.BucketARN)).toContain(':s3:::my-meter-pipeline');
    template.hasResourceProperties('Custom::S3BucketNotifications', { BucketName: 'my-meter-pipeline' });
  });

  it('logs server access to a given bucket when asked', () => {
    const { template } = synth({ pipelineBucketAccessLogsBucketName: 'my-access-logs' });
    template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: 'my-access-logs', LogFilePrefix: Match.stringLikeRegexp('^meter-firehose/') } });
  });
});

describe('relay delivery', () => {
  let synthesized: Synthesized;
  let template: Template;
  let bucket: string;
  beforeAll(() => {
    synthesized = synth({ ...RELAY, accountSubscriptionPolicy: true });
    template = synthesized.template;
    bucket = bucketRef(synthesized);
  });

  it('has Firehose deliver ingest and error prefixes into the pipeline bucket, never to Amberflo’s', () => {
    const destination = onlyResource(template, 'AWS::KinesisFirehose::DeliveryStream').properties.ExtendedS3DestinationConfiguration;
    expect(destination.BucketARN).toEqual({ 'Fn::GetAtt': [bucket, 'Arn'] });
    expect(destination.Prefix).toBe('ingest/records/!{timestamp:yyyy-MM-dd}/');
    expect(policyNames(template, /Firehose delivery/)).not.toContain('WriteAmberfloBucket');
    const resources = policyStatements(template, /Firehose delivery/, 'WritePipelineBucket')[1]?.Resource as unknown[];
    expect(resources).toEqual(expect.arrayContaining(['ingest/records/*', 'errors/*', 'source-backup/*', 'source-backup-errors/*'].map((pattern) => objectsOf(bucket, pattern))));
    expect(resources).toHaveLength(4);
    expect(JSON.stringify(template.toJSON())).not.toContain(`:s3:::${BUCKET}/`);
  });

  it('notifies SQS of new ingest objects; redrives to a DLQ after 5 receives; alarms on the first dead letter', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          { Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'ingest/records/' }] } }, QueueArn: Match.anyValue() },
        ],
      },
    });
    const queues = template.findResources('AWS::SQS::Queue');
    const [dlqId, dlq] = Object.entries(queues).find(([, queue]) => queue.Properties.RedrivePolicy === undefined)!;
    const main = Object.values(queues).find((queue) => queue.Properties.RedrivePolicy !== undefined)!;
    expect(main.Properties).toMatchObject({ RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] } }, VisibilityTimeout: 720, SqsManagedSseEnabled: true });
    expect(dlq.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
    // Objects outlive their dead letters: an operator has 14 days of alarm before the lifecycle could act at 90.
    expect(dlq.Properties.MessageRetentionPeriod).toBeLessThan(90 * 86_400);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 10 });
  });

  it('gives the forwarder only: read ingest objects, read the one secret, consume the queue, write its logs', () => {
    const forwarder = synthesized.stack.pipeline.relay!.function;
    const names = policyNames(template, /relay forwarder/);
    expect(names).toEqual(['Logs', 'ReadIngestObjects', 'ReadAmberfloKeys']);
    expect(policyStatements(template, /relay forwarder/, 'ReadIngestObjects')).toEqual([{ Effect: 'Allow', Action: 's3:GetObject', Resource: objectsOf(bucket, 'ingest/records/*') }]);
    expect(policyStatements(template, /relay forwarder/, 'ReadAmberfloKeys')).toEqual([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ARN }]);
    const roleId = synthesized.stack.resolve((forwarder.role!.node.defaultChild as CfnResource).logicalId);
    const attached = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId));
    expect(attached.flatMap((policy) => policy.Properties.PolicyDocument.Statement.flatMap((statement: { Action: string[] }) => statement.Action)).sort()).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
    ]);
  });

  it('keeps the forwarder’s log group out of the account subscription policy', () => {
    const policy = onlyResource(template, 'AWS::Logs::AccountPolicy').properties;
    expect(policy.SelectionCriteria).toContain(`/meter-firehose/${synthesized.stack.pipeline.pipelineName}/forwarder`);
  });

  it('reports nothing unacknowledged, with acknowledgments scoped to the resources they concern', () => {
    expect(new AwsSolutionsChecks().validateScope(synthesized.app).violations).toEqual([]);
    const acks = acknowledgments(synthesized.app);
    expect(acks['Test/Pipeline/ForwarderRole']).toEqual([`AwsSolutions-IAM5[Resource::<${bucket}.Arn>/ingest/records/*]`]);
    expect(acks['Test/Pipeline/RelayDeadLetterQueue']).toEqual(['AwsSolutions-SQS3']);
    expect(acks['Test/Pipeline/Forwarder']).toEqual(['AwsSolutions-L1']);
    expect(acks['Test/BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role']).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    ]);
  });
});

describe('Amberflo’s key pair', () => {
  const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

  it('appears nowhere in the template or any function environment: only the secret ARN does', () => {
    const { template } = synth(RELAY);
    const json = JSON.stringify(template.toJSON());
    for (const forbidden of ['SecretString', '{{resolve:secretsmanager', 'resolve:ssm-secure', 'secretAccessKey', 'SecretAccessKey']) expect(json).not.toContain(forbidden);
    expect(json).not.toMatch(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const forwarder = Object.values(template.findResources('AWS::Lambda::Function')).find((fn) => fn.Properties.Environment?.Variables?.[RELAY_ENV.secretArn] !== undefined)!;
    expect(Object.keys(forwarder.Properties.Environment.Variables).sort()).toEqual([RELAY_ENV.pipelineBucket, RELAY_ENV.sourcePrefix, RELAY_ENV.amberfloBucket, RELAY_ENV.amberfloRegion, RELAY_ENV.secretArn, 'NODE_OPTIONS'].sort());
    expect(forwarder.Properties.Environment.Variables[RELAY_ENV.secretArn]).toBe(SECRET_ARN);
    // The forwarder copies only what Firehose writes: the pipeline bucket's data prefix.
    expect(forwarder.Properties.Environment.Variables[RELAY_ENV.sourcePrefix]).toBe('ingest/records/');
    expect(forwarder.Properties.Environment.Variables[RELAY_ENV.pipelineBucket]).toEqual({ Ref: bucketRef(synth(RELAY)) });
  });

  it('cannot be configured in place of the ARN, and the refusal does not repeat it', () => {
    for (const value of [JSON.stringify({ accessKeyId: KEY_ID, secretAccessKey: SECRET_KEY }), SECRET_KEY, KEY_ID]) {
      let message = '';
      try {
        synth({ delivery: 'relay', amberfloKeysSecretArn: value });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^Context key "amberfloKeysSecretArn" must be a Secrets Manager secret ARN/);
      expect(message).not.toContain(SECRET_KEY);
      expect(message).not.toContain(KEY_ID);
    }
  });

  it('is required in relay mode and refused in direct mode', () => {
    expect(() => synth({ delivery: 'relay' })).toThrow(/amberfloKeysSecretArn is required with delivery "relay"/);
    expect(() => synth({ amberfloKeysSecretArn: SECRET_ARN })).toThrow(/applies to delivery "relay" only/);
    expect(() => synth({ delivery: 'sideways' as 'relay' })).toThrow('Context key "delivery" must be "direct" or "relay", got "sideways"');
    expect(() => synth({ pipelineBucketExpirationDays: 10 })).toThrow('Context key "pipelineBucketExpirationDays" must be a whole number of days of at least 15, got 10');
  });
});

describe('the CDK app in relay mode', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('synthesizes from context with cdk-nag enforcing', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'meter-firehose-relay-'));
    dirs.push(outdir);
    const app = createApp({
      outdir,
      context: { 'aws:cdk:bundling-stacks': [], amberfloBucketName: 'amberflo-bucket', delivery: 'relay', amberfloKeysSecretArn: SECRET_ARN, sourceBackup: 'true' },
    });
    expect(() => app.synth()).not.toThrow();
  });
});

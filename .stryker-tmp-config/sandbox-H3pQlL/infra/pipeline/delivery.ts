// @ts-nocheck
import { ArnFormat, Aws, type CfnResource, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PIPELINE_DEFAULTS } from '../defaults.ts';
import type { Construct } from 'constructs';
import { ownLogGroup, type OwnLogGroupProps } from './own-log-group.ts';
import type { ResolvedSettings } from './settings.ts';
import { staticPart } from './s3-prefixes.ts';
import type { DirectPutDestination } from './direct-put.ts';
import { MeterStream } from './stream.ts';

/** Settings of the delivery stream, as resolved (and checked) by settings.ts. */
export type DeliverySettings = Pick<
  ResolvedSettings,
  | 'pipelineName'
  | 'amberfloBucketName'
  | 'dataOutputPrefix'
  | 'errorOutputPrefix'
  | 'processorBufferSizeMBs'
  | 'processorBufferIntervalSeconds'
  | 'processorRetries'
  | 'destinationBufferIntervalSeconds'
  | 'destinationBufferSizeMBs'
  | 'compression'
  | 'fileExtension'
  | 'delivery'
  | 'sourceBackup'
>;

export interface DeliveryProps extends DeliverySettings, OwnLogGroupProps {
  /** The Kinesis stream Firehose reads, or the Direct PUT name the delivery stream takes. */
  readonly source: MeterStream | DirectPutDestination;
  readonly transform: lambda.IFunction;
  /** The customer's bucket: destination in relay mode, and where source records are backed up. */
  readonly pipelineBucket: s3.IBucket | undefined;
}

/** Where Firehose backs up every source record (S3BackupMode Enabled), in the pipeline bucket. */
export const SOURCE_BACKUP_PREFIXES = [PIPELINE_DEFAULTS.sourceBackupPrefix, PIPELINE_DEFAULTS.sourceBackupErrorPrefix] as const;

/**
 * The Data Firehose delivery stream from its source (Kinesis or Direct PUT) through the transform to the Amberflo
 * bucket (direct delivery) or to the pipeline bucket (relay), backing up every source record to the pipeline bucket.
 */
export class Delivery {
  /** Firehose's error log group. */
  readonly logGroup: logs.LogGroup;
  /** The role Firehose writes to the Amberflo bucket with: Amberflo's bucket policy must grant it access. */
  readonly role: iam.Role;
  readonly deliveryStream: firehose.CfnDeliveryStream;

  /** Adds `DeliveryLogGroup`, `DeliveryLogStream`, `DeliveryRole` and `DeliveryStream` to `scope`. */
  constructor(scope: Construct, props: DeliveryProps) {
    this.logGroup = ownLogGroup(scope, 'DeliveryLogGroup', props);
    const logStream = new logs.LogStream(scope, 'DeliveryLogStream', {
      logGroup: this.logGroup,
      logStreamName: 'DestinationDelivery',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = deliveryRole(scope, props, this.logGroup, logStream.logStreamName);

    const pipelineBucket = props.pipelineBucket;
    const destinationArn = props.delivery === 'relay' ? requireBucket(pipelineBucket).bucketArn : bucketArn(props.amberfloBucketName);
    const bufferingHints = { intervalInSeconds: props.destinationBufferIntervalSeconds, sizeInMBs: props.destinationBufferSizeMBs };
    const logging = { enabled: true, logGroupName: this.logGroup.logGroupName, logStreamName: logStream.logStreamName };
    // L1 on purpose: the L2 S3 destination grants read, write and delete on the whole bucket, and its Lambda
    // processor only takes whole MiB. This stream writes to another account's bucket under two prefixes only, and
    // its processor buffer must stay below 1 MB (see processorBufferSizeMBs).
    const { source } = props;
    this.deliveryStream = new firehose.CfnDeliveryStream(scope, 'DeliveryStream', {
      ...(source instanceof MeterStream
        ? {
            deliveryStreamType: 'KinesisStreamAsSource',
            kinesisStreamSourceConfiguration: { kinesisStreamArn: source.stream.streamArn, roleArn: this.role.roleArn },
          }
        : {
            deliveryStreamType: 'DirectPut',
            deliveryStreamName: source.deliveryStreamName,
            deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
          }),
      extendedS3DestinationConfiguration: {
        bucketArn: destinationArn,
        roleArn: this.role.roleArn,
        prefix: props.dataOutputPrefix,
        errorOutputPrefix: props.errorOutputPrefix,
        bufferingHints,
        compressionFormat: props.compression,
        fileExtension: props.fileExtension,
        cloudWatchLoggingOptions: logging,
        ...(props.sourceBackup
          ? {
              s3BackupMode: 'Enabled',
              // Source records are gzipped CloudWatch Logs payloads already: stored as they came.
              s3BackupConfiguration: {
                bucketArn: requireBucket(pipelineBucket).bucketArn,
                roleArn: this.role.roleArn,
                prefix: SOURCE_BACKUP_PREFIXES[0],
                errorOutputPrefix: SOURCE_BACKUP_PREFIXES[1],
                bufferingHints,
                compressionFormat: 'UNCOMPRESSED',
                cloudWatchLoggingOptions: logging,
              },
            }
          : {}),
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'Lambda',
              parameters: [
                { parameterName: 'LambdaArn', parameterValue: props.transform.functionArn },
                { parameterName: 'BufferSizeInMBs', parameterValue: String(props.processorBufferSizeMBs) },
                {
                  parameterName: 'BufferIntervalInSeconds',
                  parameterValue: String(props.processorBufferIntervalSeconds),
                },
                { parameterName: 'NumberOfRetries', parameterValue: String(props.processorRetries) },
              ],
            },
          ],
        },
      },
    });
    if (source instanceof MeterStream) {
      Validations.of(this.deliveryStream).acknowledge({
        id: 'AwsSolutions-KDF1',
        reason:
          'A delivery stream with a Kinesis stream as source cannot use Firehose server-side encryption; ' +
          'the source stream is encrypted with a customer-managed KMS key and Firehose writes to S3 over TLS.',
      });
    }
  }
}

function deliveryRole(scope: Construct, props: DeliveryProps, logGroup: logs.LogGroup, logStreamName: string): iam.Role {
  const bucket = bucketArn(props.amberfloBucketName);
  const direct = props.delivery === 'direct';
  const objectKeys = direct
    ? [props.dataOutputPrefix, props.errorOutputPrefix].map((prefix) => `${props.amberfloBucketName}/${staticPart(prefix)}*`)
    : [];
  const objectArns = objectKeys.map((key) => `arn:${Aws.PARTITION}:s3:::${key}`);
  const pipelinePrefixes = [
    ...(direct ? [] : [props.dataOutputPrefix, props.errorOutputPrefix]),
    ...(props.sourceBackup ? SOURCE_BACKUP_PREFIXES : []),
  ].map((prefix) => `${staticPart(prefix)}*`);
  const pipelineBucket = pipelinePrefixes.length === 0 ? undefined : requireBucket(props.pipelineBucket);
  const role = new iam.Role(scope, 'DeliveryRole', {
    assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
      conditions: { StringEquals: { 'sts:ExternalId': Aws.ACCOUNT_ID } },
    }),
    description: `Meter pipeline ${props.pipelineName}: Firehose delivery to the Amberflo bucket`,
    inlinePolicies: {
      ...(props.source instanceof MeterStream ? { ReadStream: new iam.PolicyDocument({ statements: props.source.consumerStatements() }) } : {}),
      InvokeTransform: new iam.PolicyDocument({
        statements: [
          // The function and its versions and aliases, should LambdaArn be pointed at one.
          new iam.PolicyStatement({
            actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
            resources: [props.transform.functionArn, `${props.transform.functionArn}:*`],
          }),
        ],
      }),
      // Cross-account delivery: Firehose puts objects with the bucket-owner-full-control ACL, which needs
      // s3:PutObjectAcl. Object actions are limited to the static parts of the data and error prefixes.
      ...(direct
        ? {
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
          }
        : {}),
      // The customer's own bucket (ACLs disabled): relay mode's ingest and error prefixes, the source backup.
      ...(pipelineBucket === undefined
        ? {}
        : {
            WritePipelineBucket: new iam.PolicyDocument({
              statements: [
                new iam.PolicyStatement({
                  actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
                  resources: [pipelineBucket.bucketArn],
                }),
                new iam.PolicyStatement({
                  actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
                  resources: pipelinePrefixes.map((pattern) => pipelineBucket.arnForObjects(pattern)),
                }),
              ],
            }),
          }),
      ErrorLogging: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            actions: ['logs:PutLogEvents'],
            resources: [
              Stack.of(scope).formatArn({
                service: 'logs',
                resource: 'log-group',
                resourceName: `${logGroup.logGroupName}:log-stream:${logStreamName}`,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            ],
          }),
        ],
      }),
    },
  });
  const nagResources = [
    ...objectKeys.map((key) => `arn:<AWS::Partition>:s3:::${key}`),
    ...(pipelineBucket === undefined ? [] : pipelinePrefixes.map((pattern) => nagObjectArn(scope, pipelineBucket, pattern))),
  ];
  for (const resource of nagResources) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${resource}]`,
      reason:
        'Firehose names each object itself (prefix + stream name + timestamp + random suffix), so object ' +
        'permissions can only be scoped to the static part of the configured prefix.',
    });
  }
  const functionLogicalId = Stack.of(scope).resolve((props.transform.node.defaultChild as CfnResource).logicalId);
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${functionLogicalId}.Arn>:*]`,
    reason: 'The transform function itself and its versions and aliases (qualified ARNs), and nothing else.',
  });
  return role;
}

function requireBucket(bucket: s3.IBucket | undefined): s3.IBucket {
  if (bucket === undefined) throw new Error('the pipeline bucket is required for relay delivery and source backup');
  return bucket;
}

/** How cdk-nag prints `bucket.arnForObjects(pattern)`: by name for an imported bucket, by logical ID for a created one. */
export function nagObjectArn(scope: Construct, bucket: s3.IBucket, pattern: string): string {
  if (bucket instanceof s3.Bucket) {
    const logicalId = Stack.of(scope).resolve((bucket.node.defaultChild as s3.CfnBucket).logicalId) as string;
    return `<${logicalId}.Arn>/${pattern}`;
  }
  return `arn:<AWS::Partition>:s3:::${bucket.bucketName}/${pattern}`;
}

function bucketArn(bucketName: string): string {
  return `arn:${Aws.PARTITION}:s3:::${bucketName}`;
}

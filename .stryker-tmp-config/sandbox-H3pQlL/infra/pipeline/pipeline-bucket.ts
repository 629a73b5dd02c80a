// @ts-nocheck
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface PipelineBucketProps {
  readonly pipelineName: string;
  /** An existing bucket of this account, used as is. */
  readonly existingBucketName: string | undefined;
  readonly expirationDays: number;
  readonly accessLogsBucketName: string | undefined;
}

/**
 * The bucket the customer owns: the source-record backup and, in relay mode, Firehose's ingest and error
 * prefixes. Created private, SSE-S3 encrypted, TLS only, with ACLs disabled (bucket owner enforced) and a
 * lifecycle that expires objects after `expirationDays` (default 90: Amberflo's 60-day backfill window plus
 * 30 days to notice an outage and replay). Retained on stack deletion: it holds the evidence of what was billed.
 */
export class PipelineBucket {
  readonly bucket: s3.IBucket;

  /** Adds `PipelineBucket` to `scope` (or imports the existing bucket under that id). */
  constructor(scope: Construct, props: PipelineBucketProps) {
    if (props.existingBucketName !== undefined) {
      this.bucket = s3.Bucket.fromBucketName(scope, 'PipelineBucket', props.existingBucketName);
      return;
    }
    const accessLogs =
      props.accessLogsBucketName === undefined ? undefined : s3.Bucket.fromBucketName(scope, 'PipelineBucketAccessLogs', props.accessLogsBucketName);
    const bucket = new s3.Bucket(scope, 'PipelineBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'ExpireAfterReplayWindow', expiration: Duration.days(props.expirationDays), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
      ...(accessLogs === undefined ? {} : { serverAccessLogsBucket: accessLogs, serverAccessLogsPrefix: `meter-firehose/${props.pipelineName}/` }),
    });
    if (accessLogs === undefined) {
      Validations.of(bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          'Only Firehose and the forwarder (with the pipeline roles) and operators write or read this private bucket; ' +
          'object-level auditing belongs to CloudTrail data events, which the account trail controls. A logs bucket ' +
          'per pipeline would itself need an exemption; pass pipelineBucketAccessLogsBucketName to log to an existing one.',
      });
    }
    this.bucket = bucket;
  }
}

// @ts-nocheck
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { RecordDestination } from './record-destination.ts';

export interface MeterStreamProps {
  readonly pipelineName: string;
  /** Provisioned shards; on-demand capacity when undefined. */
  readonly shardCount: number | undefined;
  readonly retentionHours: number;
}

/** The KMS-encrypted Kinesis Data Stream the log subscriptions write to and Firehose reads from. */
export class MeterStream implements RecordDestination {
  readonly key: kms.Key;
  readonly stream: kinesis.Stream;
  readonly description = 'the Kinesis stream';
  readonly putActions = { single: 'kinesis:PutRecord', batch: 'kinesis:PutRecords' } as const;
  readonly distribution = 'Random';

  /** Adds `StreamKey` and `Stream` to `scope`. */
  constructor(scope: Construct, props: MeterStreamProps) {
    this.key = new kms.Key(scope, 'StreamKey', {
      description: `Encrypts the Kinesis stream of meter pipeline ${props.pipelineName}`,
      enableKeyRotation: true,
    });
    this.stream = new kinesis.Stream(scope, 'Stream', {
      streamMode: props.shardCount === undefined ? kinesis.StreamMode.ON_DEMAND : kinesis.StreamMode.PROVISIONED,
      shardCount: props.shardCount,
      retentionPeriod: Duration.hours(props.retentionHours),
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: this.key,
    });
    Validations.of(this.stream).acknowledge({
      id: 'AwsSolutions-KDS3',
      reason:
        'A customer-managed key on purpose: each role is granted exactly this key, and the key policy can revoke ' +
        'access to the meter data independently of the stream.',
    });
  }

  get arn(): string {
    return this.stream.streamArn;
  }

  /** What a producer's role needs to put records with the given Kinesis actions. */
  producerStatements(actions: string[]): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({ actions, resources: [this.stream.streamArn] }),
      // Kinesis asks KMS for a data key per put; producers never call kms:Encrypt themselves.
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [this.key.keyArn] }),
    ];
  }

  /** What a consumer's role (Firehose) needs to read the stream. */
  consumerStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['kinesis:DescribeStream', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'],
        resources: [this.stream.streamArn],
      }),
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.key.keyArn] }),
    ];
  }
}

// @ts-nocheck
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { RecordDestination } from './record-destination.ts';

/**
 * The delivery stream as the destination of a Direct PUT source, named before it exists: the transform, which the
 * delivery stream invokes, must be allowed to put into it, and the stream's ARN attribute would make that a cycle.
 * Firehose encrypts what it holds (server-side encryption) without the producers needing a key.
 */
export class DirectPutDestination implements RecordDestination {
  readonly deliveryStreamName: string;
  readonly arn: string;
  readonly description = 'the Firehose stream (Direct PUT)';
  readonly putActions = { single: 'firehose:PutRecord', batch: 'firehose:PutRecordBatch' } as const;

  constructor(scope: Construct, pipelineName: string) {
    this.deliveryStreamName = pipelineName;
    this.arn = Stack.of(scope).formatArn({
      service: 'firehose',
      resource: 'deliverystream',
      resourceName: pipelineName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  producerStatements(actions: string[]): iam.PolicyStatement[] {
    return [new iam.PolicyStatement({ actions, resources: [this.arn] })];
  }
}

// @ts-nocheck
import type * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Where subscription filters put log events and the transform re-ingests: the Kinesis stream, or the Firehose
 * stream itself for a Direct PUT source.
 */
export interface RecordDestination {
  readonly arn: string;
  /** How role descriptions name it, e.g. `the Kinesis stream`. */
  readonly description: string;
  /** The single-record and the batch put action, e.g. `kinesis:PutRecord` and `kinesis:PutRecords`. */
  readonly putActions: { readonly single: string; readonly batch: string };
  /** How subscription filters spread log events over it: Kinesis shards only; Firehose takes no distribution. */
  readonly distribution?: 'Random';
  /** What a producer's role needs to put records with the given actions. */
  producerStatements(actions: string[]): iam.PolicyStatement[];
}

/**
 * A destination for senders in another Region: CloudWatch Logs delivers only to a destination in the log groups'
 * Region, but the destination may point at a stream in another Region. Deployed in the senders' Region, in the
 * pipeline's account, it forwards into the central pipeline's source.
 */
import { Arn, ArnFormat, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, DependencyGroup } from 'constructs';
import type { RecordDestination } from '../pipeline/record-destination.ts';
import { resolveSenders, SenderDestination } from '../pipeline/sender-destination.ts';
import { PipelineConfigError } from '../pipeline/settings.ts';

export interface RegionalSenderDestinationProps {
  /** The central pipeline's `pipelineName`: the destination is `<pipelineName>-meter-records` here too. */
  readonly pipelineName: string;
  /**
   * The central pipeline's source: its Kinesis stream ARN (stack output `StreamName`'s stream), or its Firehose
   * stream ARN for `source: 'direct'`.
   */
  readonly sourceArn: string;
  /** The KMS key of the central Kinesis stream (its producers need `kms:GenerateDataKey`); Kinesis sources only. @default - none, required for a Kinesis source */
  readonly streamKeyArn?: string;
  /** Accounts admitted, as the pipeline's `senderAccountIds` (12-digit ids, at most 100). @default - none */
  readonly senderAccountIds?: string[];
  /** Organization admitted, as the pipeline's `senderOrganizationId`. @default - none */
  readonly senderOrganizationId?: string;
  /** Organizational units admitted, as the pipeline's `senderOrganizationPaths` (at most 10). @default - the whole organization */
  readonly senderOrganizationPaths?: string[];
}

/** The central source as a producer sees it, from its ARN. */
class CentralSource implements RecordDestination {
  readonly putActions;
  readonly description;
  readonly distribution?: 'Random';

  constructor(
    readonly arn: string,
    private readonly keyArn: string | undefined,
    kinesis: boolean,
  ) {
    this.putActions = kinesis ? { single: 'kinesis:PutRecord', batch: 'kinesis:PutRecords' } : { single: 'firehose:PutRecord', batch: 'firehose:PutRecordBatch' };
    this.description = kinesis ? 'the central Kinesis stream' : 'the central Firehose stream (Direct PUT)';
  }

  producerStatements(actions: string[]): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({ actions, resources: [this.arn] }),
      ...(this.keyArn === undefined ? [] : [new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [this.keyArn] })]),
    ];
  }
}

/** `SenderDestination` in this Region, in front of the central pipeline's source in its own Region. */
export class RegionalSenderDestination extends Construct {
  /** The destination in this Region (`arn` is what senders here subscribe to), with its policy and role. */
  readonly destination: SenderDestination;

  constructor(scope: Construct, id: string, props: RegionalSenderDestinationProps) {
    super(scope, id);
    const fail = (message: string): never => {
      throw new PipelineConfigError(message);
    };
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(props.pipelineName)) fail(`pipelineName must be 1-64 letters, digits, "-" or "_", got "${props.pipelineName}"`);
    const service = Token.isUnresolved(props.sourceArn) ? undefined : Arn.split(props.sourceArn, ArnFormat.SLASH_RESOURCE_NAME).service;
    if (service !== 'kinesis' && service !== 'firehose') {
      fail(`sourceArn must be the central pipeline's Kinesis stream or Firehose stream ARN, got "${props.sourceArn}"`);
    }
    const kinesis = service === 'kinesis';
    if (kinesis !== (props.streamKeyArn !== undefined)) {
      fail(kinesis ? 'streamKeyArn is required with a Kinesis sourceArn: producers need kms:GenerateDataKey on the stream key' : 'streamKeyArn applies to a Kinesis sourceArn only');
    }
    const senders = resolveSenders(props, fail);
    if (senders === undefined) fail('a regional destination needs senderAccountIds or senderOrganizationId');
    this.destination = new SenderDestination(this, {
      pipelineName: props.pipelineName,
      senders: senders as NonNullable<typeof senders>,
      target: new CentralSource(props.sourceArn, props.streamKeyArn, kinesis),
      startAfter: new DependencyGroup(),
    });
  }
}

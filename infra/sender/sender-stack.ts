import { BootstraplessSynthesizer, CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { checkDestinationArn, DESTINATION_ARN_PATTERN, MeterRecordSender, type MeterRecordSenderProps } from './meter-record-sender.ts';

export interface MeterRecordSenderStackProps extends StackProps {
  /** The sender's settings; the destination ARN becomes the template's `DestinationArn` parameter default. */
  readonly sender: Omit<MeterRecordSenderProps, 'alarmTopic'>;
  /** SNS topic notified by the sender's alarms. @default - alarms without actions */
  readonly alarmTopicArn?: string;
}

/**
 * The deployable unit of a workload account: its meter records into a central pipeline's destination. The template
 * is self-contained (no assets, no bootstrap version check) and takes the destination as the `DestinationArn`
 * parameter (its default: the `destinationArn` given), so one synthesized template serves a StackSet over many
 * accounts, with the parameter overridden per Region.
 */
export class MeterRecordSenderStack extends Stack {
  /** The subscriptions and alarms of this account. */
  readonly sender: MeterRecordSender;

  constructor(scope: Construct, id: string, props: MeterRecordSenderStackProps) {
    super(scope, id, { synthesizer: new BootstraplessSynthesizer(), ...props });
    const { alarmTopicArn } = props;
    checkDestinationArn(this, props.sender.destinationArn);
    const destinationArn = new CfnParameter(this, 'DestinationArn', {
      type: 'String',
      default: props.sender.destinationArn,
      allowedPattern: DESTINATION_ARN_PATTERN,
      description: "The central meter pipeline's CloudWatch Logs destination in this Region (its SenderDestinationArn output)",
    });
    this.sender = new MeterRecordSender(this, 'Sender', {
      ...props.sender,
      destinationArn: destinationArn.valueAsString,
      ...(alarmTopicArn === undefined ? {} : { alarmTopic: sns.Topic.fromTopicArn(this, 'AlarmTopic', alarmTopicArn) }),
    });
    if (this.sender.role !== undefined) new CfnOutput(this, 'SubscriptionRoleArn', { value: this.sender.role.roleArn });
  }
}

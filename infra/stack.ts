import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { PipelineSettings } from './config.ts';
import { MeterIngestionPipeline } from './meter-ingestion-pipeline.ts';

export interface MeterFirehoseStackProps extends StackProps {
  readonly pipeline: PipelineSettings;
  /** SNS topic notified by the pipeline's alarms. @default - alarms without actions */
  readonly alarmTopicArn?: string;
}

/** The deployable unit: one meter ingestion pipeline and the outputs the Amberflo side needs. */
export class MeterFirehoseStack extends Stack {
  readonly pipeline: MeterIngestionPipeline;

  constructor(scope: Construct, id: string, props: MeterFirehoseStackProps) {
    super(scope, id, props);
    const { pipeline: settings, alarmTopicArn } = props;
    this.pipeline = new MeterIngestionPipeline(this, 'Pipeline', {
      ...settings,
      ...(alarmTopicArn === undefined ? {} : { alarmTopic: sns.Topic.fromTopicArn(this, 'AlarmTopic', alarmTopicArn) }),
    });

    new CfnOutput(this, 'FirehoseRoleArn', {
      description: 'Role Firehose delivers with: Amberflo must grant it access in the bucket policy',
      value: this.pipeline.deliveryRole.roleArn,
    });
    new CfnOutput(this, 'DeliveryStreamName', { value: this.pipeline.deliveryStream.ref });
    new CfnOutput(this, 'StreamName', { value: this.pipeline.stream.streamName });
    new CfnOutput(this, 'PipelineName', { value: this.pipeline.pipelineName });
  }
}

import { App, CfnOutput, Stack, Validations, type AppProps, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { loadAppConfig, type PipelineSettings } from './config.ts';
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
      description:
        this.pipeline.relay === undefined
          ? 'Role Firehose delivers with: Amberflo must grant it access in the bucket policy'
          : 'Role Firehose delivers with (into the pipeline bucket; relay mode needs no grant from Amberflo)',
      value: this.pipeline.deliveryRole.roleArn,
    });
    if (this.pipeline.pipelineBucket !== undefined) {
      new CfnOutput(this, 'PipelineBucketName', {
        description: 'Your bucket: source-record backup (replay --from-backup) and, in relay mode, ingest and error prefixes',
        value: this.pipeline.pipelineBucket.bucketName,
      });
    }
    if (this.pipeline.relay !== undefined) {
      new CfnOutput(this, 'RelayDeadLetterQueueUrl', {
        description: 'Ingest objects not forwarded to Amberflo; redrive after fixing the cause',
        value: this.pipeline.relay.deadLetterQueue.queueUrl,
      });
    }
    new CfnOutput(this, 'DeliveryStreamName', { value: this.pipeline.deliveryStream.ref });
    new CfnOutput(this, 'StreamName', { value: this.pipeline.stream.streamName });
    new CfnOutput(this, 'PipelineName', { value: this.pipeline.pipelineName });
  }
}

/** The CDK app: one stack configured from context, checked by cdk-nag's AwsSolutions rules. */
export function createApp(props?: AppProps): App {
  const app = new App(props);
  const config = loadAppConfig((key) => app.node.tryGetContext(key));
  new MeterFirehoseStack(app, config.stackName, {
    ...(config.env === undefined ? {} : { env: config.env }),
    ...(config.alarmTopicArn === undefined ? {} : { alarmTopicArn: config.alarmTopicArn }),
    pipeline: config.pipeline,
    description: 'Meter records from CloudWatch Logs to the Amberflo S3 bucket (meter-firehose)',
  });
  // Any unacknowledged finding interrupts synthesis with a report.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return app;
}

import {
  App,
  CfnOutput,
  Stack,
  Validations,
  type AppProps,
  type IPolicyValidationContext,
  type PolicyValidationPluginReport,
  type StackProps,
} from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { appRole, checkContextKeys, inContextTerms, loadAppConfig, loadSenderConfig, pipelineProps, type PipelineSettings } from './config.ts';
import { PipelineConfigError } from './pipeline/settings.ts';
import { MeterRecordSenderStack } from './sender/sender-stack.ts';
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
    try {
      this.pipeline = new MeterIngestionPipeline(this, 'Pipeline', {
        ...pipelineProps(this, settings),
        ...(alarmTopicArn === undefined ? {} : { alarmTopic: sns.Topic.fromTopicArn(this, 'AlarmTopic', alarmTopicArn) }),
      });
    } catch (error) {
      throw error instanceof PipelineConfigError ? inContextTerms(error) : error;
    }

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
    if (this.pipeline.reconcile !== undefined && this.pipeline.relay === undefined) {
      new CfnOutput(this, 'ReconcileRoleArn', {
        description: "Role continuous reconcile reads with: Amberflo's bucket policy must let it read the ingest, error and failed-requests/ prefixes",
        value: this.pipeline.reconcile.role.roleArn,
      });
    }
    if (this.pipeline.relay !== undefined) {
      new CfnOutput(this, 'RelayDeadLetterQueueUrl', {
        description: 'Ingest objects not forwarded to Amberflo; redrive after fixing the cause',
        value: this.pipeline.relay.deadLetterQueue.queueUrl,
      });
    }
    new CfnOutput(this, 'DeliveryStreamName', { value: this.pipeline.deliveryStream.ref });
    if (this.pipeline.stream !== undefined) new CfnOutput(this, 'StreamName', { value: this.pipeline.stream.streamName });
    new CfnOutput(this, 'PipelineName', { value: this.pipeline.pipelineName });
    if (this.pipeline.senderDestination !== undefined) {
      new CfnOutput(this, 'SenderDestinationArn', {
        description: 'CloudWatch Logs destination for sender accounts: deploy the sender stack with -c role=sender -c destinationArn=<this>',
        value: this.pipeline.senderDestination.arn,
      });
      // What a RegionalSenderDestination in another Region forwards into.
      new CfnOutput(this, 'SenderSourceArn', { value: this.pipeline.senderDestination.targetArn });
      if (this.pipeline.streamKey !== undefined) new CfnOutput(this, 'StreamKeyArn', { value: this.pipeline.streamKey.keyArn });
    }
  }
}

/** cdk-nag's AwsSolutions rules, keeping the report of their last run. */
class AwsSolutionsRun extends AwsSolutionsChecks {
  report: PolicyValidationPluginReport | undefined;

  override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    this.report = super.validate(context);
    return this.report;
  }
}

/**
 * The CDK app: one stack configured from context (the pipeline, or with `-c role=sender` a sender account's
 * subscriptions), checked by cdk-nag's AwsSolutions rules on every synth.
 */
export class MeterFirehoseApp extends App {
  private readonly awsSolutions: AwsSolutionsRun;

  constructor(props?: AppProps) {
    super(props);
    checkContextKeys(Object.keys(this.node.getAllContext()));
    const context = (key: string) => this.node.tryGetContext(key);
    if (appRole(context) === 'sender') {
      const config = loadSenderConfig(context);
      new MeterRecordSenderStack(this, config.stackName, {
        ...(config.env === undefined ? {} : { env: config.env }),
        ...(config.alarmTopicArn === undefined ? {} : { alarmTopicArn: config.alarmTopicArn }),
        sender: config.sender,
        description: 'Meter records of this account into a central meter-firehose pipeline (meter-firehose sender)',
      });
    } else {
      const config = loadAppConfig(context);
      new MeterFirehoseStack(this, config.stackName, {
        ...(config.env === undefined ? {} : { env: config.env }),
        ...(config.alarmTopicArn === undefined ? {} : { alarmTopicArn: config.alarmTopicArn }),
        pipeline: config.pipeline,
        description: 'Meter records from CloudWatch Logs to the Amberflo S3 bucket (meter-firehose)',
      });
    }
    // Any unacknowledged finding interrupts synthesis with a report.
    this.awsSolutions = new AwsSolutionsRun(this, { verbose: true });
    Validations.of(this).addPlugins(this.awsSolutions);
  }

  /** What the AwsSolutions checks of the last synth found, in one line. */
  awsSolutionsSummary(): string {
    const { report } = this.awsSolutions;
    if (report === undefined) return 'cdk-nag AwsSolutions checks did not run';
    return report.success
      ? 'cdk-nag AwsSolutions checks ran and passed: no unacknowledged findings'
      : `cdk-nag AwsSolutions checks failed: ${report.violations.length} unacknowledged findings`;
  }
}

export function createApp(props?: AppProps): MeterFirehoseApp {
  return new MeterFirehoseApp(props);
}

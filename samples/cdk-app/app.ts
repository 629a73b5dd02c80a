// A CDK app of your own with two meter pipelines in one stack: production delivers straight to Amberflo's
// bucket (Amberflo grants the pipeline's role), staging relays with the access key pair Amberflo issued.
import { App, CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { MeterIngestionPipeline } from 'cdk-meter-firehose';

class BillingStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // Your own resources: the log groups your functions write meter records to, and a topic for alarms.
    const productionLogs = new logs.LogGroup(this, 'ProductionApiLogs', {
      logGroupName: '/aws/lambda/production-api',
      retention: logs.RetentionDays.ONE_MONTH,
    });
    const stagingLogs = new logs.LogGroup(this, 'StagingApiLogs', {
      logGroupName: '/aws/lambda/staging-api',
      retention: logs.RetentionDays.ONE_MONTH,
    });
    const alarmTopic = new sns.Topic(this, 'BillingAlarms', {
      enforceSSL: true,
      masterKey: new kms.Key(this, 'BillingAlarmsKey', { enableKeyRotation: true }),
    });

    const production = new MeterIngestionPipeline(this, 'Production', {
      amberfloBucketName: 'amberflo-acme-production',
      pipelineName: 'meters-production',
      sourceLogGroupNames: ['/aws/lambda/production-api'],
      source: 'kinesis-on-demand',
      alarmTopic,
    });
    const staging = new MeterIngestionPipeline(this, 'Staging', {
      amberfloBucketName: 'amberflo-acme-staging',
      pipelineName: 'meters-staging',
      sourceLogGroupNames: ['/aws/lambda/staging-api'],
      source: 'direct',
      delivery: 'relay',
      amberfloBucketRegion: 'us-west-2',
      amberfloKeys: secretsmanager.Secret.fromSecretCompleteArn(
        this,
        'StagingAmberfloKeys',
        'arn:aws:secretsmanager:us-west-2:111122223333:secret:amberflo/staging-keys-AbCdEf',
      ),
      destinationBufferInterval: Duration.minutes(1),
      alarmTopic,
    });
    // Subscription filters need their log groups to exist first.
    production.node.addDependency(productionLogs);
    staging.node.addDependency(stagingLogs);

    // What Amberflo needs from you in direct mode: the role their bucket policy grants.
    new CfnOutput(this, 'ProductionFirehoseRoleArn', { value: production.deliveryRole.roleArn });
    new CfnOutput(this, 'StagingDeliveryStreamName', { value: staging.deliveryStream.ref });
  }
}

const app = new App();
new BillingStack(app, 'Billing');
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

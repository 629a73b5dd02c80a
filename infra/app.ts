import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadAppConfig } from './config.ts';
import { MeterFirehoseStack } from './stack.ts';

const app = new App();
const config = loadAppConfig((key) => app.node.tryGetContext(key));
new MeterFirehoseStack(app, config.stackName, {
  ...(config.env === undefined ? {} : { env: config.env }),
  ...(config.alarmTopicArn === undefined ? {} : { alarmTopicArn: config.alarmTopicArn }),
  pipeline: config.pipeline,
  description: 'Meter records from CloudWatch Logs to the Amberflo S3 bucket (meter-firehose)',
});
// Any unacknowledged finding interrupts synthesis with a report.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

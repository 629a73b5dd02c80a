/** What a consumer builds on the pipeline: its metrics (the ones its own alarms use) and read access to its objects. */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { PipelineConfigError, type MeterIngestionPipeline, type MeterIngestionPipelineProps } from '../../infra/index.ts';
import { buildPipeline } from './helpers.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:amberflo/keys-AbCdEf';

function relayPipeline(props: Partial<MeterIngestionPipelineProps> = {}): MeterIngestionPipeline {
  return buildPipeline({ delivery: 'relay', amberfloKeys: secretsmanager.Secret.fromSecretCompleteArn(new Stack(), 'Keys', SECRET_ARN), ...props });
}

/** The statements of the one policy attached to a role named `Reader`. */
function readerStatements(pipeline: MeterIngestionPipeline, grant: (reader: iam.Role) => void): any[] {
  const stack = Stack.of(pipeline);
  grant(new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() }));
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).filter((policy) =>
    JSON.stringify(policy.Properties.Roles).includes('Reader'),
  );
  expect(policies).toHaveLength(1);
  return stack.resolve(policies[0]!.Properties.PolicyDocument.Statement);
}

describe('metric methods', () => {
  it('give the metric the rejected-records alarm uses: namespace, Pipeline dimension, Sum over 5 minutes', () => {
    const pipeline = buildPipeline({});
    const metric = pipeline.metricRejectedMeterRecords();
    expect(metric).toMatchObject({ namespace: 'MeterFirehose', metricName: 'RejectedMeterRecords', statistic: 'Sum', dimensions: { Pipeline: 'p' } });
    expect(metric.period.toSeconds()).toBe(300);
    const alarm = pipeline.node.findChild('RejectedMeterRecordsAlarm') as cloudwatch.Alarm;
    const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
    expect([cfn.namespace, cfn.metricName, cfn.statistic, cfn.period]).toEqual([metric.namespace, metric.metricName, 'Sum', 300]);
    expect(Stack.of(pipeline).resolve(cfn.dimensions)).toEqual([{ name: 'Pipeline', value: 'p' }]);
  });

  it('follow the transform\'s namespace, and take the statistic and period asked for', () => {
    const pipeline = buildPipeline({ pipelineName: 'billing', transform: { metricsNamespace: 'Acme/Billing' } });
    const metric = pipeline.metricMeterRecordsOut({ statistic: 'Maximum', period: Duration.minutes(1) });
    expect(metric).toMatchObject({ namespace: 'Acme/Billing', metricName: 'MeterRecordsOut', statistic: 'Maximum', dimensions: { Pipeline: 'billing' } });
    expect(metric.period.toSeconds()).toBe(60);
    expect([pipeline.metricRecordsIn(), pipeline.metricRecordsFailed(), pipeline.metricRecordsReingested()].map((m) => m.metricName)).toEqual([
      'RecordsIn',
      'RecordsFailed',
      'RecordsReingested',
    ]);
  });
});

describe('grantReadErrors', () => {
  it('grants the error prefix of the pipeline bucket in relay mode, and nothing else of it', () => {
    const pipeline = relayPipeline();
    const statements = readerStatements(pipeline, (reader) => pipeline.grantReadErrors(reader));
    const resources = JSON.stringify(statements.flatMap((statement) => statement.Resource));
    expect(resources).toContain('/errors/*');
    expect(resources).not.toContain('/ingest/');
    expect(statements.flatMap((statement) => [statement.Action].flat())).toContain('s3:GetObject*');
  });

  it("grants the error prefix of Amberflo's bucket in direct mode", () => {
    const pipeline = buildPipeline({});
    const statements = readerStatements(pipeline, (reader) => pipeline.grantReadErrors(reader));
    expect(JSON.stringify(statements)).toContain(':s3:::amberflo-test-bucket/errors/*');
    expect(JSON.stringify(statements)).not.toContain('ingest');
  });
});

describe('grantReadSourceBackup', () => {
  it('grants both backup prefixes of the pipeline bucket', () => {
    const pipeline = buildPipeline({});
    const resources = JSON.stringify(readerStatements(pipeline, (reader) => pipeline.grantReadSourceBackup(reader)).flatMap((s) => s.Resource));
    expect(resources).toContain('/source-backup/*');
    expect(resources).toContain('/source-backup-errors/*');
  });

  it('is refused without a backup', () => {
    const pipeline = buildPipeline({ sourceBackup: false });
    expect(() => pipeline.grantReadSourceBackup(new iam.AccountRootPrincipal())).toThrow(PipelineConfigError);
    expect(() => pipeline.grantReadSourceBackup(new iam.AccountRootPrincipal())).toThrow('grantReadSourceBackup: pipeline p has sourceBackup: false, so no backup to read');
  });
});

describe("Amberflo's key pair in relay mode", () => {
  const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  it('lets the forwarder and the reconciling function decrypt with the customer-managed key the secret was given with, and with no key otherwise', () => {
    const decrypts = (pipeline: MeterIngestionPipeline) =>
      Object.values(Template.fromStack(Stack.of(pipeline)).findResources('AWS::IAM::Policy')).flatMap((policy: any) =>
        policy.Properties.PolicyDocument.Statement.filter((statement: any) => [statement.Action].flat().includes('kms:Decrypt')).map((statement: any) => statement.Resource),
      );
    const stack = new Stack();
    const keys = secretsmanager.Secret.fromSecretAttributes(stack, 'Keys', { secretCompleteArn: SECRET_ARN, encryptionKey: kms.Key.fromKeyArn(stack, 'Key', KEY_ARN) });
    expect(decrypts(buildPipeline({ delivery: 'relay', amberfloKeys: keys }))).toEqual([KEY_ARN, KEY_ARN]);
    expect(decrypts(relayPipeline())).toEqual([]);
  });
});

/**
 * Several accounts: the central pipeline's CloudWatch Logs destination (a policy admitting exactly the configured
 * senders) and the sender side's subscriptions and alarms, cdk-nag clean and cfn-lint clean.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { MeterIngestionPipeline, PipelineConfigError } from '../../infra/index.ts';
import { MeterRecordSender, type MeterRecordSenderProps } from '../../infra/sender/meter-record-sender.ts';
import { MeterRecordSenderStack } from '../../infra/sender/sender-stack.ts';
import { RegionalSenderDestination, type RegionalSenderDestinationProps } from '../../infra/sender/regional-destination.ts';
import { createApp } from '../../infra/stack.ts';
import { buildPipeline, expectNoLintErrors, FEATURE_FLAGS, onlyResource, pipelineFunction, synth } from './helpers.ts';

const SENDER_A = '111111111111';
const SENDER_B = '222222222222';
const ORG = 'o-a1b2c3d4e5';
const DESTINATION_ARN = 'arn:aws:logs:us-east-1:999999999999:destination:meter-firehose-meter-records';

/** The destination policy as CloudFormation will render it, with the pseudo parameters of account 999999999999. */
function renderedPolicy(template: Template): { Statement: Record<string, unknown>[] } {
  const { properties } = onlyResource(template, 'AWS::Logs::Destination');
  const [, parts] = properties.DestinationPolicy['Fn::Join'] as [string, unknown[]];
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '999999999999' };
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : pseudo[(part as { Ref: string }).Ref])).join(''));
}

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('the central pipeline with sender accounts', () => {
  it('creates no destination and sets no home account without senders', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::Logs::Destination', 0);
    const { properties } = pipelineFunction(template, 'Transform');
    expect(properties.Environment.Variables.HOME_ACCOUNT_ID).toBeUndefined();
  });

  it('admits exactly the configured accounts to a destination in front of the Kinesis stream', () => {
    const { template, app } = synth({ senderAccountIds: [SENDER_A, SENDER_B] });
    const { properties, logicalId } = onlyResource(template, 'AWS::Logs::Destination');
    expect(properties.TargetArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PipelineStream[0-9A-F]{8}$/), 'Arn'] });
    expect(renderedPolicy(template)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'SenderAccounts',
          Effect: 'Allow',
          Principal: { AWS: [SENDER_A, SENDER_B] },
          Action: ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'],
          Resource: `arn:aws:logs:us-east-1:999999999999:destination:${properties.DestinationName}`,
        },
      ],
    });
    // CloudWatch Logs tests the destination when it is created: the delivery stream already reads the stream.
    expect(template.toJSON().Resources[logicalId].DependsOn).toEqual([expect.stringMatching(/^PipelineDeliveryStream/)]);
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    expectNoLintErrors(template);
  });

  it('lets CloudWatch Logs assume the destination role only for the senders\' (and this account\'s) log events, to put into the stream', () => {
    const { template } = synth({ senderAccountIds: [SENDER_A] });
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp("sender accounts' subscriptions") } });
    const [role] = Object.values(roles) as { Properties: Record<string, any> }[];
    const trust = role!.Properties.AssumeRolePolicyDocument.Statement[0];
    expect(trust.Principal).toEqual({ Service: 'logs.amazonaws.com' });
    const sources = JSON.stringify(trust.Condition.StringLike['aws:SourceArn']);
    expect(sources).toContain(`:${SENDER_A}:*`);
    expect(sources).toContain('AWS::AccountId');
    expect(trust.Condition.StringLike['aws:SourceArn']).toHaveLength(2);
    const actions = role!.Properties.Policies[0].PolicyDocument.Statement.map((statement: { Action: unknown }) => statement.Action);
    expect(actions).toEqual([['kinesis:PutRecord', 'kinesis:PutRecords'], 'kms:GenerateDataKey']);
  });

  it('gives the transform the home account, so sender accounts\' records derive their own uniqueIds', () => {
    const { template } = synth({ senderAccountIds: [SENDER_A] });
    const { properties } = pipelineFunction(template, 'Transform');
    expect(properties.Environment.Variables.HOME_ACCOUNT_ID).toEqual({ Ref: 'AWS::AccountId' });
    template.hasOutput('SenderDestinationArn', {});
  });

  it('puts a direct source\'s destination in front of the Firehose stream', () => {
    const { template, app } = synth({ source: 'direct', senderAccountIds: [SENDER_A] });
    const { properties } = onlyResource(template, 'AWS::Logs::Destination');
    expect(JSON.stringify(properties.TargetArn)).toContain(':firehose:');
    const roles = Object.values(template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp("sender accounts'") } })) as { Properties: Record<string, any> }[];
    expect(roles[0]!.Properties.Policies[0].PolicyDocument.Statement.map((s: { Action: unknown }) => s.Action)).toEqual([['firehose:PutRecord', 'firehose:PutRecordBatch']]);
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    expectNoLintErrors(template);
  });

  it('admits an organization, or only some of its units, by aws:PrincipalOrgID and aws:PrincipalOrgPaths', () => {
    const paths = [`${ORG}/r-ab12/ou-ab12-11111111/`, `${ORG}/r-ab12/ou-ab12-22222222/*`];
    const { template } = synth({ senderOrganizationId: ORG, senderOrganizationPaths: paths, senderAccountIds: [SENDER_A] });
    const [accounts, organization] = renderedPolicy(template).Statement;
    expect(accounts).toMatchObject({ Principal: { AWS: [SENDER_A] } });
    expect(organization).toMatchObject({
      Principal: '*',
      Action: ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'],
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG }, 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': paths } },
    });
    const orgOnly = renderedPolicy(synth({ senderOrganizationId: ORG }).template).Statement;
    expect(orgOnly).toHaveLength(1);
    expect(orgOnly[0]?.Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': ORG } });
    expectNoLintErrors(template);
  });

  it.each([
    [{ senderAccountIds: ['1234'] }, 'senderAccountIds must hold 12-digit AWS account ids, got "1234"'],
    [{ senderAccountIds: [SENDER_A, SENDER_A] }, `senderAccountIds lists "${SENDER_A}" twice`],
    [{ senderAccountIds: Array.from({ length: 101 }, (_, i) => String(100_000_000_000 + i)) }, 'senderAccountIds may list at most 100 accounts'],
    [{ senderOrganizationId: 'org-1' }, 'senderOrganizationId must be an AWS Organizations id'],
    [{ senderOrganizationPaths: [`${ORG}/r-ab12/`] }, 'senderOrganizationPaths requires senderOrganizationId'],
    [{ senderOrganizationId: ORG, senderOrganizationPaths: ['o-zzzzzzzzzz/r-ab12/'] }, `senderOrganizationPaths must hold entity paths of organization ${ORG}`],
  ])('refuses %j', (props, message) => {
    expect(() => buildPipeline(props)).toThrow(PipelineConfigError);
    expect(() => buildPipeline(props)).toThrow(message);
  });

  it('refuses its own account as a sender', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Home', { env: { account: SENDER_A, region: 'us-east-1' } });
    expect(() => new MeterIngestionPipeline(stack, 'Pipeline', { amberfloBucketName: 'b-1', senderAccountIds: [SENDER_A] })).toThrow(
      `senderAccountIds must not include the pipeline's own account ${SENDER_A}`,
    );
  });
});

/** A sender construct alone in a stack of account 111111111111 in us-east-1. */
function sender(props: Partial<MeterRecordSenderProps>, region = 'us-east-1'): { template: Template; app: App } {
  const app = new App();
  const stack = new Stack(app, 'Sender', { env: { account: SENDER_A, region } });
  new MeterRecordSender(stack, 'Sender', { destinationArn: DESTINATION_ARN, ...props });
  return { app, template: Template.fromStack(stack) };
}

describe('MeterRecordSender', () => {
  it('subscribes each log group to the central destination with the default filter pattern, and alarms on its delivery', () => {
    const { template, app } = sender({ logGroupNames: ['/aws/lambda/orders', '/aws/lambda/billing'] });
    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 2);
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: '/aws/lambda/orders',
      DestinationArn: DESTINATION_ARN,
      FilterPattern: '"meter_record_for_stream"',
      RoleArn: Match.absent(),
    });
    template.resourceCountIs('AWS::Logs::AccountPolicy', 0);
    template.resourceCountIs('AWS::IAM::Role', 0);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as { Properties: Record<string, any> }[];
    const metricNames = alarms.map((alarm) => alarm.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions[0].Value]));
    expect(metricNames).toEqual([
      [['DeliveryErrors', '/aws/lambda/orders'], ['DeliveryErrors', '/aws/lambda/billing']],
      [['DeliveryThrottling', '/aws/lambda/orders'], ['DeliveryThrottling', '/aws/lambda/billing']],
    ]);
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });

  it('with the account policy, leaves the directly subscribed groups out of it and alarms over every log group', () => {
    const { template } = sender({ logGroupNames: ['/aws/lambda/orders'], accountSubscriptionPolicy: true, accountPolicyExcludedLogGroupNames: ['/noisy'] });
    const { properties } = onlyResource(template, 'AWS::Logs::AccountPolicy');
    expect(JSON.parse(properties.PolicyDocument)).toEqual({ DestinationArn: DESTINATION_ARN, FilterPattern: '"meter_record_for_stream"' });
    expect(properties.SelectionCriteria).toBe('LogGroupName NOT IN ["/aws/lambda/orders", "/noisy"]');
    const expressions = JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'));
    expect(expressions).toContain('SELECT SUM(DeliveryErrors) FROM \\"AWS/Logs\\"');
    expect(expressions).toContain('SELECT SUM(DeliveryThrottling) FROM \\"AWS/Logs\\"');
  });

  it('for an organization, names a role CloudWatch Logs assumes that may only put log events into the subscribed groups', () => {
    const { template, app } = sender({ logGroupNames: ['/aws/lambda/orders'], organizationSender: true });
    const { logicalId, properties } = onlyResource(template, 'AWS::IAM::Role');
    expect(properties.AssumeRolePolicyDocument.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'logs.amazonaws.com' } }]);
    expect(properties.Policies[0].PolicyDocument.Statement).toHaveLength(1);
    expect(properties.Policies[0].PolicyDocument.Statement[0].Action).toBe('logs:PutLogEvents');
    expect(JSON.stringify(properties.Policies[0].PolicyDocument.Statement[0].Resource)).toContain(':log-group:/aws/lambda/orders:*');
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', { RoleArn: { 'Fn::GetAtt': [logicalId, 'Arn'] } });
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });

  it.each([
    [{ logGroupNames: [] }, 'a sender needs logGroupNames'],
    [{ destinationArn: 'arn:aws:kinesis:us-east-1:999999999999:stream/x', logGroupNames: ['/a'] }, 'destinationArn must be a CloudWatch Logs destination ARN'],
    [{ destinationArn: DESTINATION_ARN.replace('us-east-1', 'eu-west-1'), logGroupNames: ['/a'] }, "destinationArn is in eu-west-1, but this stack deploys to us-east-1: CloudWatch Logs delivers only to a destination in the log groups' Region"],
    [{ destinationArn: DESTINATION_ARN.replace('999999999999', SENDER_A), logGroupNames: ['/a'] }, `destinationArn belongs to this account (${SENDER_A})`],
    [{ logGroupNames: ['/a', '/a'] }, 'logGroupNames lists "/a" twice'],
    [{ logGroupNames: ['/a'], accountPolicyExcludedLogGroupNames: ['/b'] }, 'accountPolicyExcludedLogGroupNames applies with accountSubscriptionPolicy: true only'],
  ])('refuses %j', (props, message) => {
    expect(() => sender(props)).toThrow(PipelineConfigError);
    expect(() => sender(props)).toThrow(message);
  });
});

describe('the sender stack (-c role=sender)', () => {
  const appWith = (context: Record<string, unknown>) => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'meter-firehose-sender-'));
    outdirs.push(outdir);
    return createApp({ context: { ...FEATURE_FLAGS, pipelineName: 'meter-firehose', ...context }, outdir });
  };

  it('synthesizes a self-contained template: the destination a parameter, no bootstrap check, cdk-nag and cfn-lint clean', () => {
    const app = appWith({ role: 'sender', destinationArn: DESTINATION_ARN, sourceLogGroupNames: '/aws/lambda/orders', accountSubscriptionPolicy: 'true', organizationSender: 'true' });
    const stack = app.node.findChild('MeterRecordSender') as MeterRecordSenderStack;
    const template = Template.fromStack(stack);
    expect(template.toJSON().Parameters).toEqual({
      DestinationArn: expect.objectContaining({ Type: 'String', Default: DESTINATION_ARN }),
    });
    expect(template.toJSON().Rules).toBeUndefined();
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', { DestinationArn: { Ref: 'DestinationArn' } });
    expect(() => app.synth()).not.toThrow();
    expect(app.awsSolutionsSummary()).toBe('cdk-nag AwsSolutions checks ran and passed: no unacknowledged findings');
    expectNoLintErrors(template);
  });

  it.each([
    [{ role: 'sender' }, 'Missing context key "destinationArn"'],
    [{ role: 'sender', destinationArn: DESTINATION_ARN, amberfloBucketName: 'b-1' }, 'Context key "amberfloBucketName" applies to role "pipeline"'],
    [{ role: 'receiver' }, 'Context key "role" must be "pipeline" (the default) or "sender", got "receiver"'],
    [{ amberfloBucketName: 'b-1', destinationArn: DESTINATION_ARN }, 'Context key "destinationArn" applies to role "sender"'],
    [{ role: 'sender', destinatonArn: DESTINATION_ARN }, 'Unknown context key "destinatonArn": did you mean "destinationArn"?'],
  ])('refuses the context %j', (context, message) => {
    expect(() => appWith(context)).toThrow(message);
  });
});

describe('RegionalSenderDestination (senders in another Region)', () => {
  const STREAM_ARN = 'arn:aws:kinesis:us-east-1:999999999999:stream/meter-firehose';
  const KEY_ARN = 'arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const regional = (props: Partial<RegionalSenderDestinationProps>) => {
    const app = new App();
    const stack = new Stack(app, 'EuDestination', { env: { account: '999999999999', region: 'eu-west-1' } });
    new RegionalSenderDestination(stack, 'Destination', { pipelineName: 'meter-firehose', sourceArn: STREAM_ARN, streamKeyArn: KEY_ARN, ...props });
    return { app, template: Template.fromStack(stack) };
  };

  it('forwards into the central stream of another Region, admitting exactly the senders', () => {
    const { app, template } = regional({ senderAccountIds: [SENDER_A] });
    const { properties } = onlyResource(template, 'AWS::Logs::Destination');
    expect(properties.TargetArn).toBe(STREAM_ARN);
    expect(properties.DestinationName).toBe('meter-firehose-meter-records');
    expect(renderedPolicy(template).Statement).toEqual([expect.objectContaining({ Principal: { AWS: [SENDER_A] } })]);
    const { properties: role } = onlyResource(template, 'AWS::IAM::Role');
    expect(role.Policies[0].PolicyDocument.Statement).toEqual([
      { Action: ['kinesis:PutRecord', 'kinesis:PutRecords'], Effect: 'Allow', Resource: STREAM_ARN },
      { Action: 'kms:GenerateDataKey', Effect: 'Allow', Resource: KEY_ARN },
    ]);
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    expectNoLintErrors(template);
  });

  it('forwards into a central Firehose stream (direct source), which needs no key', () => {
    const firehoseArn = 'arn:aws:firehose:us-east-1:999999999999:deliverystream/meter-firehose';
    const { template } = regional({ sourceArn: firehoseArn, streamKeyArn: undefined, senderOrganizationId: ORG });
    const { properties: role } = onlyResource(template, 'AWS::IAM::Role');
    expect(role.Policies[0].PolicyDocument.Statement).toEqual([{ Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'], Effect: 'Allow', Resource: firehoseArn }]);
  });

  it.each([
    [{ sourceArn: 'arn:aws:s3:::bucket', senderAccountIds: [SENDER_A] }, "sourceArn must be the central pipeline's Kinesis stream or Firehose stream ARN"],
    [{ streamKeyArn: undefined, senderAccountIds: [SENDER_A] }, 'streamKeyArn is required with a Kinesis sourceArn'],
    [{}, 'a regional destination needs senderAccountIds or senderOrganizationId'],
  ])('refuses %j', (props, message) => {
    expect(() => regional(props)).toThrow(message);
  });
});

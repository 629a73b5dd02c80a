import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { afterAll, describe, expect, it } from 'vitest';
import { checkContextKeys, loadAppConfig } from '../../infra/config.ts';
import { PipelineConfigError } from '../../infra/index.ts';
import { createApp } from '../../infra/stack.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const contextOf = (values: Record<string, unknown>) => (key: string) => values[key];
const load = (values: Record<string, unknown>) => loadAppConfig(contextOf({ amberfloBucketName: 'bucket', ...values }));

describe('loadAppConfig', () => {
  it('reads the example configuration committed in cdk.json, which names no bucket', () => {
    const { context } = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
    expect(() => loadAppConfig(contextOf(context))).toThrow('Missing context key "amberfloBucketName"');
    expect(loadAppConfig(contextOf({ ...context, amberfloBucketName: 'acme-amberflo' }))).toEqual({
      stackName: 'MeterFirehose',
      pipeline: {
        amberfloBucketName: 'acme-amberflo',
        pipelineName: 'meter-firehose',
        sourceLogGroupNames: [],
        accountSubscriptionPolicy: false,
      },
    });
  });

  it('says which key to set when the bucket name is missing', () => {
    expect(() => loadAppConfig(contextOf({}))).toThrow(PipelineConfigError);
    expect(() => loadAppConfig(contextOf({}))).toThrow(
      'Missing context key "amberfloBucketName": the name of the S3 bucket Amberflo provisioned for you. ' +
        'Set it in cdk.json under "context", or pass -c amberfloBucketName=<bucket-name>.',
    );
  });

  it('converts -c strings to the type of each setting', () => {
    const { pipeline } = load({
      processorBufferSizeMBs: '0.5',
      destinationBufferIntervalSeconds: '60',
      accountSubscriptionPolicy: 'true',
      sourceLogGroupNames: '/aws/lambda/a, /aws/lambda/b',
      accountPolicyExcludedLogGroupNames: '["/x","/y"]',
      transform: '{"unknownFields":"drop","reingestMaxAttempts":3}',
    });
    expect(pipeline).toEqual({
      amberfloBucketName: 'bucket',
      processorBufferSizeMBs: 0.5,
      destinationBufferIntervalSeconds: 60,
      accountSubscriptionPolicy: true,
      sourceLogGroupNames: ['/aws/lambda/a', '/aws/lambda/b'],
      accountPolicyExcludedLogGroupNames: ['/x', '/y'],
      transform: { unknownFields: 'drop', reingestMaxAttempts: 3 },
    });
  });

  it('keeps cdk.json values of the right type as they are', () => {
    const values = { streamShardCount: 4, accountSubscriptionPolicy: false, sourceLogGroupNames: ['/a'], transform: { prefix: 'p' } };
    expect(load(values).pipeline).toEqual({ amberfloBucketName: 'bucket', ...values });
  });

  it.each([
    [{ destinationBufferSizeMBs: 'big' }, 'Context key "destinationBufferSizeMBs" must be a number, got "big"'],
    [{ destinationBufferSizeMBs: '' }, 'Context key "destinationBufferSizeMBs" must be a number, got ""'],
    [{ accountSubscriptionPolicy: 'yes' }, 'Context key "accountSubscriptionPolicy" must be true or false, got "yes"'],
    [{ sourceLogGroupNames: [1] }, 'Context key "sourceLogGroupNames" must be a list of names'],
    [{ transform: '{not json' }, 'Context key "transform" must be a JSON object, got "{not json"'],
    [{ transform: { pipelineName: 'x' } }, 'Context key "transform" has an unknown setting "pipelineName"'],
    [{ amberfloBucketName: 42 }, 'Context key "amberfloBucketName" must be a string, got 42'],
    [{ account: '111122223333' }, 'Context keys "account" and "region" must be set together'],
  ])('rejects %j', (values, message) => {
    expect(() => load(values)).toThrow(message);
  });

  it.each([
    ['amberflobucketname', 'amberfloBucketName'],
    ['AmberfloBucketName', 'amberfloBucketName'],
    ['amberfloBucket', 'amberfloBucketName'],
    ['sourceLogGroupName', 'sourceLogGroupNames'],
    ['accountSubscriptionPolicies', 'accountSubscriptionPolicy'],
    ['stackname', 'stackName'],
    ['regions', 'region'],
    ['acount', 'account'],
    ['alarmTopicAr', 'alarmTopicArn'],
    // Two letters off a short key, three off a key of 15 letters or more; a truncation of 8 letters.
    ['acount1', 'account'],
    ['amberfloBktName', 'amberfloBucketName'],
    ['pipeline', 'pipelineName'],
  ])('rejects the unknown key %s, naming %s', (key, known) => {
    expect(() => checkContextKeys(['pipelineName', key])).toThrow(
      new PipelineConfigError(`Unknown context key "${key}": did you mean "${known}"?`),
    );
  });

  it("accepts the app's keys, CDK's keys and lookups, and keys like none of them", () => {
    const { context } = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
    expect(() =>
      checkContextKeys([
        ...Object.keys(context),
        'amberfloBucketName',
        'alarmTopicArn',
        'aws:cdk:bundling-stacks',
        'availability-zones:account=111122223333:region=eu-west-1',
        'team',
        // Not plain words, so never compared, however close.
        'stack-name',
        'stackName:prod',
        // Three letters off a short key; a word of fewer than 8 letters that begins a key.
        'accxyzt',
        'stream',
      ]),
    ).not.toThrow();
  });

  it('pins the stack to an account and Region only when both are given', () => {
    expect(load({ account: '111122223333', region: 'eu-west-1', stackName: 'Metering' })).toMatchObject({
      stackName: 'Metering',
      env: { account: '111122223333', region: 'eu-west-1' },
    });
    expect(load({}).env).toBeUndefined();
  });
});

describe('the CDK app', () => {
  const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
  const appWith = (context: Record<string, unknown>) => createApp({ context: { ...NO_BUNDLING, ...context }, outdir: outdir() });
  const outdirs: string[] = [];
  const outdir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meter-firehose-cdk-'));
    outdirs.push(dir);
    return dir;
  };
  afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('builds the stack from context alone', () => {
    const app = appWith({ amberfloBucketName: 'bucket-from-context', stackName: 'Metering', pipelineName: 'ctx' });
    const template = Template.fromStack(app.node.findChild('Metering') as Stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PIPELINE_NAME: 'ctx' }) },
    });
    expect(JSON.stringify(template.toJSON())).toContain(':s3:::bucket-from-context');
  });

  it('deploys the functions on the runtime -c lambdaRuntime names', () => {
    const app = appWith({ amberfloBucketName: 'bucket', lambdaRuntime: 'nodejs22.x' });
    Template.fromStack(app.node.findChild('MeterFirehose') as Stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x' });
  });

  it('interrupts synthesis on any unacknowledged cdk-nag finding', () => {
    const app = appWith({ amberfloBucketName: 'bucket' });
    new sns.Topic(app.node.findChild('MeterFirehose'), 'TopicWithoutTls');
    expect(() => app.synth()).toThrow(/AwsSolutions-SNS3/);
  });

  /** Runs infra/app.ts as `cdk synth` does: context in CDK_CONTEXT_JSON, the assembly written to CDK_OUTDIR. */
  const runApp = (context: Record<string, unknown>) =>
    spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['infra/app.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_OUTDIR: outdir(), CDK_CONTEXT_JSON: JSON.stringify({ ...NO_BUNDLING, ...context }) },
    });

  it('fails, naming the missing key, when run without a bucket name', () => {
    const result = runApp({});
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Missing context key "amberfloBucketName"');
  });

  it.each([
    [{}, 'Error: Missing context key "amberfloBucketName": the name of the S3 bucket Amberflo provisioned for you. Set it in cdk.json under "context", or pass -c amberfloBucketName=<bucket-name>.'],
    [{ amberfloBucketName: 'b-1', processorRetries: '500' }, 'Error: Context key "processorRetries" must be a whole number from 0 to 300, got 500'],
    [{ amberfloBucketName: 'b-1', processorRetries: 'many' }, 'Error: Context key "processorRetries" must be a number, got "many"'],
    [{ amberfloBucketName: 'b-1', lambdaRuntime: 'nodejs20.x' }, 'Error: Context key "lambdaRuntime" must be "nodejs24.x" or "nodejs22.x" (the Node.js lines AWS supports that this project tests), got "nodejs20.x"'],
    [{ amberflobucketname: 'b-1' }, 'Error: Unknown context key "amberflobucketname": did you mean "amberfloBucketName"?'],
    // Before, these printed a Node stack trace (stackName, alarmTopicArn) or synthesized with a warning only.
    [{ amberfloBucketName: 'b-1', stackName: 'bad name' }, 'Error: Context key "stackName" must be a CloudFormation stack name (a letter, then up to 127 letters, digits or "-"), got "bad name"'],
    [{ amberfloBucketName: 'b-1', alarmTopicArn: 'alarms' }, 'Error: Context key "alarmTopicArn" must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), got "alarms"'],
    [{ amberfloBucketName: 'b-1', account: '1234', region: 'eu-west-1' }, 'Error: Context key "account" must be a 12-digit AWS account id, got "1234"'],
    [{ amberfloBucketName: 'b-1', account: '111122223333', region: 'moon' }, 'Error: Context key "region" must be an AWS Region such as us-east-1, got "moon"'],
    [{ amberfloBucketName: 'b-1', sourceLogGroupNames: '/aws/lambda/a b' }, 'Error: sourceLogGroupNames must hold log group names (1-512 of letters, digits, ".", "-", "_", "/", "#"), got "/aws/lambda/a b"'],
    [{ amberfloBucketName: 'b-1', sourceLogGroupNames: 'x'.repeat(300) }, `Error: Dimension value must be at least 1 and no more than 255 characters; received ${'x'.repeat(300)}`],
  ])('prints one line and exits with 1 for the context %j, no stack trace', (context, line) => {
    const result = runApp(context);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`${line}\n`);
    expect(result.stdout).toBe('');
  });

  it('says that the AwsSolutions checks ran and passed', () => {
    const result = runApp({ amberfloBucketName: 'b-1' });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('cdk-nag AwsSolutions checks ran and passed: no unacknowledged findings\n');
  });
});

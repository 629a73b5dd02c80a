/**
 * How each kind of CDK context value is read, at the edges `-c key=value` strings reach: the values that must
 * be refused, and the ones (such as the string "false") that must not be read as something else.
 */
import { describe, expect, it } from 'vitest';
import { loadAppConfig } from '../../infra/config.ts';
import { PipelineConfigError } from '../../infra/index.ts';

const load = (values: Record<string, unknown>) =>
  loadAppConfig((key) => ({ amberfloBucketName: 'bucket', ...values })[key]);

describe('loadAppConfig reads', () => {
  it('-c accountSubscriptionPolicy=false as false, not as an account-wide subscription', () => {
    expect(load({ accountSubscriptionPolicy: 'false' }).pipeline.accountSubscriptionPolicy).toBe(false);
    expect(load({ accountSubscriptionPolicy: 'true' }).pipeline.accountSubscriptionPolicy).toBe(true);
    expect(load({ accountSubscriptionPolicy: true }).pipeline.accountSubscriptionPolicy).toBe(true);
  });

  it('the alarm topic ARN, and leaves it out when not given', () => {
    const arn = 'arn:aws:sns:eu-west-1:111122223333:alarms';
    expect(load({ alarmTopicArn: arn }).alarmTopicArn).toBe(arn);
    expect(load({})).not.toHaveProperty('alarmTopicArn');
    expect(load({})).not.toHaveProperty('env');
  });

  it('an account and Region of any partition, and an alarm topic ARN of any partition', () => {
    expect(load({ account: '111122223333', region: 'us-gov-west-1' }).env).toEqual({ account: '111122223333', region: 'us-gov-west-1' });
    const arn = 'arn:aws-us-gov:sns:us-gov-west-1:111122223333:alarms';
    expect(load({ alarmTopicArn: arn }).alarmTopicArn).toBe(arn);
  });

  it('the stack name, MeterFirehose by default', () => {
    expect(load({}).stackName).toBe('MeterFirehose');
    expect(load({ stackName: 'Billing' }).stackName).toBe('Billing');
  });

  it('numbers written with spaces or as numbers, and nothing else', () => {
    expect(load({ streamShardCount: ' 2 ' }).pipeline.streamShardCount).toBe(2);
    expect(load({ streamShardCount: 3 }).pipeline.streamShardCount).toBe(3);
  });

  it('a JSON list even with leading spaces, and a comma-separated one without empty names', () => {
    expect(load({ sourceLogGroupNames: '  ["/a,b"]' }).pipeline.sourceLogGroupNames).toEqual(['/a,b']);
    expect(load({ sourceLogGroupNames: '/a,, /b ,' }).pipeline.sourceLogGroupNames).toEqual(['/a', '/b']);
    expect(load({ sourceLogGroupNames: '' }).pipeline.sourceLogGroupNames).toEqual([]);
  });

  it('a transform settings object given as an object', () => {
    expect(load({ transform: { unknownFields: 'drop' } }).pipeline.transform).toEqual({ unknownFields: 'drop' });
  });

  it('only the keys it knows: other context keys never reach the pipeline', () => {
    expect(load({ notASetting: 'x' }).pipeline).toEqual({ amberfloBucketName: 'bucket' });
  });
});

describe('loadAppConfig refuses', () => {
  it.each([
    [{ streamShardCount: ' ' }, 'Context key "streamShardCount" must be a number, got " "'],
    [{ streamShardCount: 'Infinity' }, 'Context key "streamShardCount" must be a number, got "Infinity"'],
    [{ streamShardCount: true }, 'Context key "streamShardCount" must be a number, got true'],
    [{ accountSubscriptionPolicy: 'TRUE' }, 'Context key "accountSubscriptionPolicy" must be true or false, got "TRUE"'],
    [{ accountSubscriptionPolicy: 1 }, 'Context key "accountSubscriptionPolicy" must be true or false, got 1'],
    [{ sourceLogGroupNames: '["/a", ""]' }, 'Context key "sourceLogGroupNames" must be a list of names (a JSON array, or comma-separated), got "[\\"/a\\", \\"\\"]"'],
    [{ sourceLogGroupNames: '[not json' }, 'Context key "sourceLogGroupNames" must be a list of names'],
    [{ sourceLogGroupNames: ['/a', 2] }, 'Context key "sourceLogGroupNames" must be a list of names'],
    [{ transform: '[1]' }, 'Context key "transform" must be a JSON object, got "[1]"'],
    [{ transform: 'null' }, 'Context key "transform" must be a JSON object, got "null"'],
    [{ transform: 7 }, 'Context key "transform" must be a JSON object, got 7'],
    [{ pipelineName: ['a'] }, 'Context key "pipelineName" must be a string, got ["a"]'],
    [{ account: 111122223333, region: 'eu-west-1' }, 'Context key "account" must be a 12-digit AWS account id, got 111122223333'],
    [{ account: '111122223333', region: '' }, 'Context key "region" must be an AWS Region such as us-east-1, got ""'],
    [{ account: 'x111122223333', region: 'eu-west-1' }, 'Context key "account" must be a 12-digit AWS account id, got "x111122223333"'],
    [{ account: '1111222233334', region: 'eu-west-1' }, 'Context key "account" must be a 12-digit AWS account id, got "1111222233334"'],
    [{ account: '111122223333', region: '1eu-west-1' }, 'Context key "region" must be an AWS Region such as us-east-1, got "1eu-west-1"'],
    [{ account: '111122223333', region: 'eu-west-1a' }, 'Context key "region" must be an AWS Region such as us-east-1, got "eu-west-1a"'],
    [{ stackName: '1Billing' }, 'Context key "stackName" must be a CloudFormation stack name'],
    [{ stackName: 'Billing_1' }, 'Context key "stackName" must be a CloudFormation stack name'],
    [{ alarmTopicArn: 'xarn:aws:sns:eu-west-1:111122223333:alarms' }, 'Context key "alarmTopicArn" must be an SNS topic ARN'],
    [{ alarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:alarms!' }, 'Context key "alarmTopicArn" must be an SNS topic ARN'],
    [{ region: 'eu-west-1' }, 'Context keys "account" and "region" must be set together (or neither, for an environment-agnostic stack)'],
    [{ stackName: '' }, 'Context key "stackName" must be a CloudFormation stack name (a letter, then up to 127 letters, digits or "-"), got ""'],
    [{ alarmTopicArn: 5 }, 'Context key "alarmTopicArn" must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), got 5'],
  ])('%j', (values, message) => {
    expect(() => load(values)).toThrow(PipelineConfigError);
    expect(() => load(values)).toThrow(message);
  });

  it('an unknown transform setting, listing the known ones', () => {
    expect(() => load({ transform: { unknownFields: 'drop', prefx: 'p' } })).toThrow(
      'Context key "transform" has an unknown setting "prefx"; known: prefix, maxDecompressedBytes, responseBudgetBytes, ' +
        'splitTargetBytes, unknownFields, reingestMaxAttempts, reingestBaseDelayMs, maxReingestGenerations, deadlineMarginMs, ' +
        'maxMeterAgeDays, maxFutureSkewSeconds, metricsNamespace',
    );
  });
});

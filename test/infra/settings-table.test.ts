/**
 * The settings table (infra/settings.ts) is the one place a setting's range, choices and default are written: the
 * construct, the cdk.json context keys and the CLI's flags refuse the same values in the same words, the props'
 * TSDoc states the table's defaults, and a stack from context values equals one from the props they stand for.
 */
import * as path from 'node:path';
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { loadAppConfig } from '../../infra/config.ts';
import { MeterIngestionPipeline, type MeterIngestionPipelineProps } from '../../infra/index.ts';
import { SETTINGS, defaultDoc, type NumberSetting, type Setting, type SettingName } from '../../infra/settings.ts';
import { deliveryMode, pipelineOptionsFrom, settingNumber } from '../../tools/commands/pipeline-options.ts';
import { documentExports } from '../../tools/lib/docs/api-reference.ts';
import { BUCKET, FEATURE_FLAGS, buildPipeline, synth } from './helpers.ts';

const ENTRIES = Object.entries(SETTINGS) as [SettingName, Setting][];
const NUMBER_ENTRIES = ENTRIES.filter((pair): pair is [SettingName, NumberSetting] => ['number', 'duration', 'size'].includes(pair[1].kind));

/** A prop's value for a number in the setting's unit. */
function propOf(entry: NumberSetting, value: number): unknown {
  if (entry.kind === 'size') return Size.mebibytes(value);
  if (entry.kind === 'number') return value;
  return entry.unit === 'days' ? Duration.days(value) : entry.unit === 'hours' ? Duration.hours(value) : Duration.seconds(value);
}

/** Values each number setting must refuse: past either end, and a fraction where whole numbers are required (CDK itself refuses negative Durations and Sizes). */
function refusedValues(entry: NumberSetting): number[] {
  return [
    ...(entry.min > 0 ? [entry.kind === 'number' ? entry.min - 1 : entry.min / 2] : []),
    ...(entry.max === undefined ? [] : [entry.max + 1]),
    ...(entry.integer === false ? [] : [entry.min + 0.5]),
  ];
}

function messageOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

const fromContext = (values: Record<string, unknown>) => messageOf(() => loadAppConfig((key) => ({ amberfloBucketName: BUCKET, ...values })[key]));
const silent = { stderr: () => {} };

describe('every number setting is refused alike by the construct, the context keys and the CLI', () => {
  const cases = NUMBER_ENTRIES.flatMap(([name, entry]) => refusedValues(entry).map((value) => [name, value] as const));

  it('covers every number setting of the table', () => {
    expect(new Set(cases.map(([name]) => name))).toEqual(new Set(NUMBER_ENTRIES.map(([name]) => name)));
  });

  it.each(cases)('%s = %d', (name, value) => {
    const entry = SETTINGS[name] as NumberSetting;
    const construct = messageOf(() => buildPipeline({ [name]: propOf(entry, value) } as Partial<MeterIngestionPipelineProps>));
    expect(construct).toMatch(new RegExp(`^${name} must be .*, got ${value}$`));
    const problem = construct.slice(name.length + 1);
    expect(fromContext({ [entry.contextKey]: String(value) })).toBe(`Context key "${entry.contextKey}" ${problem}`);
    if (entry.cli !== undefined) {
      expect(messageOf(() => settingNumber({ [entry.cli!.flag]: String(value) }, name as Parameters<typeof settingNumber>[1]))).toBe(`--${entry.cli.flag} ${problem}`);
    }
  });

  it('the CLI refuses a fractional timeout, as the construct does (it took --lambda-timeout 1.5)', () => {
    expect(messageOf(() => settingNumber({ 'lambda-timeout': '1.5' }, 'transformTimeout'))).toBe('--lambda-timeout must be a whole number of seconds from 1 to 300, got 1.5');
  });
});

describe('every choice is refused alike', () => {
  it.each([
    ['delivery', () => deliveryMode({ delivery: 'sideways' })],
    ['compression', () => pipelineOptionsFrom({ compression: 'zip' }, silent)],
    ['source', () => pipelineOptionsFrom({ source: 'kafka' }, silent)],
  ] as const)('%s', (name, cli) => {
    const bad = name === 'compression' ? 'ZIP' : name === 'delivery' ? 'sideways' : 'kafka';
    const construct = messageOf(() => buildPipeline({ [name]: bad } as Partial<MeterIngestionPipelineProps>));
    const problem = construct.slice(name.length + 1);
    expect(problem).toMatch(/^must be .*, got "/);
    expect(fromContext({ [SETTINGS[name].contextKey]: bad })).toBe(`Context key "${name}" ${problem}`);
    expect(messageOf(cli)).toBe(`--${name} ${problem}`);
  });
});

describe('the props', () => {
  const props = documentExports(path.resolve(import.meta.dirname, '../..')).find((exported) => exported.name === 'MeterIngestionPipelineProps')!;

  it.each(ENTRIES)('%s: its TSDoc states the default the table gives', (name, entry) => {
    const member = props.members.find((candidate) => candidate.name === name);
    expect(member).toBeDefined();
    expect(member!.defaultValue).toBe(defaultDoc(entry));
  });
});

describe('a stack from cdk.json context equals one from the props the values stand for', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:111122223333:secret:amberflo/keys-AbCdEf';
  const TOPIC_ARN = 'arn:aws:sns:us-east-1:111122223333:alarms';
  const variants: [string, Record<string, unknown>, (stack: Stack) => Partial<MeterIngestionPipelineProps>][] = [
    ['the defaults', {}, () => ({})],
    [
      'relay from a Direct PUT source, with an alarm topic',
      { source: 'direct', delivery: 'relay', amberfloKeysSecretArn: SECRET_ARN, alarmTopicArn: TOPIC_ARN },
      (stack) => ({
        source: 'direct',
        delivery: 'relay',
        amberfloKeys: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Keys', SECRET_ARN),
        alarmTopic: sns.Topic.fromTopicArn(stack, 'Alarms', TOPIC_ARN),
      }),
    ],
    [
      'every number, size and duration set',
      {
        streamShardCount: '3',
        streamRetentionHours: '48',
        processorBufferSizeMBs: '0.5',
        processorBufferIntervalSeconds: '30',
        processorRetries: '5',
        destinationBufferIntervalSeconds: '120',
        destinationBufferSizeMBs: '16',
        logRetentionDays: '90',
        transformMemorySizeMB: '2048',
        transformTimeoutSeconds: '60',
        iteratorAgeAlarmSeconds: '600',
        dataFreshnessAlarmSeconds: '1200',
        rejectedMeterRecordsAlarmThreshold: '10',
        durationAlarmPercentOfTimeout: '90',
        pipelineBucketExpirationDays: '30',
      },
      () => ({
        streamShardCount: 3,
        streamRetention: Duration.days(2),
        processorBufferSize: Size.kibibytes(512),
        processorBufferInterval: Duration.seconds(30),
        processorRetries: 5,
        destinationBufferInterval: Duration.minutes(2),
        destinationBufferSize: Size.mebibytes(16),
        logRetention: logs.RetentionDays.THREE_MONTHS,
        transformMemorySize: Size.gibibytes(2),
        transformTimeout: Duration.minutes(1),
        iteratorAgeAlarmThreshold: Duration.minutes(10),
        dataFreshnessAlarmThreshold: Duration.minutes(20),
        rejectedMeterRecordsAlarmThreshold: 10,
        durationAlarmPercentOfTimeout: 90,
        pipelineBucketExpiration: Duration.days(30),
      }),
    ],
  ];

  it.each(variants)('%s', (_name, context, propsIn) => {
    const values: Record<string, unknown> = { amberfloBucketName: BUCKET, pipelineName: 'meter-firehose', ...context };
    const config = loadAppConfig((key) => values[key]);
    const fromContextTemplate = synth(config.pipeline, config.alarmTopicArn).template.toJSON();

    const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Test');
    new MeterIngestionPipeline(stack, 'Pipeline', { amberfloBucketName: BUCKET, pipelineName: 'meter-firehose', ...propsIn(stack) });
    const fromProps = Template.fromStack(stack).toJSON();

    expect(Object.keys(fromProps['Resources']).sort()).toEqual(Object.keys(fromContextTemplate['Resources']).sort());
    expect(fromProps['Resources']).toEqual(fromContextTemplate['Resources']);
  });
});

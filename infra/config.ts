import type { Environment } from 'aws-cdk-lib';
import { distance } from 'fastest-levenshtein';
import { ENV } from '../transform/config.ts';
import type { MeterIngestionPipelineProps, TransformSettings } from './pipeline/props.ts';
import { PipelineConfigError } from './pipeline/settings.ts';

/** Pipeline settings that can come from CDK context: every prop but the alarm topic, which is given by ARN. */
export type PipelineSettings = Omit<MeterIngestionPipelineProps, 'alarmTopic'>;

export interface AppConfig {
  readonly stackName: string;
  /** Set only when both `account` and `region` are given: the stack is environment-agnostic otherwise. */
  readonly env?: Environment;
  readonly alarmTopicArn?: string;
  readonly pipeline: PipelineSettings;
}

type Kind = 'string' | 'number' | 'boolean' | 'stringList' | 'object';

/** Every pipeline setting is a context key of the same name; the kind says how `-c key=value` strings are read. */
const PIPELINE_KEYS = {
  amberfloBucketName: 'string',
  pipelineName: 'string',
  sourceLogGroupNames: 'stringList',
  subscriptionFilterPattern: 'string',
  accountSubscriptionPolicy: 'boolean',
  accountPolicyExcludedLogGroupNames: 'stringList',
  source: 'string',
  streamShardCount: 'number',
  streamRetentionHours: 'number',
  processorBufferSizeMBs: 'number',
  processorBufferIntervalSeconds: 'number',
  processorRetries: 'number',
  dataOutputPrefix: 'string',
  errorOutputPrefix: 'string',
  destinationBufferIntervalSeconds: 'number',
  destinationBufferSizeMBs: 'number',
  compression: 'string',
  fileExtension: 'string',
  logRetentionDays: 'number',
  transformMemorySizeMB: 'number',
  transformTimeoutSeconds: 'number',
  transform: 'object',
  iteratorAgeAlarmSeconds: 'number',
  dataFreshnessAlarmSeconds: 'number',
  rejectedMeterRecordsAlarmThreshold: 'number',
  durationAlarmPercentOfTimeout: 'number',
  delivery: 'string',
  amberfloKeysSecretArn: 'string',
  amberfloBucketRegion: 'string',
  sourceBackup: 'boolean',
  pipelineBucketName: 'string',
  pipelineBucketExpirationDays: 'number',
  pipelineBucketAccessLogsBucketName: 'string',
} as const satisfies Record<keyof PipelineSettings, Kind>;

const TRANSFORM_KEYS = Object.keys(ENV).filter((key) => key !== 'pipelineName');

/** Every context key the app reads. */
const APP_KEYS: readonly string[] = [...Object.keys(PIPELINE_KEYS), 'stackName', 'account', 'region', 'alarmTopicArn'];

/**
 * Rejects a context key that looks like one of the app's but is not (`amberflobucketname`, `sourceLogGroupName`):
 * it would be ignored silently, and the setting it meant would take its default. Keys of CDK and of lookups
 * (`@aws-cdk/…`, `aws:cdk:…`, `availability-zones:…`) are not plain words and are never compared.
 */
export function checkContextKeys(keys: Iterable<string>): void {
  for (const key of keys) {
    if (APP_KEYS.includes(key) || !/^[A-Za-z][A-Za-z0-9]*$/.test(key)) continue;
    const resembled = APP_KEYS.find((known) => resembles(key.toLowerCase(), known.toLowerCase()));
    if (resembled !== undefined) {
      throw new PipelineConfigError(`Unknown context key "${key}": did you mean "${resembled}"?`);
    }
  }
}

/**
 * Reads the app's configuration from CDK context (cdk.json's "context", or `-c key=value`). Values from the command
 * line arrive as strings and are converted; lists may be JSON arrays or comma-separated. Ranges are checked by the
 * construct, whose messages use the same key names.
 */
export function loadAppConfig(context: (key: string) => unknown): AppConfig {
  const pipeline: Record<string, unknown> = {};
  for (const [key, kind] of Object.entries(PIPELINE_KEYS)) {
    const raw = context(key);
    if (raw !== undefined) pipeline[key] = convert(key, kind, raw);
  }
  if (pipeline.amberfloBucketName === undefined) {
    throw new PipelineConfigError(
      'Missing context key "amberfloBucketName": the name of the S3 bucket Amberflo provisioned for you. ' +
        'Set it in cdk.json under "context", or pass -c amberfloBucketName=<bucket-name>.',
    );
  }
  if (pipeline.transform !== undefined) checkTransformKeys(pipeline.transform as Record<string, unknown>);

  const account = optionalString('account', context('account'), /^\d{12}$/, 'a 12-digit AWS account id');
  const region = optionalString('region', context('region'), /^[a-z]{2}(-[a-z0-9]+)+-\d+$/, 'an AWS Region such as us-east-1');
  if ((account === undefined) !== (region === undefined)) {
    throw new PipelineConfigError(
      'Context keys "account" and "region" must be set together (or neither, for an environment-agnostic stack)',
    );
  }
  const alarmTopicArn = optionalString('alarmTopicArn', context('alarmTopicArn'), /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)');
  return {
    stackName: optionalString('stackName', context('stackName'), /^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'a CloudFormation stack name (a letter, then up to 127 letters, digits or "-")') ?? 'MeterFirehose',
    ...(account !== undefined && region !== undefined ? { env: { account, region } } : {}),
    ...(alarmTopicArn !== undefined ? { alarmTopicArn } : {}),
    pipeline: pipeline as unknown as PipelineSettings,
  };
}

function convert(key: string, kind: Kind, raw: unknown): unknown {
  const invalid = (expected: string): never => {
    throw new PipelineConfigError(`Context key "${key}" must be ${expected}, got ${JSON.stringify(raw)}`);
  };
  switch (kind) {
    case 'string':
      return typeof raw === 'string' ? raw : invalid('a string');
    case 'number': {
      if (typeof raw === 'number') return raw;
      const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      return Number.isFinite(value) ? value : invalid('a number');
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      return raw === 'true' ? true : raw === 'false' ? false : invalid('true or false');
    case 'stringList': {
      const list = typeof raw === 'string' ? parseList(raw) : raw;
      return Array.isArray(list) && list.every((item) => typeof item === 'string' && item !== '')
        ? list
        : invalid('a list of names (a JSON array, or comma-separated)');
    }
    case 'object': {
      const value = typeof raw === 'string' ? parseJson(raw) : raw;
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : invalid('a JSON object');
    }
  }
}

function parseList(raw: string): unknown {
  if (raw.trimStart().startsWith('[')) return parseJson(raw);
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function checkTransformKeys(transform: Record<string, unknown>): asserts transform is TransformSettings {
  for (const key of Object.keys(transform)) {
    if (!TRANSFORM_KEYS.includes(key)) {
      throw new PipelineConfigError(
        `Context key "transform" has an unknown setting "${key}"; known: ${TRANSFORM_KEYS.join(', ')}`,
      );
    }
  }
}

/** A typo (a few letters off: 2, or one in five of a long key) or a truncation of at least 8 letters. */
function resembles(key: string, known: string): boolean {
  return distance(key, known) <= Math.max(2, Math.floor(known.length / 5)) || (key.length >= 8 && known.startsWith(key));
}

function optionalString(key: string, raw: unknown, pattern: RegExp, expected: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !pattern.test(raw)) {
    throw new PipelineConfigError(`Context key "${key}" must be ${expected}, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

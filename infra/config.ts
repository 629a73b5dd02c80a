import type { Environment } from 'aws-cdk-lib';
import { distance } from 'fastest-levenshtein';
import { Duration, Size } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { MeterIngestionPipelineProps, TransformSettings } from './pipeline/props.ts';
import type { MeterRecordSenderProps } from './sender/meter-record-sender.ts';
import { PipelineConfigError, TRANSFORM_SETTINGS } from './pipeline/settings.ts';
import { SETTINGS, choiceProblem, numberProblem, type Setting, type SettingName } from './settings.ts';

type Kind = 'string' | 'number' | 'boolean' | 'stringList' | 'object';

/** How each kind of setting (infra/settings.ts) is written in context: numbers in the setting's unit, secrets by ARN. */
const CONTEXT_KIND = {
  number: 'number',
  duration: 'number',
  size: 'number',
  retention: 'number',
  choice: 'string',
  secret: 'string',
  string: 'string',
  boolean: 'boolean',
  stringList: 'stringList',
  object: 'object',
} as const satisfies Record<Setting['kind'], Kind>;

interface ContextTypes {
  string: string;
  number: number;
  boolean: boolean;
  stringList: string[];
  object: TransformSettings;
}

type ContextKeyOf<K extends SettingName> = (typeof SETTINGS)[K]['contextKey'];
type ContextValueOf<K extends SettingName> = (typeof SETTINGS)[K] extends { readonly choices: readonly (infer C)[] }
  ? C
  : ContextTypes[(typeof CONTEXT_KIND)[(typeof SETTINGS)[K]['kind']]];

/**
 * Pipeline settings as CDK context holds them (cdk.json's "context", `-c key=value`): by context key, numbers in
 * the unit the key names, the key secret by ARN. `pipelineProps` turns them into the construct's props.
 */
export type PipelineSettings = { readonly [K in SettingName as ContextKeyOf<K>]?: ContextValueOf<K> } & { readonly amberfloBucketName: string };

export interface AppConfig {
  readonly stackName: string;
  /** Set only when both `account` and `region` are given: the stack is environment-agnostic otherwise. */
  readonly env?: Environment;
  readonly alarmTopicArn?: string;
  readonly pipeline: PipelineSettings;
}

const SETTING_ENTRIES = Object.entries(SETTINGS) as [SettingName, Setting][];

/** Every pipeline setting's context key, with the kind that says how `-c key=value` strings are read. */
const PIPELINE_KEYS: Readonly<Record<string, Kind>> = Object.fromEntries(
  SETTING_ENTRIES.map(([, entry]) => [entry.contextKey, CONTEXT_KIND[entry.kind]]),
);

// PIPELINE_NAME and HOME_ACCOUNT_ID are set by the construct.

/** What the app deploys: the pipeline (`-c role=pipeline`, the default), or a sender account's subscriptions. */
export type AppRole = 'pipeline' | 'sender';

/**
 * The context keys of `-c role=sender`, by the MeterRecordSender prop they set: the subscription keys keep the
 * pipeline's names, so a sender reads like the pipeline it feeds.
 */
const SENDER_KEYS = {
  destinationArn: ['destinationArn', 'string'],
  sourceLogGroupNames: ['logGroupNames', 'stringList'],
  accountSubscriptionPolicy: ['accountSubscriptionPolicy', 'boolean'],
  accountPolicyExcludedLogGroupNames: ['accountPolicyExcludedLogGroupNames', 'stringList'],
  subscriptionFilterPattern: ['filterPattern', 'string'],
  organizationSender: ['organizationSender', 'boolean'],
  subscriptionName: ['subscriptionName', 'string'],
} as const satisfies Record<string, readonly [keyof SenderSettings, Kind]>;

/** Keys either role reads; `pipelineName` is cdk.json's and means nothing to a sender. */
const COMMON_KEYS = ['role', 'stackName', 'account', 'region', 'alarmTopicArn', 'pipelineName'];

/** Every context key the app reads. */
const APP_KEYS: readonly string[] = [...new Set([...Object.keys(PIPELINE_KEYS), ...Object.keys(SENDER_KEYS), ...COMMON_KEYS])];

export type SenderSettings = Omit<MeterRecordSenderProps, 'alarmTopic'>;

export interface SenderAppConfig {
  readonly stackName: string;
  readonly env?: Environment;
  readonly alarmTopicArn?: string;
  readonly sender: SenderSettings;
}

/** The role the context asks for (`role`), checked. */
export function appRole(context: (key: string) => unknown): AppRole {
  const role = context('role') ?? 'pipeline';
  if (role !== 'pipeline' && role !== 'sender') {
    throw new PipelineConfigError(`Context key "role" must be "pipeline" (the default) or "sender", got ${JSON.stringify(role)}`);
  }
  return role;
}

/**
 * Reads a sender stack's configuration (`-c role=sender`): the destination ARN and what to subscribe. A key only the
 * pipeline reads is an error, not silently ignored: it means the command was meant for the other role.
 */
export function loadSenderConfig(context: (key: string) => unknown): SenderAppConfig {
  const pipelineOnly = Object.keys(PIPELINE_KEYS).find((key) => !(key in SENDER_KEYS) && !COMMON_KEYS.includes(key) && context(key) !== undefined);
  if (pipelineOnly !== undefined) {
    throw new PipelineConfigError(
      `Context key "${pipelineOnly}" applies to role "pipeline"; role "sender" reads ${[...Object.keys(SENDER_KEYS), 'stackName', 'account', 'region', 'alarmTopicArn'].join(', ')}`,
    );
  }
  const sender: Record<string, unknown> = {};
  for (const [key, [prop, kind]] of Object.entries(SENDER_KEYS)) {
    const raw = context(key);
    if (raw !== undefined) sender[prop] = convert(key, kind, raw);
  }
  if (sender.destinationArn === undefined) {
    throw new PipelineConfigError(
      'Missing context key "destinationArn": the central pipeline stack\'s SenderDestinationArn output. ' +
        'Pass -c destinationArn=arn:aws:logs:<region>:<account>:destination:<name>.',
    );
  }
  const common = commonConfig(context, 'MeterRecordSender');
  return { ...common, sender: sender as unknown as SenderSettings };
}

/** The stack name, environment and alarm topic, read alike for both roles. */
function commonConfig(context: (key: string) => unknown, defaultStackName: string): Omit<AppConfig, 'pipeline'> {
  const account = optionalString('account', context('account'), /^\d{12}$/, 'a 12-digit AWS account id');
  const region = optionalString('region', context('region'), /^[a-z]{2}(-[a-z0-9]+)+-\d+$/, 'an AWS Region such as us-east-1');
  if ((account === undefined) !== (region === undefined)) {
    throw new PipelineConfigError(
      'Context keys "account" and "region" must be set together (or neither, for an environment-agnostic stack)',
    );
  }
  const alarmTopicArn = optionalString('alarmTopicArn', context('alarmTopicArn'), /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)');
  return {
    stackName: optionalString('stackName', context('stackName'), /^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'a CloudFormation stack name (a letter, then up to 127 letters, digits or "-")') ?? defaultStackName,
    ...(account !== undefined && region !== undefined ? { env: { account, region } } : {}),
    ...(alarmTopicArn !== undefined ? { alarmTopicArn } : {}),
  };
}

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
 * line arrive as strings and are converted; lists may be JSON arrays or comma-separated. Ranges and choices of the
 * settings table are checked here, naming the context key; the rest (names, prefixes, how settings combine) by the
 * construct.
 */
export function loadAppConfig(context: (key: string) => unknown): AppConfig {
  const pipeline: Record<string, unknown> = {};
  for (const [, entry] of SETTING_ENTRIES) {
    const raw = context(entry.contextKey);
    if (raw !== undefined) pipeline[entry.contextKey] = checkSetting(entry, convert(entry.contextKey, CONTEXT_KIND[entry.kind], raw));
  }
  if (pipeline.amberfloBucketName === undefined) {
    throw new PipelineConfigError(
      'Missing context key "amberfloBucketName": the name of the S3 bucket Amberflo provisioned for you. ' +
        'Set it in cdk.json under "context", or pass -c amberfloBucketName=<bucket-name>.',
    );
  }
  if (pipeline.transform !== undefined) checkTransformKeys(pipeline.transform as Record<string, unknown>);
  for (const key of ['organizationSender', 'destinationArn', 'subscriptionName']) {
    if (context(key) !== undefined) {
      throw new PipelineConfigError(`Context key "${key}" applies to role "sender" (-c role=sender), not to the pipeline`);
    }
  }
  return { ...commonConfig(context, 'MeterFirehose'), pipeline: pipeline as unknown as PipelineSettings };
}

/** The range, choices or format the settings table gives, checked where the value is still in its context key's unit. */
function checkSetting(entry: Setting, value: unknown): unknown {
  const problem = ((): string | undefined => {
    switch (entry.kind) {
      case 'number':
      case 'duration':
      case 'size':
        return numberProblem(entry, value as number);
      case 'choice':
        return choiceProblem(entry, value);
      case 'retention': {
        const days = Object.values(logs.RetentionDays).filter((choice) => typeof choice === 'number');
        return days.includes(value as number) ? undefined : `must be one of ${days.join(', ')}, got ${value}`;
      }
      case 'secret':
        return SECRET_ARN.test(value as string)
          ? undefined
          : 'must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)';
      default:
        return undefined;
    }
  })();
  if (problem !== undefined) throw new PipelineConfigError(`Context key "${entry.contextKey}" ${problem}`);
  return value;
}

/** Only an ARN is accepted, so no key material can be put where the ARN goes. */
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/**
 * The construct's props for settings read from context: numbers become the Duration or Size their unit says, the
 * key secret is imported by ARN (as `AmberfloKeys` in `scope`, which adds no resource).
 */
export function pipelineProps(scope: Construct, settings: PipelineSettings): MeterIngestionPipelineProps {
  const props: Record<string, unknown> = {};
  const values = settings as Readonly<Record<string, unknown>>;
  for (const [name, entry] of SETTING_ENTRIES) {
    const value = values[entry.contextKey];
    // Checked again: a stack may be given settings that did not come through loadAppConfig.
    if (value !== undefined) props[name] = propValue(scope, entry, checkSetting(entry, value));
  }
  return props as unknown as MeterIngestionPipelineProps;
}

/**
 * The construct names props; a setting from cdk.json is known by its context key. Rewrites a construct's error in
 * the context keys' names (`amberfloKeys is required…` → `amberfloKeysSecretArn is required…`).
 */
export function inContextTerms(error: PipelineConfigError): PipelineConfigError {
  let message = error.message;
  for (const [name, entry] of SETTING_ENTRIES) {
    if (entry.contextKey !== name) message = message.replace(new RegExp(`\\b${name}\\b`, 'g'), entry.contextKey);
  }
  return message === error.message ? error : new PipelineConfigError(message);
}

function propValue(scope: Construct, entry: Setting, value: unknown): unknown {
  switch (entry.kind) {
    case 'duration':
      return entry.unit === 'days' ? Duration.days(value as number) : entry.unit === 'hours' ? Duration.hours(value as number) : Duration.seconds(value as number);
    case 'size':
      return Size.mebibytes(value as number);
    case 'retention':
      return value as logs.RetentionDays;
    case 'secret': {
      const arn = value as string;
      // A complete ARN ends in the 6 characters Secrets Manager appends to the name; a partial one names the secret only.
      const attributes = /-[A-Za-z0-9]{6}$/.test(arn) ? { secretCompleteArn: arn } : { secretPartialArn: arn };
      return secretsmanager.Secret.fromSecretAttributes(scope, 'AmberfloKeys', attributes);
    }
    default:
      return value;
  }
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
    if (!TRANSFORM_SETTINGS.includes(key)) {
      throw new PipelineConfigError(
        `Context key "transform" has an unknown setting "${key}"; known: ${TRANSFORM_SETTINGS.join(', ')}`,
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

/**
 * Every setting of the pipeline, once: its prop, the kind of value it takes, default, range and unit, its CDK
 * context key and the CLI flag of the local pipeline where it has one. The construct's validation
 * (pipeline/settings.ts), the cdk.json context adapter (config.ts), the CLI's options (tools/commands/
 * pipeline-options.ts) and the API reference (infra/API.md) read this table; the props' types are checked
 * against it at compile time (pipeline/props.ts), their TSDoc `@default` by a test. No CDK imports at run time:
 * the CLI bundles this.
 */
import type { Duration, Size } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { TransformSettings } from './pipeline/props.ts';
import { PIPELINE_DEFAULTS } from './defaults.ts';
import { DEFAULT_LAMBDA_RUNTIME, LAMBDA_RUNTIMES } from './lambda-runtime.ts';
import { DEFAULT_PIPELINE_SOURCE, PIPELINE_SOURCES } from './pipeline-source.ts';

/** A flag of the CLI's local pipeline (`run`, `replay --local`) that sets the same thing, in the setting's unit. */
export interface CliFlag {
  readonly flag: string;
  /** The placeholder of `--help`, e.g. `SECONDS`. */
  readonly value: string;
  /** What the flag sets, in Firehose's or Lambda's words; the range and default are appended from the table. */
  readonly summary: string;
}

interface SettingBase {
  /** The cdk.json / `-c` key; values there are in `unit`. */
  readonly contextKey: string;
  readonly cli?: CliFlag;
}

/** A number; `duration` and `size` props take CDK's Duration and Size, read in `unit` for ranges and context. */
export interface NumberSetting extends SettingBase {
  readonly kind: 'number' | 'duration' | 'size';
  /** The unit of the range, of the default and of the context value; none for a plain count. */
  readonly unit?: 'seconds' | 'hours' | 'days' | 'MiB';
  readonly min: number;
  readonly max?: number;
  /** Whole numbers (of `unit`) only, unless false. */
  readonly integer?: false;
  /** Absent where the default is not a constant (`defaultText` says what it is). */
  readonly default?: number;
  readonly defaultText?: string;
}

/** One of a few strings. */
export interface ChoiceSetting extends SettingBase {
  readonly kind: 'choice';
  readonly choices: readonly string[];
  readonly default?: string;
  readonly defaultText?: string;
  /** Why only these, said in the error. */
  readonly why?: string;
}

/** A value whose checks are its own (names, prefixes, lists), or a CDK object given by ARN in context. */
export interface OtherSetting extends SettingBase {
  readonly kind: 'string' | 'boolean' | 'stringList' | 'object' | 'retention' | 'secret';
  readonly default?: string | number | boolean;
  readonly defaultText?: string;
}

export type Setting = NumberSetting | ChoiceSetting | OtherSetting;

/**
 * The settings, by prop. To add one, add its entry here and its prop (with TSDoc) to MeterIngestionPipelineProps;
 * the compiler then requires the two to agree, and the context key, the construct's checks, the CLI flag (if any)
 * and API.md follow from the entry.
 */
export const SETTINGS = {
  amberfloBucketName: { kind: 'string', contextKey: 'amberfloBucketName' },
  pipelineName: { kind: 'string', contextKey: 'pipelineName', defaultText: 'derived from the construct path' },
  sourceLogGroupNames: { kind: 'stringList', contextKey: 'sourceLogGroupNames', defaultText: 'none' },
  subscriptionFilterPattern: {
    kind: 'string',
    contextKey: 'subscriptionFilterPattern',
    defaultText: 'the quoted meter record prefix, e.g. `"meter_record_for_stream"`',
  },
  accountSubscriptionPolicy: { kind: 'boolean', contextKey: 'accountSubscriptionPolicy', default: false },
  accountPolicyExcludedLogGroupNames: { kind: 'stringList', contextKey: 'accountPolicyExcludedLogGroupNames', defaultText: 'none' },
  source: {
    kind: 'choice',
    contextKey: 'source',
    choices: PIPELINE_SOURCES,
    defaultText: `\`kinesis-provisioned\` when \`streamShardCount\` is set, \`${DEFAULT_PIPELINE_SOURCE}\` otherwise`,
    cli: { flag: 'source', value: 'S', summary: 'What Firehose reads (both Kinesis modes run the same locally; direct puts into Firehose itself)' },
  },
  streamShardCount: { kind: 'number', contextKey: 'streamShardCount', min: 1, defaultText: 'none' },
  streamRetention: { kind: 'duration', contextKey: 'streamRetentionHours', unit: 'hours', min: 24, max: 8760, default: 24 },
  processorBufferSize: {
    kind: 'size',
    contextKey: 'processorBufferSizeMBs',
    unit: 'MiB',
    min: 0.2,
    max: 3,
    integer: false,
    default: PIPELINE_DEFAULTS.processorBufferSizeMBs,
    cli: { flag: 'processor-buffer-mb', value: 'MB', summary: 'Processor BufferSizeInMBs' },
  },
  processorBufferInterval: {
    kind: 'duration',
    contextKey: 'processorBufferIntervalSeconds',
    unit: 'seconds',
    min: 0,
    max: 900,
    default: PIPELINE_DEFAULTS.processorBufferIntervalSeconds,
    cli: { flag: 'processor-interval', value: 'SECONDS', summary: 'Processor BufferIntervalInSeconds' },
  },
  processorRetries: {
    kind: 'number',
    contextKey: 'processorRetries',
    min: 0,
    max: 300,
    default: PIPELINE_DEFAULTS.processorRetries,
    cli: { flag: 'retries', value: 'N', summary: 'Retries of a failed Lambda invocation' },
  },
  dataOutputPrefix: {
    kind: 'string',
    contextKey: 'dataOutputPrefix',
    default: PIPELINE_DEFAULTS.dataOutputPrefix,
    cli: { flag: 'data-prefix', value: 'PREFIX', summary: 'Data output prefix' },
  },
  errorOutputPrefix: {
    kind: 'string',
    contextKey: 'errorOutputPrefix',
    default: PIPELINE_DEFAULTS.errorOutputPrefix,
    cli: { flag: 'error-prefix', value: 'PREFIX', summary: 'Error output prefix' },
  },
  destinationBufferInterval: {
    kind: 'duration',
    contextKey: 'destinationBufferIntervalSeconds',
    unit: 'seconds',
    min: 0,
    max: 900,
    default: PIPELINE_DEFAULTS.destinationBufferIntervalSeconds,
    cli: { flag: 'buffer-interval', value: 'SECONDS', summary: 'Destination IntervalInSeconds' },
  },
  destinationBufferSize: {
    kind: 'size',
    contextKey: 'destinationBufferSizeMBs',
    unit: 'MiB',
    min: 1,
    max: 128,
    default: PIPELINE_DEFAULTS.destinationBufferSizeMBs,
    cli: { flag: 'buffer-mb', value: 'MB', summary: 'Destination SizeInMBs' },
  },
  compression: {
    kind: 'choice',
    contextKey: 'compression',
    choices: ['GZIP', 'UNCOMPRESSED'],
    default: PIPELINE_DEFAULTS.compression,
    why: 'Amberflo reads JSON and gunzips ".gz" objects only',
    cli: { flag: 'compression', value: 'FORMAT', summary: 'Compression of data objects' },
  },
  fileExtension: {
    kind: 'string',
    contextKey: 'fileExtension',
    defaultText: "'.gz' with GZIP compression, none otherwise",
    cli: { flag: 'file-extension', value: 'EXT', summary: 'Data object extension' },
  },
  logRetention: { kind: 'retention', contextKey: 'logRetentionDays', default: 30 },
  transformMemorySize: {
    kind: 'size',
    contextKey: 'transformMemorySizeMB',
    unit: 'MiB',
    min: 128,
    max: 10_240,
    default: PIPELINE_DEFAULTS.transformMemorySizeMB,
    cli: { flag: 'lambda-memory', value: 'MB', summary: 'Memory reported to the function' },
  },
  transformTimeout: {
    kind: 'duration',
    contextKey: 'transformTimeoutSeconds',
    unit: 'seconds',
    min: 1,
    max: 300,
    default: PIPELINE_DEFAULTS.transformTimeoutSeconds,
    cli: { flag: 'lambda-timeout', value: 'SECONDS', summary: 'Function timeout (Firehose waits at most 5 minutes)' },
  },
  lambdaRuntime: {
    kind: 'choice',
    contextKey: 'lambdaRuntime',
    choices: LAMBDA_RUNTIMES,
    default: DEFAULT_LAMBDA_RUNTIME,
    why: 'the Node.js lines AWS supports that this project tests',
  },
  transform: { kind: 'object', contextKey: 'transform', defaultText: "the transform's defaults (transform/config.ts)" },
  iteratorAgeAlarmThreshold: { kind: 'duration', contextKey: 'iteratorAgeAlarmSeconds', unit: 'seconds', min: 1, default: 900 },
  dataFreshnessAlarmThreshold: {
    kind: 'duration',
    contextKey: 'dataFreshnessAlarmSeconds',
    unit: 'seconds',
    min: 1,
    defaultText: 'processor buffer interval + destination buffer interval + 5 minutes',
  },
  rejectedMeterRecordsAlarmThreshold: { kind: 'number', contextKey: 'rejectedMeterRecordsAlarmThreshold', min: 0, default: 0 },
  durationAlarmPercentOfTimeout: { kind: 'number', contextKey: 'durationAlarmPercentOfTimeout', min: 1, max: 100, default: 80 },
  delivery: {
    kind: 'choice',
    contextKey: 'delivery',
    choices: ['direct', 'relay'],
    default: 'direct',
    cli: { flag: 'delivery', value: 'MODE', summary: "direct (Firehose writes Amberflo's bucket) or relay (the pipeline bucket, forwarded)" },
  },
  amberfloKeys: { kind: 'secret', contextKey: 'amberfloKeysSecretArn', defaultText: 'none; direct mode needs no key pair' },
  amberfloBucketRegion: { kind: 'string', contextKey: 'amberfloBucketRegion', defaultText: "the stack's Region" },
  sourceBackup: { kind: 'boolean', contextKey: 'sourceBackup', default: true },
  continuousReconcile: {
    kind: 'boolean',
    contextKey: 'continuousReconcile',
    defaultText: 'true when `sourceBackup` is on (the backup is what it reconciles against); off without it',
  },
  reconcileWindow: { kind: 'duration', contextKey: 'reconcileWindowSeconds', unit: 'seconds', min: 300, max: 86_400, default: 3_600 },
  reconcileAlarmOnRefused: { kind: 'boolean', contextKey: 'reconcileAlarmOnRefused', default: true },
  reconcileForwardedCount: { kind: 'boolean', contextKey: 'reconcileForwardedCount', default: true },
  pipelineBucketName: {
    kind: 'string',
    contextKey: 'pipelineBucketName',
    defaultText: 'a bucket is created (needed for relay mode or source backup)',
  },
  pipelineBucketExpiration: {
    kind: 'duration',
    contextKey: 'pipelineBucketExpirationDays',
    unit: 'days',
    min: 15,
    default: PIPELINE_DEFAULTS.pipelineBucketExpirationDays,
  },
  pipelineBucketAccessLogsBucketName: {
    kind: 'string',
    contextKey: 'pipelineBucketAccessLogsBucketName',
    defaultText: 'no server access logs: object-level auditing is left to CloudTrail data events',
  },
  senderAccountIds: { kind: 'stringList', contextKey: 'senderAccountIds', defaultText: 'no sender accounts: no destination' },
  senderOrganizationId: { kind: 'string', contextKey: 'senderOrganizationId', defaultText: 'no organization' },
  senderOrganizationPaths: {
    kind: 'stringList',
    contextKey: 'senderOrganizationPaths',
    defaultText: 'the whole organization, when `senderOrganizationId` is set',
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

/** The TypeScript type of each kind of prop: what MeterIngestionPipelineProps must declare for the setting. */
interface PropTypes {
  number: number;
  duration: Duration;
  size: Size;
  retention: logs.RetentionDays;
  string: string;
  boolean: boolean;
  stringList: string[];
  secret: secretsmanager.ISecret;
  object: TransformSettings;
}

/** The prop type a setting's entry calls for (choices as their union). */
export type SettingPropType<K extends SettingName> = (typeof SETTINGS)[K] extends { readonly choices: readonly (infer C)[] }
  ? C
  : PropTypes[Exclude<(typeof SETTINGS)[K]['kind'], 'choice'>];

/** The choices of an enum-valued setting, as a type: `SettingChoice<'delivery'>` is `'direct' | 'relay'`. */
export type SettingChoice<K extends SettingName> = (typeof SETTINGS)[K] extends { readonly choices: readonly (infer C)[] } ? C : never;

/** `from 0 to 900`, or `of at least 1`. */
export function rangeText(entry: NumberSetting): string {
  return entry.max === undefined ? `of at least ${entry.min}` : `from ${entry.min} to ${entry.max}`;
}

/** What a number must be, in the words the construct, the context adapter and the CLI all use. */
export function numberExpectation(entry: NumberSetting): string {
  const what = entry.integer === false ? 'a number' : 'a whole number';
  return `${what}${entry.unit === undefined ? '' : ` of ${entry.unit}`} ${rangeText(entry)}`;
}

/** Why `value` (in the setting's unit) is refused — `must be …, got …` — or undefined when it is fine. */
export function numberProblem(entry: NumberSetting, value: number): string | undefined {
  const valid = typeof value === 'number' && (entry.integer === false ? Number.isFinite(value) : Number.isInteger(value));
  if (valid && value >= entry.min && value <= (entry.max ?? Infinity)) return undefined;
  return `must be ${numberExpectation(entry)}, got ${value}`;
}

/** `"a" or "b"`, or `one of "a", "b", "c"`. */
export function choicesText(choices: readonly string[]): string {
  const quoted = choices.map((choice) => `"${choice}"`);
  return quoted.length === 2 ? `${quoted[0]} or ${quoted[1]}` : `one of ${quoted.join(', ')}`;
}

export function choiceProblem(entry: ChoiceSetting, value: unknown): string | undefined {
  if (typeof value === 'string' && entry.choices.includes(value)) return undefined;
  return `must be ${choicesText(entry.choices)}${entry.why === undefined ? '' : ` (${entry.why})`}, got "${String(value)}"`;
}

/** The `@default` of a prop as its TSDoc must state it (checked by test/infra/settings-table.test.ts). */
export function defaultDoc(entry: Setting): string | undefined {
  if (entry.defaultText !== undefined) return `- ${entry.defaultText}`;
  if (entry.default === undefined) return undefined;
  switch (entry.kind) {
    case 'duration':
      return `Duration.${entry.unit}(${entry.default})`;
    case 'size':
      return `Size.mebibytes(${entry.default})`;
    case 'retention':
      return `RetentionDays of ${entry.default} days`;
    case 'string':
    case 'choice':
      return `'${entry.default}'`;
    default:
      return String(entry.default);
  }
}

/** The unit and range a setting's context key (and CLI flag) takes, for API.md and `--help`. */
export function contextValueText(entry: Setting): string {
  switch (entry.kind) {
    case 'number':
    case 'duration':
    case 'size':
      return numberExpectation(entry);
    case 'choice':
      return choicesText(entry.choices);
    case 'retention':
      return 'a number of days CloudWatch Logs retains for (RetentionDays)';
    case 'secret':
      return 'the ARN of the secret';
    case 'stringList':
      return 'a JSON array, or comma-separated names';
    case 'object':
      return 'a JSON object';
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a string';
  }
}

/** Firehose's rule for an S3 destination's FileExtension, for the construct and the CLI alike. */
export function fileExtensionProblem(extension: string): string | undefined {
  if (/^\.[0-9a-z!\-_.*'()]{1,127}$/.test(extension)) return undefined;
  return `must start with "." followed by up to 127 of 0-9 a-z ! - _ . * ' ( ), got "${extension}"`;
}

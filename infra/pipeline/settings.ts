import { Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { ConfigError, ENV, loadConfig, type TransformConfig } from '../../transform/config.ts';
import { PIPELINE_DEFAULTS } from '../defaults.ts';
import { DEFAULT_LAMBDA_RUNTIME, isLambdaRuntime, LAMBDA_RUNTIMES } from '../lambda-runtime.ts';
import { DEFAULT_PIPELINE_SOURCE, PIPELINE_SOURCES, type PipelineSourceKind, isPipelineSource } from '../pipeline-source.ts';
import type { MeterIngestionPipelineProps } from './props.ts';
import { prefixProblem } from './s3-prefixes.ts';
import { resolveSenders, type SenderPrincipals } from './sender-destination.ts';

/** The settings `transform` takes: every one of the transform's but those the construct sets itself. */
export const TRANSFORM_SETTINGS: readonly string[] = Object.keys(ENV).filter((key) => key !== 'pipelineName' && key !== 'homeAccountId');

/** A pipeline setting out of range; the message names the setting (prop and CDK context key alike). */
export class PipelineConfigError extends Error {
  override readonly name = 'PipelineConfigError';
}

/** Log group names an account policy's `NOT IN` selection criteria can hold. */
const MAX_POLICY_EXCLUSIONS = 50;

/** One of CloudWatch Logs' retention values, checked as a choice rather than a range. */
const DEFAULT_LOG_RETENTION_DAYS = 30;

type NumericProp = {
  [K in keyof MeterIngestionPipelineProps]-?: MeterIngestionPipelineProps[K] extends number | undefined ? K : never;
}[keyof MeterIngestionPipelineProps];

interface NumberSetting {
  /** Absent where the default is not a number: on-demand shards, a freshness threshold derived from the buffers. */
  readonly default?: number;
  readonly min: number;
  readonly max?: number;
  /** Whole numbers only, unless false. */
  readonly integer?: false;
}

/** Default and range of every numeric setting (the defaults the CLI shares come from defaults.ts). */
const NUMBER_SETTINGS: Record<Exclude<NumericProp, 'logRetentionDays'>, NumberSetting> = {
  streamShardCount: { min: 1 },
  streamRetentionHours: { default: 24, min: 24, max: 8760 },
  processorBufferSizeMBs: { default: PIPELINE_DEFAULTS.processorBufferSizeMBs, min: 0.2, max: 3, integer: false },
  processorBufferIntervalSeconds: { default: PIPELINE_DEFAULTS.processorBufferIntervalSeconds, min: 0, max: 900 },
  processorRetries: { default: PIPELINE_DEFAULTS.processorRetries, min: 0, max: 300 },
  destinationBufferIntervalSeconds: { default: PIPELINE_DEFAULTS.destinationBufferIntervalSeconds, min: 0, max: 900 },
  destinationBufferSizeMBs: { default: PIPELINE_DEFAULTS.destinationBufferSizeMBs, min: 1, max: 128 },
  transformMemorySizeMB: { default: PIPELINE_DEFAULTS.transformMemorySizeMB, min: 128, max: 10_240 },
  transformTimeoutSeconds: { default: PIPELINE_DEFAULTS.transformTimeoutSeconds, min: 1, max: 300 },
  iteratorAgeAlarmSeconds: { default: 900, min: 1 },
  dataFreshnessAlarmSeconds: { min: 1 },
  rejectedMeterRecordsAlarmThreshold: { default: 0, min: 0 },
  durationAlarmPercentOfTimeout: { default: 80, min: 1, max: 100 },
  pipelineBucketExpirationDays: { default: PIPELINE_DEFAULTS.pipelineBucketExpirationDays, min: 15 },
};

/** Every setting with its default applied, checked, plus the names derived from them. */
export type ResolvedSettings = Required<
  Omit<
    MeterIngestionPipelineProps,
    | 'streamShardCount'
    | 'fileExtension'
    | 'alarmTopic'
    | 'transform'
    | 'amberfloKeysSecretArn'
    | 'amberfloBucketRegion'
    | 'pipelineBucketName'
    | 'pipelineBucketAccessLogsBucketName'
    | 'senderAccountIds'
    | 'senderOrganizationId'
    | 'senderOrganizationPaths'
  >
> & {
  /** Other accounts that send meter records through a CloudWatch Logs destination; undefined for none. */
  readonly senders: SenderPrincipals | undefined;
  readonly amberfloKeysSecretArn: string | undefined;
  readonly amberfloBucketRegion: string | undefined;
  readonly pipelineBucketName: string | undefined;
  readonly pipelineBucketAccessLogsBucketName: string | undefined;
  /** Whether the pipeline needs a bucket of its own: relay mode or source backup. */
  readonly usesPipelineBucket: boolean;
  readonly streamShardCount: number | undefined;
  readonly fileExtension: string | undefined;
  readonly alarmTopic: sns.ITopic | undefined;
  readonly transformConfig: TransformConfig;
  readonly transformLogGroupName: string;
  readonly deliveryLogGroupName: string;
  readonly forwarderLogGroupName: string;
  /** Every log group the account policy leaves out: the pipeline's own, those subscribed directly, the excluded. */
  readonly accountPolicyExclusions: string[];
};

/** Applies defaults and validates every setting; errors name the prop (which is also the CDK context key). */
export function resolveSettings(props: MeterIngestionPipelineProps, defaultPipelineName: string): ResolvedSettings {
  const numberProp = (key: keyof typeof NUMBER_SETTINGS, fallback = NUMBER_SETTINGS[key].default ?? NaN) => {
    const { min, max = Infinity, integer = true } = NUMBER_SETTINGS[key];
    return checkNumber(key, props[key] ?? fallback, min, max, integer);
  };

  const { amberfloBucketName } = props;
  if (!Token.isUnresolved(amberfloBucketName) && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(amberfloBucketName ?? '')) {
    fail(
      `amberfloBucketName must be an S3 bucket name (3-63 lowercase letters, digits, "." or "-"), ` +
        `got "${amberfloBucketName}"`,
    );
  }

  const pipelineName = props.pipelineName ?? defaultPipelineName;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(pipelineName)) {
    fail(`pipelineName must be 1-64 letters, digits, "-" or "_", got "${pipelineName}"`);
  }
  const transformLogGroupName = `/meter-firehose/${pipelineName}/transform`;
  const deliveryLogGroupName = `/meter-firehose/${pipelineName}/delivery-errors`;
  const forwarderLogGroupName = `/meter-firehose/${pipelineName}/forwarder`;
  const delivery = props.delivery ?? 'direct';
  if (delivery !== 'direct' && delivery !== 'relay') fail(`delivery must be "direct" or "relay", got "${delivery}"`);
  const ownLogGroups = [transformLogGroupName, deliveryLogGroupName, ...(delivery === 'relay' ? [forwarderLogGroupName] : [])];

  const sourceLogGroupNames = props.sourceLogGroupNames ?? [];
  const own = sourceLogGroupNames.find((name) => ownLogGroups.includes(name));
  if (own !== undefined) {
    fail(`sourceLogGroupNames must not include the pipeline's own log group "${own}": the pipeline would feed itself`);
  }
  checkLogGroupNames('sourceLogGroupNames', sourceLogGroupNames);
  const duplicate = sourceLogGroupNames.find((name, i) => sourceLogGroupNames.indexOf(name) !== i);
  if (duplicate !== undefined) fail(`sourceLogGroupNames lists "${duplicate}" twice`);

  // Account-level and log-group filters are additive: a group subscribed both ways would deliver every event twice,
  // so the account policy leaves out the groups subscribed directly, as well as the pipeline's own.
  const accountSubscriptionPolicy = props.accountSubscriptionPolicy ?? false;
  const accountPolicyExcludedLogGroupNames = props.accountPolicyExcludedLogGroupNames ?? [];
  checkLogGroupNames('accountPolicyExcludedLogGroupNames', accountPolicyExcludedLogGroupNames);
  const subscribedDirectly = accountSubscriptionPolicy
    ? sourceLogGroupNames.filter((name) => !accountPolicyExcludedLogGroupNames.includes(name))
    : [];
  const maxExcluded = MAX_POLICY_EXCLUSIONS - ownLogGroups.length - subscribedDirectly.length;
  if (accountPolicyExcludedLogGroupNames.length > maxExcluded) {
    const alsoSources = subscribedDirectly.length > 0 ? ` and the ${subscribedDirectly.length} of sourceLogGroupNames` : '';
    fail(
      `accountPolicyExcludedLogGroupNames may list at most ${Math.max(maxExcluded, 0)} log groups (the policy takes ` +
        `${MAX_POLICY_EXCLUSIONS} and excludes the pipeline's own ${ownLogGroups.length === 2 ? 'two' : 'three'}${alsoSources}), ` +
        `got ${accountPolicyExcludedLogGroupNames.length}`,
    );
  }

  const source = resolveSource(props);
  const senders = resolveSenders(props, fail);

  // TypeScript catches a misspelt setting; JavaScript would pass it, and the setting it meant would take its default.
  const unknownTransformSetting = Object.keys(props.transform ?? {}).find((key) => !TRANSFORM_SETTINGS.includes(key));
  if (unknownTransformSetting !== undefined) {
    fail(`transform has an unknown setting "${unknownTransformSetting}"; known: ${TRANSFORM_SETTINGS.join(', ')}`);
  }
  let transformConfig: TransformConfig;
  try {
    transformConfig = loadConfig(transformEnvironment({ ...props.transform, pipelineName }));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return fail(`transform: ${error.message}`);
  }

  const dataOutputPrefix = props.dataOutputPrefix ?? PIPELINE_DEFAULTS.dataOutputPrefix;
  const errorOutputPrefix = props.errorOutputPrefix ?? PIPELINE_DEFAULTS.errorOutputPrefix;
  const prefixError = prefixProblem(dataOutputPrefix, errorOutputPrefix);
  if (prefixError !== undefined) fail(prefixError);

  const compression = props.compression ?? PIPELINE_DEFAULTS.compression;
  if (compression !== 'GZIP' && compression !== 'UNCOMPRESSED') {
    fail(
      `compression must be "GZIP" or "UNCOMPRESSED" (Amberflo reads JSON and gunzips ".gz" objects only), ` +
        `got "${compression}"`,
    );
  }
  const fileExtension = props.fileExtension ?? (compression === 'GZIP' ? '.gz' : undefined);
  if (fileExtension !== undefined && !/^\.[0-9a-z!\-_.*'()]{1,127}$/.test(fileExtension)) {
    fail(`fileExtension must start with "." followed by up to 127 of 0-9 a-z ! - _ . * ' ( ), got "${fileExtension}"`);
  }
  if (compression === 'GZIP' && !fileExtension?.endsWith('.gz')) {
    fail(
      `fileExtension must end with ".gz" when compression is GZIP (Amberflo only gunzips ".gz" objects), ` +
        `got "${fileExtension}"`,
    );
  }

  const logRetentionDays = props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
  const retentionChoices = Object.values(logs.RetentionDays).filter((value) => typeof value === 'number');
  if (!retentionChoices.includes(logRetentionDays)) {
    fail(`logRetentionDays must be one of ${retentionChoices.join(', ')}, got ${logRetentionDays}`);
  }

  const { amberfloKeysSecretArn, pipelineBucketName, pipelineBucketAccessLogsBucketName } = props;
  if (delivery === 'relay' && amberfloKeysSecretArn === undefined) {
    fail('amberfloKeysSecretArn is required with delivery "relay": the ARN of the secret holding Amberflo\'s key pair');
  }
  if (delivery === 'direct' && amberfloKeysSecretArn !== undefined) {
    fail('amberfloKeysSecretArn applies to delivery "relay" only (direct delivery uses the Firehose role)');
  }
  // Only an ARN is accepted, so no key material can be put where the ARN goes.
  if (
    amberfloKeysSecretArn !== undefined &&
    !Token.isUnresolved(amberfloKeysSecretArn) &&
    !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/.test(amberfloKeysSecretArn)
  ) {
    fail('amberfloKeysSecretArn must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)');
  }
  for (const [name, value] of [
    ['pipelineBucketName', pipelineBucketName],
    ['pipelineBucketAccessLogsBucketName', pipelineBucketAccessLogsBucketName],
  ] as const) {
    if (value !== undefined && !Token.isUnresolved(value) && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value)) {
      fail(`${name} must be an S3 bucket name (3-63 lowercase letters, digits, "." or "-"), got "${value}"`);
    }
  }
  const sourceBackup = props.sourceBackup ?? true;
  const usesPipelineBucket = delivery === 'relay' || sourceBackup;
  if (pipelineBucketName !== undefined && pipelineBucketAccessLogsBucketName !== undefined) {
    fail('pipelineBucketAccessLogsBucketName applies to a created pipeline bucket, not to pipelineBucketName');
  }

  const lambdaRuntime = props.lambdaRuntime ?? DEFAULT_LAMBDA_RUNTIME;
  if (!isLambdaRuntime(lambdaRuntime)) {
    fail(
      `lambdaRuntime must be one of ${LAMBDA_RUNTIMES.map((runtime) => `"${runtime}"`).join(', ')} (the Node.js lines ` +
        `AWS supports that this project tests), got "${String(lambdaRuntime)}"`,
    );
  }

  const processorBufferIntervalSeconds = numberProp('processorBufferIntervalSeconds');
  const destinationBufferIntervalSeconds = numberProp('destinationBufferIntervalSeconds');
  return {
    amberfloBucketName,
    pipelineName,
    transformLogGroupName,
    deliveryLogGroupName,
    forwarderLogGroupName,
    sourceLogGroupNames,
    subscriptionFilterPattern: props.subscriptionFilterPattern ?? JSON.stringify(transformConfig.prefix),
    accountSubscriptionPolicy,
    accountPolicyExcludedLogGroupNames,
    source,
    senders,
    accountPolicyExclusions: [...ownLogGroups, ...subscribedDirectly, ...accountPolicyExcludedLogGroupNames],
    streamShardCount: props.streamShardCount === undefined ? undefined : numberProp('streamShardCount'),
    streamRetentionHours: numberProp('streamRetentionHours'),
    processorBufferSizeMBs: numberProp('processorBufferSizeMBs'),
    processorBufferIntervalSeconds,
    processorRetries: numberProp('processorRetries'),
    dataOutputPrefix,
    errorOutputPrefix,
    destinationBufferIntervalSeconds,
    destinationBufferSizeMBs: numberProp('destinationBufferSizeMBs'),
    compression,
    fileExtension,
    logRetentionDays,
    transformMemorySizeMB: numberProp('transformMemorySizeMB'),
    transformTimeoutSeconds: numberProp('transformTimeoutSeconds'),
    lambdaRuntime,
    transformConfig,
    alarmTopic: props.alarmTopic,
    iteratorAgeAlarmSeconds: numberProp('iteratorAgeAlarmSeconds'),
    // A record may wait for both buffers; alarm once it is 5 minutes older than that.
    dataFreshnessAlarmSeconds: numberProp(
      'dataFreshnessAlarmSeconds',
      processorBufferIntervalSeconds + destinationBufferIntervalSeconds + 300,
    ),
    rejectedMeterRecordsAlarmThreshold: numberProp('rejectedMeterRecordsAlarmThreshold'),
    durationAlarmPercentOfTimeout: numberProp('durationAlarmPercentOfTimeout'),
    delivery,
    amberfloKeysSecretArn,
    amberfloBucketRegion: props.amberfloBucketRegion,
    sourceBackup,
    pipelineBucketName,
    pipelineBucketExpirationDays: numberProp('pipelineBucketExpirationDays'),
    pipelineBucketAccessLogsBucketName,
    usesPipelineBucket,
  };
}

/** The source, from `source` or (for pipelines configured before it existed) from `streamShardCount`. */
function resolveSource(props: MeterIngestionPipelineProps): PipelineSourceKind {
  const { source } = props;
  if (source !== undefined && !isPipelineSource(source)) {
    fail(`source must be one of ${PIPELINE_SOURCES.map((kind) => `"${kind}"`).join(', ')}, got "${String(source)}"`);
  }
  const resolved = source ?? (props.streamShardCount === undefined ? DEFAULT_PIPELINE_SOURCE : 'kinesis-provisioned');
  if (resolved === 'kinesis-provisioned' && props.streamShardCount === undefined) {
    fail('streamShardCount is required with source "kinesis-provisioned"');
  }
  if (resolved === 'kinesis-on-demand' && props.streamShardCount !== undefined) {
    fail('streamShardCount applies to source "kinesis-provisioned" only; an on-demand stream has no shard count to set');
  }
  if (resolved === 'direct') {
    const streamSetting = (['streamShardCount', 'streamRetentionHours', 'iteratorAgeAlarmSeconds'] as const).find((key) => props[key] !== undefined);
    if (streamSetting !== undefined) fail(`${streamSetting} applies to Kinesis sources; source "direct" has no stream`);
  }
  return resolved;
}

/** The function's environment for the given transform settings (the names of transform/config.ts's ENV). */
export function transformEnvironment(config: Partial<TransformConfig>): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const key of Object.keys(ENV) as (keyof TransformConfig)[]) {
    const value = config[key];
    // An empty setting is the variable unset (HOME_ACCOUNT_ID without sender accounts): the template stays as before.
    if (value !== undefined && value !== '') environment[ENV[key]] = String(value);
  }
  return environment;
}

/** CloudWatch Logs' rule for log group names (CreateLogGroup: 1-512 of `.-_/#A-Za-z0-9`). */
function checkLogGroupNames(setting: string, names: readonly string[]): void {
  // A token would make the subscription's construct id, and so its logical ID, change from synth to synth.
  if (names.some((name) => Token.isUnresolved(name))) {
    fail(
      `${setting} must hold log group names as plain strings, not tokens such as logGroup.logGroupName: pass the ` +
        'name, and make the pipeline depend on a log group created in the same app (pipeline.node.addDependency(logGroup))',
    );
  }
  const invalid = names.find((name) => !/^[.\-_/#A-Za-z0-9]{1,512}$/.test(name));
  if (invalid !== undefined) {
    fail(`${setting} must hold log group names (1-512 of letters, digits, ".", "-", "_", "/", "#"), got "${invalid}"`);
  }
}

function fail(message: string): never {
  throw new PipelineConfigError(message);
}

function checkNumber(name: string, value: number, min: number, max: number, integer: boolean): number {
  const valid = typeof value === 'number' && (integer ? Number.isInteger(value) : Number.isFinite(value));
  if (!valid || value < min || value > max) {
    const range = max === Infinity ? `of at least ${min}` : `from ${min} to ${max}`;
    fail(`${name} must be ${integer ? 'an integer' : 'a number'} ${range}, got ${value}`);
  }
  return value;
}

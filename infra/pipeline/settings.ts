import { Duration, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { ConfigError, ENV, loadConfig, type TransformConfig } from '../../transform/config.ts';
import { PIPELINE_DEFAULTS } from '../defaults.ts';
import type { LambdaRuntime } from '../lambda-runtime.ts';
import { DEFAULT_PIPELINE_SOURCE, type PipelineSourceKind } from '../pipeline-source.ts';
import {
  SETTINGS,
  choiceProblem,
  fileExtensionProblem,
  numberProblem,
  type ChoiceSetting,
  type NumberSetting,
  type Setting,
  type SettingChoice,
  type SettingName,
} from '../settings.ts';
import type { DeliveryCompression, DeliveryMode, MeterIngestionPipelineProps } from './props.ts';
import { prefixProblem } from './s3-prefixes.ts';
import { resolveSenders, type SenderPrincipals } from './sender-destination.ts';

/** The settings `transform` takes: every one of the transform's but those the construct sets itself. */
export const TRANSFORM_SETTINGS: readonly string[] = Object.keys(ENV).filter((key) => key !== 'pipelineName' && key !== 'homeAccountId');

/** A pipeline setting out of range; the message names the prop (or, from cdk.json, the context key). */
export class PipelineConfigError extends Error {
  override readonly name = 'PipelineConfigError';
}

/** Log group names an account policy's `NOT IN` selection criteria can hold. */
const MAX_POLICY_EXCLUSIONS = 50;

type NumberName = { [K in SettingName]: (typeof SETTINGS)[K] extends NumberSetting ? K : never }[SettingName];

/** Every setting with its default applied and checked, numbers in their table unit, plus the names derived from them. */
export interface ResolvedSettings {
  readonly amberfloBucketName: string;
  readonly pipelineName: string;
  readonly delivery: DeliveryMode;
  readonly amberfloKeys: secretsmanager.ISecret | undefined;
  readonly amberfloBucketRegion: string | undefined;
  readonly sourceBackup: boolean;
  readonly pipelineBucketName: string | undefined;
  readonly pipelineBucketExpirationDays: number;
  readonly pipelineBucketAccessLogsBucketName: string | undefined;
  /** Whether the pipeline needs a bucket of its own: relay mode or source backup. */
  readonly usesPipelineBucket: boolean;
  readonly sourceLogGroupNames: string[];
  readonly subscriptionFilterPattern: string;
  readonly accountSubscriptionPolicy: boolean;
  readonly accountPolicyExcludedLogGroupNames: string[];
  /** Other accounts that send meter records through a CloudWatch Logs destination; undefined for none. */
  readonly senders: SenderPrincipals | undefined;
  readonly source: PipelineSourceKind;
  readonly streamShardCount: number | undefined;
  readonly streamRetentionHours: number;
  readonly processorBufferSizeMBs: number;
  readonly processorBufferIntervalSeconds: number;
  readonly processorRetries: number;
  readonly dataOutputPrefix: string;
  readonly errorOutputPrefix: string;
  readonly destinationBufferIntervalSeconds: number;
  readonly destinationBufferSizeMBs: number;
  readonly compression: DeliveryCompression;
  readonly fileExtension: string | undefined;
  readonly logRetention: logs.RetentionDays;
  readonly transformMemorySizeMB: number;
  readonly transformTimeoutSeconds: number;
  readonly lambdaRuntime: LambdaRuntime;
  readonly transformConfig: TransformConfig;
  readonly alarmTopic: sns.ITopic | undefined;
  readonly iteratorAgeAlarmSeconds: number;
  readonly dataFreshnessAlarmSeconds: number;
  readonly rejectedMeterRecordsAlarmThreshold: number;
  readonly durationAlarmPercentOfTimeout: number;
  readonly transformLogGroupName: string;
  readonly deliveryLogGroupName: string;
  readonly forwarderLogGroupName: string;
  readonly reconcileLogGroupName: string;
  readonly continuousReconcile: boolean;
  readonly reconcileWindowSeconds: number;
  readonly reconcileAlarmOnRefused: boolean;
  readonly reconcileForwardedCount: boolean;
  /** Every log group the account policy leaves out: the pipeline's own, those subscribed directly, the excluded. */
  readonly accountPolicyExclusions: string[];
}

/** Applies defaults and validates every setting; errors name the prop. */
export function resolveSettings(props: MeterIngestionPipelineProps, defaultPipelineName: string): ResolvedSettings {
  checkPropNames(props);
  const number = (name: NumberName, fallback?: number): number => numberSetting(props, name, fallback);

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
  const delivery = choiceSetting(props, 'delivery');
  const reconcile = resolveReconcile(props, number);
  const logGroups = ownLogGroupNames(pipelineName, delivery, reconcile.continuousReconcile);
  const subscriptions = resolveSubscriptions(props, logGroups.own);
  const source = resolveSource(props);
  const senders = resolveSenders(props, fail);
  const transformConfig = resolveTransform(props, pipelineName);
  const output = resolveOutput(props);
  const relay = resolveRelay(props, delivery);

  const logRetention = props.logRetention ?? (SETTINGS.logRetention.default as logs.RetentionDays);
  const retentionChoices = Object.values(logs.RetentionDays).filter((value) => typeof value === 'number');
  if (!retentionChoices.includes(logRetention)) {
    fail(`logRetention must be a RetentionDays (one of ${retentionChoices.join(', ')} days), got ${logRetention}`);
  }

  const processorBufferIntervalSeconds = number('processorBufferInterval');
  const destinationBufferIntervalSeconds = number('destinationBufferInterval');
  return {
    amberfloBucketName,
    pipelineName,
    ...logGroups.names,
    ...subscriptions,
    subscriptionFilterPattern: props.subscriptionFilterPattern ?? JSON.stringify(transformConfig.prefix),
    source,
    senders,
    streamShardCount: props.streamShardCount === undefined ? undefined : number('streamShardCount'),
    streamRetentionHours: number('streamRetention'),
    processorBufferSizeMBs: number('processorBufferSize'),
    processorBufferIntervalSeconds,
    processorRetries: number('processorRetries'),
    destinationBufferIntervalSeconds,
    destinationBufferSizeMBs: number('destinationBufferSize'),
    ...output,
    logRetention,
    transformMemorySizeMB: number('transformMemorySize'),
    lambdaRuntime: choiceSetting(props, 'lambdaRuntime'),
    transformTimeoutSeconds: number('transformTimeout'),
    transformConfig,
    alarmTopic: props.alarmTopic,
    iteratorAgeAlarmSeconds: number('iteratorAgeAlarmThreshold'),
    // A record may wait for both buffers; alarm once it is 5 minutes older than that.
    dataFreshnessAlarmSeconds: number('dataFreshnessAlarmThreshold', processorBufferIntervalSeconds + destinationBufferIntervalSeconds + 300),
    rejectedMeterRecordsAlarmThreshold: number('rejectedMeterRecordsAlarmThreshold'),
    durationAlarmPercentOfTimeout: number('durationAlarmPercentOfTimeout'),
    delivery,
    ...relay,
    amberfloBucketRegion: props.amberfloBucketRegion,
    pipelineBucketExpirationDays: number('pipelineBucketExpiration'),
    ...reconcile,
  };
}

/** Continuous reconcile: on by default with the source backup, refused without it; its window divides a day. */
function resolveReconcile(props: MeterIngestionPipelineProps, number: (name: NumberName) => number) {
  const sourceBackup = props.sourceBackup ?? true;
  if (props.continuousReconcile === true && !sourceBackup) {
    fail('continuousReconcile needs sourceBackup: it reconciles deliveries against the backup of what was logged; turn sourceBackup on, or continuousReconcile off');
  }
  const reconcileWindowSeconds = number('reconcileWindow');
  if (reconcileWindowSeconds % 60 !== 0 || 86_400 % reconcileWindowSeconds !== 0) {
    fail(`reconcileWindow must be whole minutes that divide a day (windows are aligned to UTC days), got ${reconcileWindowSeconds} seconds`);
  }
  return {
    continuousReconcile: props.continuousReconcile ?? sourceBackup,
    reconcileWindowSeconds,
    reconcileAlarmOnRefused: props.reconcileAlarmOnRefused ?? true,
    reconcileForwardedCount: props.reconcileForwardedCount ?? true,
  };
}

/**
 * TypeScript catches a misspelt or renamed prop; JavaScript and JSON would pass it, and the setting it meant would
 * take its default. The names props had before they took CDK types (the context keys) point to their successors.
 */
function checkPropNames(props: MeterIngestionPipelineProps): void {
  const entries = Object.entries(SETTINGS) as [SettingName, Setting][];
  for (const key of Object.keys(props)) {
    if (key === 'alarmTopic' || key in SETTINGS) continue;
    const renamed = entries.find(([, entry]) => entry.contextKey === key)?.[0];
    fail(
      renamed === undefined
        ? `unknown prop "${key}"`
        : `unknown prop "${key}": it is now ${renamed} (see CHANGELOG.md), a ${kindName(SETTINGS[renamed])}`,
    );
  }
}

function kindName(entry: Setting): string {
  switch (entry.kind) {
    case 'duration':
      return 'Duration';
    case 'size':
      return 'Size';
    case 'retention':
      return 'logs.RetentionDays';
    case 'secret':
      return 'secretsmanager.ISecret';
    default:
      return entry.kind;
  }
}

/** A number setting's value in its table unit (a Duration in seconds, hours or days; a Size in MiB), checked. */
function numberSetting(props: MeterIngestionPipelineProps, name: NumberName, fallback?: number): number {
  const entry: NumberSetting = SETTINGS[name];
  const value: unknown = props[name];
  let amount: number;
  if (value === undefined) {
    amount = fallback ?? entry.default ?? NaN;
  } else if (entry.kind === 'number') {
    amount = value as number;
  } else {
    amount = inUnit(name, entry, value);
  }
  const problem = numberProblem(entry, amount);
  if (problem !== undefined) fail(`${name} ${problem}`);
  return amount;
}

function inUnit(name: SettingName, entry: NumberSetting, value: unknown): number {
  if (entry.kind === 'size') {
    if (!(value instanceof Size)) fail(`${name} must be a Size (e.g. Size.mebibytes(5)), got ${JSON.stringify(value)}`);
    return value.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  }
  if (!(value instanceof Duration)) fail(`${name} must be a Duration (e.g. Duration.${entry.unit}(1)), got ${JSON.stringify(value)}`);
  const exact = { integral: false };
  return entry.unit === 'days' ? value.toDays(exact) : entry.unit === 'hours' ? value.toHours(exact) : value.toSeconds(exact);
}

/** Settings that are one of a few strings, with a default. */
type ChoiceName = { [K in SettingName]: (typeof SETTINGS)[K] extends ChoiceSetting & { readonly default: string } ? K : never }[SettingName];

function choiceSetting<K extends ChoiceName>(props: MeterIngestionPipelineProps, name: K): SettingChoice<K> {
  const entry: ChoiceSetting = SETTINGS[name];
  const value = props[name] ?? entry.default;
  const problem = choiceProblem(entry, value);
  if (problem !== undefined) fail(`${name} ${problem}`);
  return value as SettingChoice<K>;
}

function ownLogGroupNames(pipelineName: string, delivery: DeliveryMode, continuousReconcile: boolean) {
  const names = {
    transformLogGroupName: `/meter-firehose/${pipelineName}/transform`,
    deliveryLogGroupName: `/meter-firehose/${pipelineName}/delivery-errors`,
    forwarderLogGroupName: `/meter-firehose/${pipelineName}/forwarder`,
    reconcileLogGroupName: `/meter-firehose/${pipelineName}/reconcile`,
  };
  const own = [
    names.transformLogGroupName,
    names.deliveryLogGroupName,
    ...(delivery === 'relay' ? [names.forwarderLogGroupName] : []),
    ...(continuousReconcile ? [names.reconcileLogGroupName] : []),
  ];
  return { names, own };
}

/** The subscribed log groups and what the account policy leaves out. */
function resolveSubscriptions(props: MeterIngestionPipelineProps, ownLogGroups: readonly string[]) {
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
  return {
    sourceLogGroupNames,
    accountSubscriptionPolicy,
    accountPolicyExcludedLogGroupNames,
    accountPolicyExclusions: [...ownLogGroups, ...subscribedDirectly, ...accountPolicyExcludedLogGroupNames],
  };
}

/** The transform's settings, checked as the function checks them at cold start. */
function resolveTransform(props: MeterIngestionPipelineProps, pipelineName: string): TransformConfig {
  // TypeScript catches a misspelt setting; JavaScript would pass it, and the setting it meant would take its default.
  const unknownTransformSetting = Object.keys(props.transform ?? {}).find((key) => !TRANSFORM_SETTINGS.includes(key));
  if (unknownTransformSetting !== undefined) {
    fail(`transform has an unknown setting "${unknownTransformSetting}"; known: ${TRANSFORM_SETTINGS.join(', ')}`);
  }
  try {
    return loadConfig(transformEnvironment({ ...props.transform, pipelineName }));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return fail(`transform: ${error.message}`);
  }
}

/** Where and how objects are written: prefixes, compression, extension. */
function resolveOutput(props: MeterIngestionPipelineProps) {
  const dataOutputPrefix = props.dataOutputPrefix ?? PIPELINE_DEFAULTS.dataOutputPrefix;
  const errorOutputPrefix = props.errorOutputPrefix ?? PIPELINE_DEFAULTS.errorOutputPrefix;
  const prefixError = prefixProblem(dataOutputPrefix, errorOutputPrefix);
  if (prefixError !== undefined) fail(prefixError);

  const compression = choiceSetting(props, 'compression');
  const fileExtension = props.fileExtension ?? (compression === 'GZIP' ? '.gz' : undefined);
  const extensionProblem = fileExtension === undefined ? undefined : fileExtensionProblem(fileExtension);
  if (extensionProblem !== undefined) fail(`fileExtension ${extensionProblem}`);
  if (compression === 'GZIP' && !fileExtension?.endsWith('.gz')) {
    fail(
      `fileExtension must end with ".gz" when compression is GZIP (Amberflo only gunzips ".gz" objects), ` +
        `got "${fileExtension}"`,
    );
  }
  return { dataOutputPrefix, errorOutputPrefix, compression, fileExtension };
}

/** The key pair and the pipeline bucket, which relay mode and source backup need. */
function resolveRelay(props: MeterIngestionPipelineProps, delivery: DeliveryMode) {
  const { amberfloKeys, pipelineBucketName, pipelineBucketAccessLogsBucketName } = props;
  if (delivery === 'relay' && amberfloKeys === undefined) {
    fail('amberfloKeys is required with delivery "relay": the secret holding Amberflo\'s key pair');
  }
  if (delivery === 'direct' && amberfloKeys !== undefined) {
    fail('amberfloKeys applies to delivery "relay" only (direct delivery uses the Firehose role)');
  }
  if (amberfloKeys !== undefined && typeof amberfloKeys.secretArn !== 'string') {
    fail('amberfloKeys must be a Secrets Manager secret (ISecret), e.g. Secret.fromSecretCompleteArn(scope, id, arn)');
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
  if (pipelineBucketName !== undefined && pipelineBucketAccessLogsBucketName !== undefined) {
    fail('pipelineBucketAccessLogsBucketName applies to a created pipeline bucket, not to pipelineBucketName');
  }
  return {
    amberfloKeys,
    sourceBackup,
    pipelineBucketName,
    pipelineBucketAccessLogsBucketName,
    usesPipelineBucket: delivery === 'relay' || sourceBackup,
  };
}

/** The source, from `source` or (for pipelines configured before it existed) from `streamShardCount`. */
function resolveSource(props: MeterIngestionPipelineProps): PipelineSourceKind {
  const { source } = props;
  const problem = source === undefined ? undefined : choiceProblem(SETTINGS.source, source);
  if (problem !== undefined) fail(`source ${problem}`);
  const resolved = source ?? (props.streamShardCount === undefined ? DEFAULT_PIPELINE_SOURCE : 'kinesis-provisioned');
  if (resolved === 'kinesis-provisioned' && props.streamShardCount === undefined) {
    fail('streamShardCount is required with source "kinesis-provisioned"');
  }
  if (resolved === 'kinesis-on-demand' && props.streamShardCount !== undefined) {
    fail('streamShardCount applies to source "kinesis-provisioned" only; an on-demand stream has no shard count to set');
  }
  if (resolved === 'direct') {
    const streamSetting = (['streamShardCount', 'streamRetention', 'iteratorAgeAlarmThreshold'] as const).find((key) => props[key] !== undefined);
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

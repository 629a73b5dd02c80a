/** Flags shared by `run` and `replay --local`: the local pipeline's source, buffers, layout, Lambda and store. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { DECIMAL, type OptionSpec, type OptionValues, UsageError, keyValueOption, numberOption, stringOption, booleanOption } from '../lib/cli/args.ts';
import type { Compression } from '../lib/local-pipeline/local-firehose.ts';
import type { PipelineOptions } from '../lib/local-pipeline/pipeline.ts';
import { PIPELINE_DEFAULTS } from '../../infra/defaults.ts';
import { DEFAULT_PIPELINE_SOURCE, type PipelineSourceKind } from '../../infra/pipeline-source.ts';
import {
  SETTINGS,
  choiceProblem,
  contextValueText,
  fileExtensionProblem,
  numberProblem,
  type ChoiceSetting,
  type NumberSetting,
  type SettingChoice,
  type SettingName,
} from '../../infra/settings.ts';
import { PrefixError, validatePrefix } from '../lib/delivery/object-layout.ts';
import { DirectoryStore, type ObjectStore, S3Store, removeEarlierObjects } from '../lib/delivery/object-store.ts';
import { DEFAULT_OUTPUT_DIRECTORY, TRANSFORM_BUNDLE, displayPath } from '../lib/cli/paths.ts';
import { DEFAULT_TIMEOUT_MS } from '../lib/aws/connection.ts';
import { closestName } from '../lib/cli/closest.ts';
import { ConfigError, ENV, loadConfig } from '../../transform/config.ts';
import { AmberfloSecretError, parseAmberfloSecret } from '../../relay/amberflo-keys.ts';
import { LOCAL_QUEUE_SETTINGS, type RelaySettings } from '../lib/relay/local-relay.ts';
import { RELAY_DEFAULTS } from '../../relay/config.ts';

export const DEFAULT_REGION = 'us-east-1';
const MIB = 1024 * 1024;

/** For every command that calls an AWS API (S3, Kinesis, or an emulator given by URL). */
export const TIMEOUT_OPTION: OptionSpec = {
  type: 'string',
  value: 'SECONDS',
  description: 'Seconds an AWS API request may stay silent (connecting, or waiting for an answer), per attempt (0.1-300; the SDK makes up to 3 attempts)',
  default: String(DEFAULT_TIMEOUT_MS / 1000),
};

export function timeoutOption(values: OptionValues): number {
  return numberOption(values, 'timeout', DEFAULT_TIMEOUT_MS / 1000, { min: 0.1, max: 300 }) * 1000;
}

export const PIPELINE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  out: { type: 'string', value: 'DIR', description: 'Directory laid out like the bucket', default: DEFAULT_OUTPUT_DIRECTORY },
  append: { type: 'boolean', description: 'Keep the objects of earlier runs in --out (by default they are removed first)' },
  's3-endpoint': { type: 'string', value: 'URL', description: 'Write objects to this S3-compatible endpoint instead of --out' },
  bucket: { type: 'string', value: 'NAME', description: 'Bucket for --s3-endpoint', default: 'amberflo-ingest' },
  source: settingFlag('source', DEFAULT_PIPELINE_SOURCE),
  'kinesis-endpoint': { type: 'string', value: 'URL', description: 'Use this Kinesis API instead of an in-process emulator' },
  'stream-name': { type: 'string', value: 'NAME', description: 'Source Kinesis stream (created if missing)', default: 'meter-firehose-source' },
  shards: { type: 'string', value: 'N', description: 'Shards of a created stream', default: '1' },
  region: { type: 'string', value: 'REGION', description: 'AWS Region of the simulated resources', default: `$AWS_REGION or ${DEFAULT_REGION}` },
  'delivery-stream': { type: 'string', value: 'NAME', description: 'Firehose stream name used in object names', default: 'meter-firehose' },
  'processor-buffer-mb': settingFlag('processorBufferSize'),
  'processor-interval': settingFlag('processorBufferInterval'),
  'buffer-mb': settingFlag('destinationBufferSize'),
  'buffer-interval': settingFlag('destinationBufferInterval'),
  retries: settingFlag('processorRetries'),
  'data-prefix': settingFlag('dataOutputPrefix'),
  'error-prefix': settingFlag('errorOutputPrefix'),
  compression: settingFlag('compression'),
  'file-extension': settingFlag('fileExtension', '.gz with GZIP, none otherwise'),
  bundle: { type: 'string', value: 'PATH', description: 'The bundled transform', default: 'dist/transform/index.mjs' },
  'transform-env': { type: 'string', multiple: true, value: 'KEY=VALUE', description: 'Environment of the transform, e.g. UNKNOWN_FIELDS=drop' },
  'lambda-memory': settingFlag('transformMemorySize'),
  'lambda-timeout': settingFlag('transformTimeout'),
  'lambda-logs': { type: 'boolean', description: "Copy the function's log output to stderr" },
  delivery: settingFlag('delivery'),
  'amberflo-endpoint': { type: 'string', value: 'URL', description: "Relay: S3-compatible endpoint of Amberflo's bucket" },
  'amberflo-bucket': { type: 'string', value: 'NAME', description: "Relay: Amberflo's bucket", default: 'amberflo-ingest' },
  'amberflo-keys': { type: 'string', value: 'FILE', description: 'Relay: JSON file in the secret\'s format {"accessKeyId": ..., "secretAccessKey": ...}' },
  'backup-prefix': { type: 'string', value: 'PREFIX', description: 'Source-record backup prefix (relay: in the pipeline bucket; direct: in --out or --bucket here, the pipeline bucket when deployed)', default: PIPELINE_DEFAULTS.sourceBackupPrefix },
  'no-source-backup': { type: 'boolean', description: 'Do not back up source records (reconcile and replay --from-backup need them)' },
  timeout: TIMEOUT_OPTION,
};

type FlagNumber = { [K in SettingName]: (typeof SETTINGS)[K] extends NumberSetting & { readonly cli: object; readonly default: number } ? K : never }[SettingName];
type NumberName = { [K in SettingName]: (typeof SETTINGS)[K] extends NumberSetting ? K : never }[SettingName];
type FlagChoice = { [K in SettingName]: (typeof SETTINGS)[K] extends ChoiceSetting & { readonly cli: object } ? K : never }[SettingName];

/** The `--help` entry of a setting's flag: its summary, the unit and range or choices, and the default, from the table. */
function settingFlag(name: SettingName, defaultText?: string): OptionSpec {
  const entry = SETTINGS[name];
  const cli = 'cli' in entry ? entry.cli : undefined;
  if (cli === undefined) throw new Error(`setting ${name} has no CLI flag`);
  const fallback = defaultText ?? ('default' in entry ? String(entry.default) : undefined);
  const text = entry.kind === 'string' ? cli.summary : `${cli.summary}: ${contextValueText(entry)}`;
  return { type: 'string', value: cli.value, description: text, ...(fallback === undefined ? {} : { default: fallback }) };
}

/** A number flag in its setting's unit, refused in the words the construct and the context keys use. */
export function settingNumber(values: OptionValues, name: FlagNumber): number {
  const entry: NumberSetting & { cli: { flag: string } } = SETTINGS[name];
  const raw = stringOption(values, entry.cli.flag);
  return raw === undefined ? (entry.default as number) : parseSetting(`--${entry.cli.flag}`, raw, name);
}

/** A number given for a setting (in its unit) on the command line, checked against the table. */
export function parseSetting(label: string, raw: string, name: NumberName): number {
  const entry: NumberSetting = SETTINGS[name];
  const value = DECIMAL.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(value)) throw new UsageError(`${label} must be ${contextValueText(entry)}, got "${raw}"`);
  const problem = numberProblem(entry, value);
  if (problem !== undefined) throw new UsageError(`${label} ${problem}`);
  return value;
}

/** A choice flag, refused in the words the construct and the context keys use. */
function settingChoice<K extends FlagChoice>(values: OptionValues, name: K, fallback: SettingChoice<K>, normalize = (raw: string) => raw): SettingChoice<K> {
  const entry: ChoiceSetting & { cli: { flag: string } } = SETTINGS[name];
  const raw = stringOption(values, entry.cli.flag);
  const value = raw === undefined ? fallback : normalize(raw);
  const problem = choiceProblem(entry, value);
  if (problem !== undefined) throw new UsageError(`--${entry.cli.flag} ${problem}`);
  return value as SettingChoice<K>;
}

/** `--region`, else AWS_REGION, else us-east-1; a malformed name is a usage error before anything is touched. */
export function regionOption(values: OptionValues): string {
  const region = stringOption(values, 'region') ?? process.env['AWS_REGION'] ?? DEFAULT_REGION;
  if (!/^[a-z]{2}(-[a-z0-9]+)+$/.test(region)) throw new UsageError(`--region must be an AWS Region such as us-east-1, got "${region}"`);
  return region;
}

export function storeOption(values: OptionValues, outputDirectory = DEFAULT_OUTPUT_DIRECTORY): ObjectStore {
  const endpoint = stringOption(values, 's3-endpoint');
  if (endpoint === undefined) {
    const directory = stringOption(values, 'out') ?? outputDirectory;
    if (existsSync(directory) && !statSync(directory).isDirectory()) throw new UsageError(`--out ${directory} is a file, not a directory`);
    return new DirectoryStore(directory);
  }
  return new S3Store({
    bucket: stringOption(values, 'bucket') ?? 'amberflo-ingest',
    region: regionOption(values),
    endpoint: urlOption('s3-endpoint', endpoint),
    timeoutMs: timeoutOption(values),
  });
}

export function urlOption(name: string, raw: string): string {
  if (!/^https?:\/\/[^\s/]+/.test(raw)) throw new UsageError(`--${name} must be an http(s) URL such as http://127.0.0.1:4567, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

function bundleOption(values: OptionValues): string {
  const bundle = stringOption(values, 'bundle') ?? TRANSFORM_BUNDLE;
  if (!existsSync(bundle)) throw new UsageError(`--bundle ${bundle} not found: build the transform first with \`npm run build\``);
  return bundle;
}

const TRANSFORM_VARIABLES: readonly string[] = Object.values(ENV);

/**
 * `--transform-env`: only the variables the transform reads, so a misspelt fix fails instead of proving nothing.
 * A value the transform's cold start refuses is allowed (it is how an outage is rehearsed) but said on stderr,
 * since every invocation will then fail as `Lambda.FunctionError`.
 */
export function transformEnvironment(values: OptionValues, io: { stderr: (text: string) => void }): Record<string, string> {
  const environment = keyValueOption(values, 'transform-env');
  for (const name of Object.keys(environment)) {
    if (TRANSFORM_VARIABLES.includes(name)) continue;
    const nearest = closestName(name, TRANSFORM_VARIABLES);
    throw new UsageError(
      `--transform-env: the transform reads no variable ${name}${nearest === undefined ? '' : ` (did you mean ${nearest}?)`}; ` +
        `it reads ${TRANSFORM_VARIABLES.join(', ')}`,
    );
  }
  try {
    loadConfig(environment);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`warning: --transform-env: ${error.message}: the transform will fail its cold start, and every invocation with it\n`);
  }
  return environment;
}

/**
 * Unless --append: a run into a directory starts from a clean one, so what `inspect` counts is this run's
 * output. Says so when it removed anything. Buckets (--s3-endpoint) are never cleared.
 */
export async function startCleanOutput(options: Pick<PipelineOptions, 'store' | 'delivery'>, values: OptionValues, io: { stderr: (text: string) => void }, command: string): Promise<void> {
  if (booleanOption(values, 'append') || !(options.store instanceof DirectoryStore)) return;
  const { dataPrefix, errorPrefix, backupPrefix } = options.delivery;
  const removed = await removeEarlierObjects(options.store, [dataPrefix, errorPrefix, ...(backupPrefix === undefined ? [] : [backupPrefix])]);
  if (removed > 0) io.stderr(`${command}: removed ${removed} objects of an earlier run from ${displayPath(options.store.root)} (--append keeps them)\n`);
}

export function pipelineOptionsFrom(values: OptionValues, io: { stderr: (text: string) => void }, outputDirectory = DEFAULT_OUTPUT_DIRECTORY): Omit<PipelineOptions, 'onProgress'> {
  const compression = settingChoice(values, 'compression', PIPELINE_DEFAULTS.compression, (raw) => raw.toUpperCase());
  const fileExtension = stringOption(values, 'file-extension') ?? (compression === 'GZIP' ? '.gz' : '');
  const extensionProblem = fileExtension === '' ? undefined : fileExtensionProblem(fileExtension);
  if (extensionProblem !== undefined) throw new UsageError(`--file-extension ${extensionProblem}`);
  const dataPrefix = stringOption(values, 'data-prefix') ?? PIPELINE_DEFAULTS.dataOutputPrefix;
  const errorPrefix = stringOption(values, 'error-prefix') ?? PIPELINE_DEFAULTS.errorOutputPrefix;
  try {
    validatePrefix(dataPrefix, 'data');
    validatePrefix(errorPrefix, 'error');
  } catch (error) {
    if (error instanceof PrefixError) throw new UsageError(`--data-prefix/--error-prefix: ${error.message}`);
    throw error;
  }
  const source: PipelineSourceKind = settingChoice(values, 'source', DEFAULT_PIPELINE_SOURCE);
  const kinesisOnly = ['kinesis-endpoint', 'stream-name', 'shards'].filter((name) => stringOption(values, name) !== undefined);
  if (source === 'direct' && kinesisOnly.length > 0) throw new UsageError(`--${kinesisOnly[0]} applies to Kinesis sources, not --source direct`);
  const kinesisEndpoint = stringOption(values, 'kinesis-endpoint');
  const streamName = stringOption(values, 'stream-name') ?? 'meter-firehose-source';
  if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(streamName)) throw new UsageError(`--stream-name "${streamName}" is not a valid Kinesis stream name`);
  const deliveryStreamName = stringOption(values, 'delivery-stream') ?? 'meter-firehose';
  if (!/^[a-zA-Z0-9_.-]{1,64}$/.test(deliveryStreamName)) throw new UsageError(`--delivery-stream "${deliveryStreamName}" is not a valid Firehose stream name`);
  const lambdaLogs = booleanOption(values, 'lambda-logs');
  // Both delivery modes back up every source record by default, as the deployed construct does (sourceBackup).
  const backupPrefix = booleanOption(values, 'no-source-backup') ? undefined : (stringOption(values, 'backup-prefix') ?? PIPELINE_DEFAULTS.sourceBackupPrefix);
  if (backupPrefix !== undefined) {
    try {
      validatePrefix(backupPrefix, 'data');
    } catch (error) {
      if (error instanceof PrefixError) throw new UsageError(`--backup-prefix: ${error.message}`);
      throw error;
    }
  }
  return {
    region: regionOption(values),
    source,
    streamName,
    shardCount: numberOption(values, 'shards', 1, { min: 1, max: 50, integer: true }),
    timeoutMs: timeoutOption(values),
    ...(kinesisEndpoint === undefined ? {} : { kinesisEndpoint: urlOption('kinesis-endpoint', kinesisEndpoint) }),
    delivery: {
      name: deliveryStreamName,
      version: 1,
      processorHints: {
        sizeBytes: settingNumber(values, 'processorBufferSize') * MIB,
        intervalMs: settingNumber(values, 'processorBufferInterval') * 1000,
      },
      destinationHints: {
        sizeBytes: settingNumber(values, 'destinationBufferSize') * MIB,
        intervalMs: settingNumber(values, 'destinationBufferInterval') * 1000,
      },
      numberOfRetries: settingNumber(values, 'processorRetries'),
      dataPrefix,
      errorPrefix,
      ...(backupPrefix === undefined ? {} : { backupPrefix }),
      fileExtension,
      compression: compression as Compression,
      maxInvocations: 100_000,
    },
    lambda: {
      bundlePath: bundleOption(values),
      functionName: 'meter-firehose-transform',
      memoryMb: settingNumber(values, 'transformMemorySize'),
      timeoutMs: settingNumber(values, 'transformTimeout') * 1000,
      environment: transformEnvironment(values, io),
      ...(lambdaLogs ? { onLog: (text: string) => io.stderr(text) } : {}),
    },
    store: storeOption(values, outputDirectory),
  };
}

export type DeliveryMode = SettingChoice<'delivery'>;

export function deliveryMode(values: OptionValues): DeliveryMode {
  return settingChoice(values, 'delivery', 'direct');
}

/**
 * Relay mode's second hop: the pipeline bucket (`--s3-endpoint`, `--bucket`) forwarded to Amberflo's
 * (`--amberflo-endpoint`, `--amberflo-bucket`) with the key pair in `--amberflo-keys`. Undefined in direct mode.
 */
export function relaySettingsFrom(values: OptionValues): RelaySettings | undefined {
  if (deliveryMode(values) === 'direct') {
    const stray = ['amberflo-endpoint', 'amberflo-keys', 'amberflo-bucket'].find((name) => values[name] !== undefined);
    if (stray !== undefined) throw new UsageError(`--${stray} applies to --delivery relay`);
    return undefined;
  }
  const pipelineEndpoint = stringOption(values, 's3-endpoint');
  const amberfloEndpoint = stringOption(values, 'amberflo-endpoint');
  const keysFile = stringOption(values, 'amberflo-keys');
  if (pipelineEndpoint === undefined || amberfloEndpoint === undefined || keysFile === undefined) {
    throw new UsageError('--delivery relay needs the pipeline bucket (--s3-endpoint, --bucket), --amberflo-endpoint and --amberflo-keys FILE');
  }
  const secret = readKeysFile(keysFile);
  return {
    region: regionOption(values),
    pipelineBucket: stringOption(values, 'bucket') ?? 'amberflo-ingest',
    pipelineEndpoint: urlOption('s3-endpoint', pipelineEndpoint),
    amberfloBucket: stringOption(values, 'amberflo-bucket') ?? 'amberflo-ingest',
    amberfloEndpoint: urlOption('amberflo-endpoint', amberfloEndpoint),
    readSecret: async () => secret,
    queue: LOCAL_QUEUE_SETTINGS,
    // Simulated: visibility timeouts and backoff pass instantly; the attempts are the deployed defaults.
    retry: { maxAttempts: RELAY_DEFAULTS.maxAttempts, baseDelayMs: 0, sleep: async () => {} },
  };
}

/** The keys file's text, checked now so a bad file is a usage error rather than a dead-lettered forward. */
function readKeysFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --amberflo-keys ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    parseAmberfloSecret(text);
  } catch (error) {
    if (error instanceof AmberfloSecretError) throw new UsageError(`--amberflo-keys ${path}: ${error.message}`);
    throw error;
  }
  return text;
}

/**
 * A CDK app outside the repository that installs the packed package (offline, from the cache `npm ci` filled,
 * see consumer-lock.ts), as a user's app would, for the tests in test/package.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { MeterIngestionPipeline, MeterRecordSenderStack, type MeterRecordSenderProps } from '../../infra/index.ts';
import { variantProps, type Variant } from '../package/fixtures/variant-props.ts';
import { FEATURE_FLAGS } from '../infra/helpers.ts';
import { type AliasedPackage, consumerLock } from './consumer-lock.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/package/fixtures');
export const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
export const CDK = path.join(ROOT, 'node_modules/aws-cdk/bin/cdk');

export const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

const fixture = <T>(name: string): Record<string, T> => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
export const VARIANTS = fixture<Variant>('variants.json');
export const SENDERS = fixture<MeterRecordSenderProps>('senders.json');
/** Every stack the variants app synthesizes. */
export const VARIANT_STACKS = [...Object.keys(VARIANTS).map((name) => `Variant-${name}`), ...Object.keys(SENDERS).map((name) => `Sender-${name}`)];

/** Child processes of the tests: the CDK CLI's telemetry off, so nothing but loopback is reached. */
export const CHILD_ENV: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };

export function run(command: string, args: readonly string[], options: SpawnSyncOptions): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 240_000, env: CHILD_ENV, ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}:\n${result.stderr}\n${result.stdout}`);
  }
  return String(result.stdout);
}

export type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: unknown }>; [section: string]: unknown };

export function readTemplate(outdir: string, stackName: string): Template {
  return JSON.parse(readFileSync(path.join(outdir, `${stackName}.template.json`), 'utf8'));
}

/** A template without what depends on who synthesized it (CLI analytics, asset and path metadata). */
export function comparable(template: Template): Template {
  const resources = Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type !== 'AWS::CDK::Metadata')
      .map(([id, { Metadata: _metadata, ...resource }]) => [id, resource]),
  );
  const { Conditions: _conditions, ...rest } = template;
  return { ...rest, Resources: resources };
}

export function functionAssetKeys(template: Template): string[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function' && typeof resource.Properties?.['Code']?.S3Key === 'string')
    .map((resource) => resource.Properties!['Code'].S3Key as string);
}

/** The variants the repository's own constructs give, synthesized into `outdir`. */
export function synthesizeVariantsHere(outdir: string): void {
  const app = new App({ outdir, context: FEATURE_FLAGS });
  for (const [name, variant] of Object.entries(VARIANTS)) {
    const stack = new Stack(app, `Variant-${name}`);
    new MeterIngestionPipeline(stack, 'Pipeline', { pipelineName: name, ...variantProps(stack, variant) });
  }
  for (const [name, sender] of Object.entries(SENDERS)) {
    new MeterRecordSenderStack(app, `Sender-${name}`, { sender, env: { region: 'us-east-1' } });
  }
  app.synth();
}

export interface Consumer {
  readonly dir: string;
  readonly tarball: string;
}

/**
 * `npm pack` of the repository installed with `packages` (this repository's versions, or an alias's) into a new
 * app named `name`, with the variants app and its fixtures, its own cdk.json (telemetry off) and tsconfig.json.
 */
export function installConsumer(name: string, packages: readonly (string | AliasedPackage)[]): Consumer {
  for (const built of ['dist/construct/index.mjs', 'dist/transform/index.mjs', 'dist/relay/index.mjs', 'dist/tools/cli.mjs']) {
    if (!existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), `meter-firehose-${name}-`));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT })) as { filename: string }[];
  const tarball = path.join(dir, packed[0]!.filename);
  const { dependencies, lock } = consumerLock(
    name,
    path.join(ROOT, 'package-lock.json'),
    { file: tarball, path: path.basename(tarball), version: PACKAGE.version, packageName: PACKAGE.name, bin: PACKAGE.bin },
    packages,
  );
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', dependencies }, null, 2));
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: `node ${TSX} app.ts`, context: { 'cli-telemetry': false, ...FEATURE_FLAGS } }, null, 2));
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['app.ts'] }),
  );
  for (const file of ['variants.ts', 'variant-props.ts']) copyFileSync(path.join(FIXTURES, file), path.join(dir, file));
  for (const file of ['variants.json', 'senders.json']) copyFileSync(path.join(FIXTURES, file), path.join(dir, file));
  run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir });
  return { dir, tarball };
}

/** `cdk synth` of the consumer's variants app into cdk.out/variants. */
export function synthesizeVariants(consumerDir: string): string {
  const outdir = path.join(consumerDir, 'cdk.out/variants');
  run(process.execPath, [CDK, 'synth', '--quiet', '-o', outdir, '--app', `node ${TSX} variants.ts`], { cwd: consumerDir });
  return outdir;
}

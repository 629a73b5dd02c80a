/**
 * The construct package as a consumer meets it: `npm pack` of this repository, installed with `aws-cdk-lib`,
 * `constructs` and `cdk-nag` into a CDK app outside the repository (offline, from the cache `npm ci` filled), and
 * synthesized by the CDK CLI: the README's example (two pipelines beside the user's own resources, cdk-nag on)
 * and one stack per source and delivery mode, whose templates must equal the repository's own.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, FileSystem, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeterIngestionPipeline, MeterRecordSenderStack, type MeterRecordSenderProps } from '../../infra/index.ts';
import { variantProps, type Variant } from './fixtures/variant-props.ts';
import { consumerLock } from '../support/consumer-lock.ts';
import { FEATURE_FLAGS } from '../infra/helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const EXAMPLE = path.join(ROOT, 'samples/cdk-app/app.ts');
const fixture = <T>(name: string): Record<string, T> => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
const VARIANTS = fixture<Variant>('variants.json');
const SENDERS = fixture<MeterRecordSenderProps>('senders.json');
/** Every stack the variants app synthesizes. */
const VARIANT_STACKS = [...Object.keys(VARIANTS).map((name) => `Variant-${name}`), ...Object.keys(SENDERS).map((name) => `Sender-${name}`)];
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const CDK = path.join(ROOT, 'node_modules/aws-cdk/bin/cdk');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
/** Packages a consumer's build would have to run: none may be installed with the construct. */
const BUILD_TOOLCHAIN = ['esbuild', 'assemblyscript', 'typescript', 'tsx', '@esbuild'];

function run(command: string, args: readonly string[], options: SpawnSyncOptions): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 240_000, ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}:\n${result.stderr}\n${result.stdout}`);
  }
  return String(result.stdout);
}

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: unknown }>; [section: string]: unknown };

function readTemplate(outdir: string, stackName: string): Template {
  return JSON.parse(readFileSync(path.join(outdir, `${stackName}.template.json`), 'utf8'));
}

/** A template without what depends on who synthesized it (CLI analytics, asset and path metadata). */
function comparable(template: Template): Template {
  const resources = Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type !== 'AWS::CDK::Metadata')
      .map(([id, { Metadata: _metadata, ...resource }]) => [id, resource]),
  );
  const { Conditions: _conditions, ...rest } = template;
  return { ...rest, Resources: resources };
}

function functionAssetKeys(template: Template): string[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function' && typeof resource.Properties?.['Code']?.S3Key === 'string')
    .map((resource) => resource.Properties!['Code'].S3Key as string);
}

function valuesOf(template: Template, type: string, property: string): string[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === type && typeof resource.Properties?.[property] === 'string')
    .map((resource) => resource.Properties![property] as string);
}

describe('the construct package in a CDK app of its own', () => {
  let consumer: string;
  let tarball: string;
  let example: Template;

  beforeAll(() => {
    for (const built of ['dist/construct/index.mjs', 'dist/transform/index.mjs', 'dist/relay/index.mjs']) {
      if (!existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
    }
    consumer = mkdtempSync(path.join(tmpdir(), 'meter-firehose-consumer-'));
    const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', consumer], { cwd: ROOT })) as { filename: string }[];
    tarball = path.join(consumer, packed[0]!.filename);

    const { dependencies, lock } = consumerLock(
      'billing',
      path.join(ROOT, 'package-lock.json'),
      { file: tarball, path: path.basename(tarball), version: PACKAGE.version, packageName: PACKAGE.name },
      ['aws-cdk-lib', 'constructs', 'cdk-nag'],
    );
    writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'billing', private: true, type: 'module', dependencies }, null, 2));
    writeFileSync(path.join(consumer, 'package-lock.json'), JSON.stringify(lock, null, 2));
    writeFileSync(path.join(consumer, 'cdk.json'), JSON.stringify({ app: `node ${TSX} app.ts`, context: FEATURE_FLAGS }, null, 2));
    writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['app.ts'] }),
    );
    copyFileSync(EXAMPLE, path.join(consumer, 'app.ts'));
    for (const file of ['variants.ts', 'variant-props.ts']) copyFileSync(path.join(FIXTURES, file), path.join(consumer, file));
    for (const file of ['variants.json', 'senders.json']) copyFileSync(path.join(FIXTURES, file), path.join(consumer, file));

    run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: consumer });
    run(process.execPath, [CDK, 'synth', '--quiet', '-o', 'cdk.out/example'], { cwd: consumer });
    run(process.execPath, [CDK, 'synth', '--quiet', '-o', 'cdk.out/variants', '--app', `node ${TSX} variants.ts`], { cwd: consumer });
    example = readTemplate(path.join(consumer, 'cdk.out/example'), 'Billing');
  }, 600_000);

  afterAll(() => {
    if (consumer !== undefined) rmSync(consumer, { recursive: true, force: true });
  });

  it('is the example the README shows, verbatim', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${readFileSync(EXAMPLE, 'utf8')}\`\`\``);
  });

  it('installs nothing but the construct and its peers: no build toolchain, no dependencies of its own', () => {
    expect(PACKAGE.dependencies ?? {}).toEqual({});
    expect(Object.keys(PACKAGE.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
    const installed = readdirSync(path.join(consumer, 'node_modules'));
    expect(installed).toContain(PACKAGE.name);
    for (const tool of BUILD_TOOLCHAIN) expect(installed).not.toContain(tool);
    const shipped = readdirSync(path.join(consumer, 'node_modules', PACKAGE.name, 'dist')).sort();
    expect(shipped).toEqual(['construct', 'relay', 'transform']);
  });

  it('loads as ESM, and with require() from CommonJS, with the runtime exports of infra/index.ts', async () => {
    const expected = Object.keys(await import('../../infra/index.ts')).sort().join(',');
    expect(expected).toContain('MeterIngestionPipeline,');
    const exported = (loader: string) => run(process.execPath, ['--input-type=module', '-e', loader], { cwd: consumer }).trim();
    expect(exported("const m = await import('cdk-meter-firehose'); console.log(Object.keys(m).sort().join(','))")).toBe(expected);
    const required = run(process.execPath, ['-e', "console.log(Object.keys(require('cdk-meter-firehose')).sort().join(','))"], { cwd: consumer });
    expect(required.trim()).toBe(expected);
  });

  it('type-checks against the declarations the package exports', () => {
    run(process.execPath, [TSC, '-p', consumer], { cwd: consumer });
  });

  it('synthesizes two pipelines beside the user\'s resources with cdk-nag on, and they share no name', () => {
    expect(Object.keys(example.Resources).some((id) => id.startsWith('ProductionApiLogs'))).toBe(true);
    for (const [type, property] of [
      ['AWS::Logs::LogGroup', 'LogGroupName'],
      ['AWS::CloudWatch::Dashboard', 'DashboardName'],
      ['AWS::KinesisFirehose::DeliveryStream', 'DeliveryStreamName'],
      ['AWS::CloudWatch::Alarm', 'AlarmName'],
      ['AWS::Logs::AccountPolicy', 'PolicyName'],
    ] as const) {
      const names = valuesOf(example, type, property);
      expect(new Set(names).size, `${type} ${property}: ${names.join(', ')}`).toBe(names.length);
    }
    expect(valuesOf(example, 'AWS::CloudWatch::Dashboard', 'DashboardName').sort()).toEqual(['meters-production', 'meters-staging']);
    const logGroups = valuesOf(example, 'AWS::Logs::LogGroup', 'LogGroupName');
    expect(logGroups.filter((name) => name.startsWith('/meter-firehose/meters-production/'))).toHaveLength(2);
    expect(logGroups.filter((name) => name.startsWith('/meter-firehose/meters-staging/'))).toHaveLength(3);
    expect(Object.values(example.Resources).filter((r) => r.Type === 'AWS::Logs::SubscriptionFilter').map((r) => r.Properties!['LogGroupName']).sort()).toEqual([
      '/aws/lambda/production-api',
      '/aws/lambda/staging-api',
    ]);
    expect(Object.keys(example['Outputs'] as object).sort()).toEqual(['ProductionFirehoseRoleArn', 'StagingDeliveryStreamName']);
  });

  it('deploys the bundles the tests ran: each function asset hash is that of dist/transform or dist/relay', () => {
    const tested = ['transform', 'relay'].map((name) => `${FileSystem.fingerprint(path.join(ROOT, 'dist', name))}.zip`);
    expect(new Set(functionAssetKeys(example))).toEqual(new Set(tested));
  });

  it('gives, for every source, delivery mode and the sender side, the template the repository\'s own constructs give', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'meter-firehose-variants-'));
    try {
      const app = new App({ outdir, context: FEATURE_FLAGS });
      for (const [name, variant] of Object.entries(VARIANTS)) {
        const stack = new Stack(app, `Variant-${name}`);
        new MeterIngestionPipeline(stack, 'Pipeline', { pipelineName: name, ...variantProps(stack, variant) });
      }
      for (const [name, sender] of Object.entries(SENDERS)) {
        new MeterRecordSenderStack(app, `Sender-${name}`, { sender, env: { region: 'us-east-1' } });
      }
      app.synth();
      for (const stackName of VARIANT_STACKS) {
        const theirs = readTemplate(path.join(consumer, 'cdk.out/variants'), stackName);
        expect(comparable(theirs), stackName).toEqual(comparable(readTemplate(outdir, stackName)));
        if (stackName.startsWith('Variant-')) expect(functionAssetKeys(theirs).length, stackName).toBeGreaterThan(0);
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('passes cfn-lint with no error, for the example and every variant', () => {
    const templates = [path.join(consumer, 'cdk.out/example/Billing.template.json')].concat(
      VARIANT_STACKS.map((stackName) => path.join(consumer, 'cdk.out/variants', `${stackName}.template.json`)),
    );
    const lint = spawnSync('cfn-lint', ['--format', 'parseable', '--', ...templates], { encoding: 'utf8', timeout: 240_000 });
    expect(lint.error).toBeUndefined();
    const errors = lint.stdout.split('\n').filter((line) => /:E\d{4}:/.test(line));
    expect(errors).toEqual([]);
    // cfn-lint's exit status is a bit mask: 2 means errors.
    expect((lint.status ?? 2) & 2, lint.stdout + lint.stderr).toBe(0);
  });
});

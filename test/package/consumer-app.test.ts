/**
 * The construct package as a consumer meets it: `npm pack` of this repository, installed with `aws-cdk-lib`,
 * `constructs` and `cdk-nag` into a CDK app outside the repository (offline, from the cache `npm ci` filled), and
 * synthesized by the CDK CLI: the README's example (two pipelines beside the user's own resources, cdk-nag on)
 * and one stack per source and delivery mode, whose templates must equal the repository's own.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileSystem } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cfnLint } from '../support/cfn-lint.ts';
import {
  CDK,
  PACKAGE,
  ROOT,
  VARIANT_STACKS,
  comparable,
  functionAssetKeys,
  installConsumer,
  readTemplate,
  run,
  synthesizeVariants,
  synthesizeVariantsHere,
  type Template,
} from '../support/consumer-app.ts';

const EXAMPLE = path.join(ROOT, 'samples/cdk-app/app.ts');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
/** Packages a consumer's build would have to run: none may be installed with the construct. */
const BUILD_TOOLCHAIN = ['esbuild', 'assemblyscript', 'typescript', 'tsx', '@esbuild'];

function valuesOf(template: Template, type: string, property: string): string[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === type && typeof resource.Properties?.[property] === 'string')
    .map((resource) => resource.Properties![property] as string);
}

describe('the construct package in a CDK app of its own', () => {
  let consumer: string;
  let variants: string;
  let example: Template;

  beforeAll(() => {
    ({ dir: consumer } = installConsumer('billing', ['aws-cdk-lib', 'constructs', 'cdk-nag']));
    copyFileSync(EXAMPLE, path.join(consumer, 'app.ts'));
    run(process.execPath, [CDK, 'synth', '--quiet', '-o', 'cdk.out/example'], { cwd: consumer });
    variants = synthesizeVariants(consumer);
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
    expect(shipped).toEqual(['construct', 'reconcile', 'relay', 'tools', 'transform']);
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
    expect(logGroups.filter((name) => name.startsWith('/meter-firehose/meters-production/'))).toHaveLength(3);
    expect(logGroups.filter((name) => name.startsWith('/meter-firehose/meters-staging/'))).toHaveLength(4);
    expect(Object.values(example.Resources).filter((r) => r.Type === 'AWS::Logs::SubscriptionFilter').map((r) => r.Properties!['LogGroupName']).sort()).toEqual([
      '/aws/lambda/production-api',
      '/aws/lambda/staging-api',
    ]);
    expect(Object.keys(example['Outputs'] as object).sort()).toEqual(['ProductionFirehoseRoleArn', 'StagingDeliveryStreamName']);
  });

  it('deploys the bundles the tests ran: each function asset hash is that of dist/transform, dist/relay or dist/reconcile', () => {
    const tested = ['transform', 'relay', 'reconcile'].map((name) => `${FileSystem.fingerprint(path.join(ROOT, 'dist', name))}.zip`);
    expect(new Set(functionAssetKeys(example))).toEqual(new Set(tested));
  });

  it('gives, for every source, delivery mode and the sender side, the template the repository\'s own constructs give', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'meter-firehose-variants-'));
    try {
      synthesizeVariantsHere(outdir);
      for (const stackName of VARIANT_STACKS) {
        const theirs = readTemplate(variants, stackName);
        expect(comparable(theirs), stackName).toEqual(comparable(readTemplate(outdir, stackName)));
        if (stackName.startsWith('Variant-')) expect(functionAssetKeys(theirs).length, stackName).toBeGreaterThan(0);
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('passes cfn-lint with no error, for the example and every variant', () => {
    const templates = [path.join(consumer, 'cdk.out/example/Billing.template.json')].concat(
      VARIANT_STACKS.map((stackName) => path.join(variants, `${stackName}.template.json`)),
    );
    const lint = cfnLint(['--format', 'parseable', '--', ...templates]);
    expect(lint.error).toBeUndefined();
    const errors = lint.stdout.split('\n').filter((line) => /:E\d{4}:/.test(line));
    expect(errors).toEqual([]);
    // cfn-lint's exit status is a bit mask: 2 means errors.
    expect((lint.status ?? 2) & 2, lint.stdout + lint.stderr).toBe(0);
  });
});

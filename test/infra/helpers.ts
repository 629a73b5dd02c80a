import { cfnLint } from '../support/cfn-lint.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import type { PipelineSettings } from '../../infra/config.ts';
import { MeterIngestionPipeline, type MeterIngestionPipelineProps } from '../../infra/index.ts';
import { MeterFirehoseStack } from '../../infra/stack.ts';

export const BUCKET = 'amberflo-test-bucket';

/** The feature flags cdk.json sets, so that tests synthesize what `cdk synth` and `cdk deploy` do. */
export const FEATURE_FLAGS: Record<string, unknown> = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context).filter(([key]) =>
    key.startsWith('@aws-cdk'),
  ),
);

export interface Synthesized {
  readonly app: App;
  readonly stack: MeterFirehoseStack;
  readonly template: Template;
}

/** Synthesizes the app's stack without bundling the transform (the entry file must still exist). */
export function synth(
  pipeline: Partial<PipelineSettings> = {},
  alarmTopicArn?: string,
  featureFlags: Record<string, unknown> = FEATURE_FLAGS,
): Synthesized {
  const app = new App({ context: { ...featureFlags, 'aws:cdk:bundling-stacks': [] } });
  const stack = new MeterFirehoseStack(app, 'Test', {
    pipeline: { amberfloBucketName: BUCKET, ...pipeline },
    ...(alarmTopicArn === undefined ? {} : { alarmTopicArn }),
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The construct alone in a stack (pipeline name `p`, no bundling), for checks of its props and resources. */
export function buildPipeline(props: Partial<MeterIngestionPipelineProps>): MeterIngestionPipeline {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new MeterIngestionPipeline(new Stack(app, 'Test'), 'Pipeline', {
    amberfloBucketName: BUCKET,
    pipelineName: 'p',
    ...props,
  });
}

/** The one resource of a type; throws unless there is exactly one. */
export function onlyResource(template: Template, type: string): { logicalId: string; properties: Record<string, any> } {
  const resources = Object.entries(template.findResources(type));
  if (resources.length !== 1) throw new Error(`expected one ${type}, found ${resources.length}`);
  const [logicalId, resource] = resources[0]!;
  return { logicalId, properties: resource.Properties };
}

/** A function of the pipeline by its construct id (`Transform`, `Forwarder`, `Reconcile`), the pipeline's id being `Pipeline`. */
export function pipelineFunction(template: Template, id: string): { logicalId: string; properties: Record<string, any> } {
  const matches = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([logicalId]) => new RegExp(`^Pipeline${id}[0-9A-F]{8}$`).test(logicalId));
  if (matches.length !== 1) throw new Error(`expected one function Pipeline${id}, found ${matches.length}`);
  const [logicalId, resource] = matches[0]!;
  return { logicalId, properties: resource.Properties };
}

/** Every acknowledged cdk-nag rule, by the construct path it was acknowledged on. */
export function acknowledgments(app: App): Record<string, string[]> {
  const byPath: Record<string, string[]> = {};
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      // cdk-nag reads acknowledgments of plugin rules in the unqualified form, recorded as 'Annotation::<rule>'.
      const ids = Object.keys(entry.data as Record<string, string>).map((id) => id.replace(/^Annotation::/, ''));
      (byPath[construct.node.path] ??= []).push(...ids);
    }
  }
  return byPath;
}

/** cfn-lint's exit status and findings (one per line) on a template. */
function lintTemplate(template: Template): { status: number | null; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'meter-firehose-lint-'));
  try {
    const file = path.join(dir, 'template.json');
    writeFileSync(file, JSON.stringify(template.toJSON()));
    const result = cfnLint(['--format', 'parseable', file]);
    return { status: result.status, output: result.stdout + result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** cfn-lint exits with bit 2 set for errors (bit 4: warnings, bit 8: informational). */
export function expectNoLintErrors(template: Template): void {
  const { status, output } = lintTemplate(template);
  expect(status === null ? -1 : status & 2, output).toBe(0);
  // The only warning allowed: CDK's explicit DependsOn beside an implicit one (W3005), harmless.
  const warnings = output.split('\n').filter((line) => line.includes(':W'));
  for (const warning of warnings) expect(warning).toMatch(/:W3005:/);
}

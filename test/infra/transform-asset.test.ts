import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeterFirehoseStack } from '../../infra/stack.ts';
import { BUCKET, pipelineFunction } from './helpers.ts';

describe('the deployed transform code', () => {
  let outdir: string;
  let assetDir: string;

  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'meter-firehose-asset-'));
    const app = new App({ outdir });
    const stack = new MeterFirehoseStack(app, 'Bundled', { pipeline: { amberfloBucketName: BUCKET } });
    const template = Template.fromStack(stack);
    app.synth();
    const fn = pipelineFunction(template, 'Transform').properties;
    const zip = (fn.Code as { S3Key: string }).S3Key;
    assetDir = path.join(outdir, `asset.${zip.replace(/\.zip$/, '')}`);
  });

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('is the split esbuild bundle: index.mjs, its source map and lazily loaded chunks', () => {
    expect(existsSync(assetDir)).toBe(true);
    expect(readdirSync(assetDir).sort()).toEqual(['chunks', 'index.mjs', 'index.mjs.map']);
    expect(readdirSync(path.join(assetDir, 'chunks')).some((name) => name.startsWith('reingest-targets-'))).toBe(true);
  });

  it('keeps the AWS SDK out of the file loaded at cold start', () => {
    const hotPath = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
    expect(hotPath.length).toBeLessThan(60 * 1024);
    expect(hotPath).not.toMatch(/@aws-sdk|smithy/);
    expect(hotPath).toMatch(/import\("\.\/chunks\/reingest-targets-[\w-]+\.mjs"\)/);
  });
});

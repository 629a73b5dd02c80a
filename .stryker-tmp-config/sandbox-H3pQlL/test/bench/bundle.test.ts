// @ts-nocheck
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeBundle, staticImports } from '../../bench/lib/bundle.ts';

describe('staticImports', () => {
  it('finds static imports and re-exports of relative modules, not import() or packages', () => {
    const code =
      'import{createRequire as r}from"node:module";import{a as b,c}from"./chunks/hot-1.mjs";import"./side.mjs";' +
      'export{d}from"../up.mjs";const s=()=>import("./chunks/sdk-2.mjs");';
    expect(staticImports(code)).toEqual(['./chunks/hot-1.mjs', './side.mjs', '../up.mjs']);
  });
});

describe('analyzeBundle', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  const bundleOf = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'chunks'));
    for (const [name, code] of Object.entries(files)) writeFileSync(join(dir, name), code);
    return dir;
  };

  it('counts the entry and its static imports as the hot path, import() targets as lazy', () => {
    const dir = bundleOf({
      'index.mjs': 'import{x}from"./chunks/shared.mjs";export const handler=()=>import("./chunks/sdk.mjs");',
      'chunks/shared.mjs': 'export const x=1;',
      'chunks/sdk.mjs': 'const ua="@aws-sdk/client-kinesis";import{x}from"./shared.mjs";',
      'index.mjs.map': '{}',
    });
    const result = analyzeBundle(dir);
    expect(result.files.map(({ file, hotPath, sdkMarkers }) => ({ file, hotPath, sdkMarkers }))).toEqual([
      { file: 'chunks/sdk.mjs', hotPath: false, sdkMarkers: ['@aws-sdk'] },
      { file: 'chunks/shared.mjs', hotPath: true, sdkMarkers: [] },
      { file: 'index.mjs', hotPath: true, sdkMarkers: [] },
    ]);
    expect(result.hotPathBytes).toBe(result.files[1]!.bytes + result.files[2]!.bytes);
    expect(result.lazyBytes).toBe(result.files[0]!.bytes);
    expect(result.sdkInHotPath).toBe(false);
  });

  it('reports the AWS SDK on the hot path when a statically imported chunk carries it', () => {
    const dir = bundleOf({
      'index.mjs': 'import{Client}from"./chunks/sdk.mjs";',
      'chunks/sdk.mjs': 'export class Client{} const m="@smithy/smithy-client";',
    });
    expect(analyzeBundle(dir).sdkInHotPath).toBe(true);
  });
});

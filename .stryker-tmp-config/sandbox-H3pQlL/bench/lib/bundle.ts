/**
 * Size of the transform bundle on its hot path: the entry file and every chunk it imports statically. Chunks
 * reached only through `import()` (the AWS SDK, for re-ingest) load lazily and are reported apart.
 */
// @ts-nocheck

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

/** Strings only the AWS SDK brings into a bundle. */
export const SDK_MARKERS = ['@aws-sdk', 'smithy'] as const;

export interface BundleFile {
  readonly file: string;
  readonly bytes: number;
  readonly hotPath: boolean;
  readonly sdkMarkers: readonly string[];
}

export interface BundleResult {
  readonly hotPathBytes: number;
  readonly lazyBytes: number;
  readonly sdkInHotPath: boolean;
  readonly files: readonly BundleFile[];
}

// `import{a as b}from"./chunk.mjs"`, `import"./chunk.mjs"` and `export{c}from"./chunk.mjs"`, not `import("…")`.
const STATIC_IMPORT = /\b(?:import|export)\s*(?:[^"'`();]*?\bfrom\s*)?["'](\.{1,2}\/[^"']+)["']/g;

export function staticImports(code: string): string[] {
  return [...code.matchAll(STATIC_IMPORT)].map((match) => match[1] as string);
}

export function analyzeBundle(dir: string, entry = 'index.mjs'): BundleResult {
  const hotPath = hotPathFiles(resolve(dir, entry));
  const files = moduleFiles(dir).map((path): BundleFile => {
    const code = readFileSync(path, 'utf8');
    return {
      file: relative(dir, path),
      bytes: statSync(path).size,
      hotPath: hotPath.has(path),
      sdkMarkers: SDK_MARKERS.filter((marker) => code.includes(marker)),
    };
  });
  const bytesWhere = (hot: boolean): number =>
    files.filter((file) => file.hotPath === hot).reduce((total, file) => total + file.bytes, 0);
  return {
    hotPathBytes: bytesWhere(true),
    lazyBytes: bytesWhere(false),
    sdkInHotPath: files.some((file) => file.hotPath && file.sdkMarkers.length > 0),
    files,
  };
}

function hotPathFiles(entry: string): Set<string> {
  const reached = new Set<string>();
  const pending = [entry];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (reached.has(path)) continue;
    reached.add(path);
    for (const specifier of staticImports(readFileSync(path, 'utf8'))) pending.push(resolve(dirname(path), specifier));
  }
  return reached;
}

function moduleFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.mjs'))
    .map((name) => resolve(dir, name))
    .sort();
}

/**
 * The transform Lambda's bundle, one definition for `npm run build` and for `cdk synth`, so what is tested,
 * benchmarked and run locally is byte for byte what is deployed: ESM for the Lambda's Node.js, minified, with source maps,
 * and code splitting, which puts the AWS SDK (needed only to re-ingest) in a chunk loaded on first use.
 */
import { buildSync, type BuildOptions } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { bundleTargetOf, DEFAULT_LAMBDA_RUNTIME, type LambdaRuntime } from '../infra/lambda-runtime.ts';
import { compileScanner, WASM_LOADER } from './scanner-wasm.ts';

/** ESM bundles of CommonJS dependencies (the AWS SDK) need a require() of their own. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * What every Lambda bundle of the project is: `handler` as `outdir/index.mjs`, ESM for `runtime`'s Node.js
 * (`npm run build`: the default runtime's), minified, with source maps, WebAssembly modules embedded.
 */
export function lambdaBuildOptions(projectRoot: string, outdir: string, handler: string, runtime = DEFAULT_LAMBDA_RUNTIME): BuildOptions {
  return {
    absWorkingDir: projectRoot,
    entryPoints: { index: path.join(projectRoot, handler) },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: bundleTargetOf(runtime),
    format: 'esm',
    minify: true,
    sourcemap: true,
    banner: { js: ESM_REQUIRE_BANNER },
    loader: WASM_LOADER,
    logLevel: 'warning',
  };
}

export function transformBuildOptions(projectRoot: string, outdir: string, runtime = DEFAULT_LAMBDA_RUNTIME): BuildOptions {
  return { ...lambdaBuildOptions(projectRoot, outdir, 'transform/handler.ts', runtime), splitting: true, chunkNames: 'chunks/[name]-[hash]' };
}

/** Where `npm run build` puts a function's bundle: `dist/<name>`. */
export function distDirOf(projectRoot: string, name: string): string {
  return path.join(projectRoot, 'dist', name);
}

/**
 * Builds `options` as if into their own `outdir` and writes the files into `outdir`. Source maps name sources
 * relative to the output, so this keeps a bundle written anywhere (CDK's staging directory at synth time) byte
 * for byte the one `npm run build` writes to dist/: the same files, the same asset hash.
 */
export function buildSyncInto(options: BuildOptions, outdir: string): void {
  const layoutDir = options.outdir;
  if (layoutDir === undefined) throw new Error('buildSyncInto needs options with an outdir');
  for (const file of buildSync({ ...options, write: false }).outputFiles) {
    const target = path.join(outdir, path.relative(layoutDir, file.path));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.contents);
  }
}

/**
 * Compiles the WebAssembly scanner if its sources changed, then bundles the transform, laid out as in
 * dist/transform, into `outdir` (index.mjs, chunks/) for `runtime`; synchronous, as CDK's local bundling requires.
 */
export function bundleTransform(projectRoot: string, outdir: string, runtime: LambdaRuntime = DEFAULT_LAMBDA_RUNTIME): void {
  compileScanner(projectRoot);
  buildSyncInto(transformBuildOptions(projectRoot, distDirOf(projectRoot, 'transform'), runtime), outdir);
}

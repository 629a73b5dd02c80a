/**
 * The relay forwarder Lambda's bundle, one definition for `npm run build` and for `cdk synth`: ESM for node22,
 * minified, with source maps. One file: the S3 and Secrets Manager clients are used on every invocation.
 */
// @ts-nocheck

import { buildSync, type BuildOptions } from 'esbuild';
import * as path from 'node:path';
import { ESM_REQUIRE_BANNER } from './transform-bundle.ts';

export function relayBuildOptions(projectRoot: string, outdir: string): BuildOptions {
  return {
    absWorkingDir: projectRoot,
    entryPoints: { index: path.join(projectRoot, 'relay', 'handler.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: true,
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'warning',
  };
}

/** Bundles the forwarder into `outdir/index.mjs`; synchronous, as CDK's local bundling requires. */
export function bundleRelay(projectRoot: string, outdir: string): void {
  buildSync(relayBuildOptions(projectRoot, outdir));
}

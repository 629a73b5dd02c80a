/**
 * The published package ships one bundle per function (infra/pipeline/lambda-code.prebuilt.ts), built for the
 * default runtime: it serves every runtime `lambdaRuntime` accepts only while esbuild writes the same bytes for
 * each one's target. Should a change need a newer language feature lowered for an older line, this fails, and
 * the package must ship a bundle per runtime.
 */
import { buildSync, type BuildOptions } from 'esbuild';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reconcileBuildOptions } from '../../build/reconcile-bundle.ts';
import { relayBuildOptions } from '../../build/relay-bundle.ts';
import { compileScanner } from '../../build/scanner-wasm.ts';
import { transformBuildOptions } from '../../build/transform-bundle.ts';
import { bundleTargetOf, DEFAULT_LAMBDA_RUNTIME, LAMBDA_RUNTIMES, type LambdaRuntime } from '../../infra/lambda-runtime.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const OUT = path.join(ROOT, 'dist/runtime-targets');

function files(options: BuildOptions): Record<string, string> {
  const built = buildSync({ ...options, write: false, logLevel: 'silent' });
  return Object.fromEntries(built.outputFiles.map((file) => [path.relative(OUT, file.path), file.hash]));
}

describe.each([
  ['transform', (runtime: LambdaRuntime) => transformBuildOptions(ROOT, OUT, runtime)],
  ['relay', (runtime: LambdaRuntime) => relayBuildOptions(ROOT, OUT, runtime)],
  ['reconcile', (runtime: LambdaRuntime) => reconcileBuildOptions(ROOT, OUT, runtime)],
])('the %s bundle', (_name, optionsFor) => {
  it(`is built for ${LAMBDA_RUNTIMES.map(bundleTargetOf).join(' and ')}, the same bytes for each`, () => {
    compileScanner(ROOT);
    expect(optionsFor(DEFAULT_LAMBDA_RUNTIME).target).toBe('node24');
    const byRuntime = LAMBDA_RUNTIMES.map((runtime) => {
      expect(optionsFor(runtime).target).toBe(bundleTargetOf(runtime));
      return files(optionsFor(runtime));
    });
    expect(Object.keys(byRuntime[0] ?? {})).toContain('index.mjs');
    for (const built of byRuntime.slice(1)) expect(built).toEqual(byRuntime[0]);
  });
});

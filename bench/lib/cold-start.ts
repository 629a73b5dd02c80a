/** Cold start: importing the transform bundle in a fresh Node.js process, as a Lambda init does. */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { median, percentile } from './stats.ts';

export interface Spread {
  readonly median: number;
  readonly p90: number;
}

export interface ColdStartResult {
  readonly runs: number;
  /** `await import()` of the bundle, timed inside the fresh process. */
  readonly importMs: Spread;
  /** Wall time of the whole process that imports the bundle, from spawn to exit. */
  readonly processMs: Spread;
  /** Wall time of a process that imports nothing: what Node.js itself costs on this machine. */
  readonly bareProcessMs: Spread;
}

const IMPORT_SCRIPT =
  'const start = performance.now(); await import(process.argv[1]); console.log(performance.now() - start);';

export function measureColdStart(bundle: string, runs: number, env: NodeJS.ProcessEnv): ColdStartResult {
  const bundleUrl = pathToFileURL(bundle).href;
  // One discarded run of each, so every measured run finds the files in the page cache.
  runNode(['-e', IMPORT_SCRIPT, bundleUrl], env);
  runNode(['-e', ''], env);
  const importMs: number[] = [];
  const processMs: number[] = [];
  const bareProcessMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const imported = runNode(['-e', IMPORT_SCRIPT, bundleUrl], env);
    importMs.push(Number(imported.stdout.trim().split('\n').at(-1)));
    processMs.push(imported.wallMs);
    bareProcessMs.push(runNode(['-e', ''], env).wallMs);
  }
  return { runs, importMs: spread(importMs), processMs: spread(processMs), bareProcessMs: spread(bareProcessMs) };
}

function runNode(args: readonly string[], env: NodeJS.ProcessEnv): { readonly stdout: string; readonly wallMs: number } {
  const start = performance.now();
  const child = spawnSync(process.execPath, ['--input-type=module', ...args], { env, encoding: 'utf8' });
  const wallMs = performance.now() - start;
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${child.stderr}`);
  return { stdout: child.stdout, wallMs };
}

function spread(samples: readonly number[]): Spread {
  return { median: median(samples), p90: percentile(samples, 0.9) };
}

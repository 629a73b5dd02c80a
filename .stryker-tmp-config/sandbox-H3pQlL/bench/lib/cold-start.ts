/**
 * Cold start as Lambda's Node.js runtime goes through it: a fresh process imports the handler module (the
 * runtime's `await import()` of the bundle, which Lambda bills as part of the Init phase), then handles its
 * first invocation with nothing compiled yet.
 */
// @ts-nocheck

import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { InvocationFile } from './memory.ts';
import { median, percentile } from './stats.ts';

export interface Spread {
  readonly median: number;
  readonly p90: number;
}

export interface ColdStartResult {
  readonly runs: number;
  /** What the first invocation holds. */
  readonly invocation: InvocationFile;
  /** `await import()` of the bundle, timed inside the fresh process. */
  readonly importMs: Spread;
  /** The first invocation right after the import, on the invocation in the event file. */
  readonly firstInvocationMs: Spread;
  /** Wall time of the whole process that imports the bundle and handles the invocation, from spawn to exit. */
  readonly processMs: Spread;
  /** Wall time of a process that imports nothing: what Node.js itself costs on this machine. */
  readonly bareProcessMs: Spread;
}

/** The runtime's part: import the handler module, then call its handler once. Prints both timings, last. */
const RUNTIME_SCRIPT = [
  "import { readFileSync } from 'node:fs';",
  'const start = performance.now();',
  'const { handler } = await import(process.argv[1]);',
  'const imported = performance.now();',
  "const event = JSON.parse(readFileSync(process.argv[2], 'utf8'));",
  'const invoking = performance.now();',
  'await handler(event);',
  'console.log(JSON.stringify({ importMs: imported - start, firstInvocationMs: performance.now() - invoking }));',
].join('\n');

interface RuntimeTimings {
  readonly importMs: number;
  readonly firstInvocationMs: number;
}

/** Runs `runs` fresh processes that import `bundle` and handle the invocation written to `eventFile`. */
export function measureColdStart(
  bundle: string,
  eventFile: string,
  invocation: InvocationFile,
  runs: number,
  env: NodeJS.ProcessEnv,
): ColdStartResult {
  const args = ['-e', RUNTIME_SCRIPT, pathToFileURL(bundle).href, eventFile];
  // One discarded run of each, so every measured run finds the files in the page cache.
  runNode(args, env);
  runNode(['-e', ''], env);
  const timings: RuntimeTimings[] = [];
  const processMs: number[] = [];
  const bareProcessMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const runtime = runNode(args, env);
    timings.push(JSON.parse(runtime.stdout.trim().split('\n').at(-1) ?? '') as RuntimeTimings);
    processMs.push(runtime.wallMs);
    bareProcessMs.push(runNode(['-e', ''], env).wallMs);
  }
  return {
    runs,
    invocation,
    importMs: spread(timings.map((timing) => timing.importMs)),
    firstInvocationMs: spread(timings.map((timing) => timing.firstInvocationMs)),
    processMs: spread(processMs),
    bareProcessMs: spread(bareProcessMs),
  };
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

/** Runs CLI commands in-process (fast) or as `node dist/tools/cli.mjs` (the shipped artefact). */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { main } from '../../tools/cli.ts';
import { NOW_VARIABLE } from '../../tools/lib/cli/clock.ts';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(argv: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

/** The exit status, with the command's output as the failure message so a failing run explains itself. */
export function exitCodeOf(result: CliResult): [number, string] {
  return [result.code, `exit ${result.code}\nstderr:\n${result.stderr.slice(0, 4000)}\nstdout:\n${result.stdout.slice(0, 4000)}`];
}

/** JSON printed by a `--json` command; fails with its stderr when it printed none. */
export function jsonOf<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`expected JSON on stdout (exit ${result.code}); stderr:\n${result.stderr}\nstdout:\n${result.stdout}`);
  }
}

/**
 * The transform bundle under test: dist/transform/index.mjs (`npm test` builds it first), or another bundle
 * named by TRANSFORM_BUNDLE.
 */
export function transformBundle(): string {
  const path = resolve(process.env['TRANSFORM_BUNDLE'] ?? 'dist/transform/index.mjs');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` before these tests (npm test does)`);
  return path;
}

export const CLI_BUNDLE = resolve('dist/tools/cli.mjs');

export function runBuiltCli(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  if (!existsSync(CLI_BUNDLE)) throw new Error(`${CLI_BUNDLE} is missing: run \`npm run build\` before these tests (npm test does)`);
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [CLI_BUNDLE, ...argv], { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** A time on the day of the bundled samples and the tests' fixtures (2026-11-25), after all of their events. */
export const FIXTURES_DAY = '2026-11-25T12:00:00Z';

/**
 * Pins the CLI's now (METER_FIREHOSE_NOW) to the fixtures' day for the in-process commands of one test file, so
 * that a local replay judges their dated records as on that day, whatever today's date.
 */
export function pinClockToFixtures(): void {
  let before: string | undefined;
  beforeAll(() => {
    before = process.env[NOW_VARIABLE];
    process.env[NOW_VARIABLE] = FIXTURES_DAY;
  });
  afterAll(() => {
    if (before === undefined) delete process.env[NOW_VARIABLE];
    else process.env[NOW_VARIABLE] = before;
  });
}

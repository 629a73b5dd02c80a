/**
 * Each measurement that runs the transform runs in a process of its own, forked from the benchmark: no
 * measurement inherits another's heap, and the transform's logs (its stdout) stay out of the report.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ENV } from '../../transform/config.ts';

/**
 * The benchmark sizes invocations so nothing is re-ingested; should a change make the transform re-ingest
 * anyway, it fails at once (there is no AWS here) instead of retrying, and the record counts report it. The
 * AWS SDK's notice about an old Node.js (`--node` may name one) stays out of the report.
 */
export const TRANSFORM_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  [ENV.reingestMaxAttempts]: '1',
  [ENV.reingestBaseDelayMs]: '0',
};

/** A bundled benchmark entry point next to this one: dist/bench/<name>.mjs. */
export function benchEntry(name: string): string {
  return fileURLToPath(new URL(`./${name}.mjs`, import.meta.url));
}

/** Runs a benchmark entry point in a fresh process and resolves with the result it reports. */
export function runEntry<Result>(name: string, args: readonly string[] = []): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(benchEntry(name), args, {
      execArgv: ['--expose-gc'],
      env: TRANSFORM_ENV,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const results: Result[] = [];
    child.on('message', (message) => results.push(message as Result));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const [result] = results;
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`${name} ${args.join(' ')} exited with ${signal ?? code} and no result`));
    });
  });
}

/** Hands an entry point's result to the benchmark that forked it, or prints it when run on its own. */
export async function reportResult(result: unknown): Promise<void> {
  const send = process.send?.bind(process);
  if (send === undefined) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  await new Promise<void>((resolve, reject) => send(result, undefined, {}, (error) => (error ? reject(error) : resolve())));
  process.disconnect();
}

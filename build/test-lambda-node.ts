/**
 * `npm run test:lambda-node` (part of `npm test`): the suites of vitest.lambda-node.config.ts, run by vitest on
 * each Node.js line the Lambda functions may run on (build/lambda-node.ts), the default runtime's first. Fails,
 * saying why, when one is missing: a machine that cannot run them does not pass the tests.
 * `--runtime nodejs22.x` runs one line only; other arguments go to vitest.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { isLambdaRuntime, LAMBDA_RUNTIMES, nodeMajorOf } from '../infra/lambda-runtime.ts';
import { findLambdaNode, lambdaNodeEnv, shadowingNodeLink } from './lambda-node.ts';

const root = path.resolve(import.meta.dirname, '..');
const link = shadowingNodeLink(root);
if (link !== undefined) {
  throw new Error(
    `${link} makes every node of npm scripts and npx a Lambda's Node.js, so the suites meant for yours ran on it; ` +
      'npm ci removes it (the prepare script): run npm run prepare, then npm test again',
  );
}

const args = process.argv.slice(2);
const runtimeAt = args.indexOf('--runtime');
const requested = runtimeAt === -1 ? undefined : args.splice(runtimeAt, 2)[1];
if (requested !== undefined && !isLambdaRuntime(requested)) {
  throw new Error(`--runtime must be one of ${LAMBDA_RUNTIMES.join(', ')}, got ${requested}`);
}

for (const runtime of requested === undefined ? LAMBDA_RUNTIMES : [requested]) {
  const major = nodeMajorOf(runtime);
  const node = findLambdaNode(root, major);
  process.stderr.write(`test:lambda-node: ${runtime}, vitest on Node.js ${node.version} (${path.relative(root, node.path) || node.path})\n`);
  const vitest = spawnSync(
    node.path,
    [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.lambda-node.config.ts', ...args],
    // The suites check they run on the binary found here (test/lambda-node/runtime.lambda-node.test.ts).
    { cwd: root, stdio: 'inherit', env: { ...process.env, [lambdaNodeEnv(major)]: node.path } },
  );
  if (vitest.error !== undefined) throw vitest.error;
  if (vitest.status !== 0) {
    process.exitCode = vitest.status ?? 1;
    break;
  }
}

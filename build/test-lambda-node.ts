/**
 * `npm run test:node22` (part of `npm test`): the suites of vitest.node22.config.ts, run by vitest on the
 * Node.js the Lambda functions run on (build/lambda-node.ts). Fails, saying why, when there is none: a machine
 * that cannot run them does not pass the tests. Arguments go to vitest.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { findLambdaNode, LAMBDA_NODE_ENV, shadowingNodeLink } from './lambda-node.ts';

const root = path.resolve(import.meta.dirname, '..');
const link = shadowingNodeLink(root);
if (link !== undefined) {
  throw new Error(
    `${link} makes every node of npm scripts and npx the Lambda's Node.js, so the suites meant for yours ran on it; ` +
      'npm ci removes it (the prepare script): run npm run prepare, then npm test again',
  );
}
const node = findLambdaNode(root);
process.stderr.write(`test:node22: vitest on Node.js ${node.version} (${path.relative(root, node.path) || node.path})\n`);
const vitest = spawnSync(
  node.path,
  [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.node22.config.ts', ...process.argv.slice(2)],
  // The suites check they run on the binary found here (test/lambda-node/runtime.node22.test.ts).
  { cwd: root, stdio: 'inherit', env: { ...process.env, [LAMBDA_NODE_ENV]: node.path } },
);
if (vitest.error !== undefined) throw vitest.error;
process.exitCode = vitest.status ?? 1;

/**
 * `npm run test:node` (part of `npm test`): vitest over every suite (vitest.config.ts) on a Node.js line the
 * project supports (package.json `engines`: the Lambda's lines, build/lambda-node.ts): yours when it is one of
 * them, else the Lambda's default line from node_modules, saying so. A machine whose own Node.js is older (or
 * newer and not yet tested) still tests the CLI and the CDK app where they are supported. Arguments go to vitest.
 */
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { findLambdaNode, LAMBDA_NODE_MAJORS, majorOf, type NodeBinary } from './lambda-node.ts';

const root = path.resolve(import.meta.dirname, '..');
const yours: NodeBinary = { path: realpathSync(process.execPath), version: process.version };
let node = yours;
if (!LAMBDA_NODE_MAJORS.includes(majorOf(yours.version))) {
  node = findLambdaNode(root);
  process.stderr.write(
    `test:node: Node.js ${yours.version} is not a line this project supports (${LAMBDA_NODE_MAJORS.join(', ')}); ` +
      `vitest runs on Node.js ${node.version} (${path.relative(root, node.path)})\n`,
  );
}
const vitest = spawnSync(node.path, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
if (vitest.error !== undefined) throw vitest.error;
process.exitCode = vitest.status ?? 1;

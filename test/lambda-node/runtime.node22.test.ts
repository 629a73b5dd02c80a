/** Run by `npm run test:node22` only (vitest.node22.config.ts): proves that run is on the Lambda's Node.js. */
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLambdaNode, LAMBDA_NODE_MAJOR, majorOf } from '../../build/lambda-node.ts';
import { lambdaBuildOptions } from '../../build/transform-bundle.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('the Lambda suites', () => {
  it(`run on Node.js ${LAMBDA_NODE_MAJOR}, the binary build/lambda-node.ts finds`, () => {
    expect(majorOf(process.version)).toBe(LAMBDA_NODE_MAJOR);
    expect(realpathSync(process.execPath)).toBe(findLambdaNode(ROOT).path);
  });

  it('run on the version the bundles are built for', () => {
    expect(lambdaBuildOptions(ROOT, 'out', 'transform/handler.ts').target).toBe(`node${LAMBDA_NODE_MAJOR}`);
  });
});

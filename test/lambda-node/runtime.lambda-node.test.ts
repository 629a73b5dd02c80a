/** Run by `npm run test:lambda-node` only (vitest.lambda-node.config.ts): proves each run is on a Lambda's Node.js. */
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLambdaNode, LAMBDA_NODE_MAJORS, majorOf } from '../../build/lambda-node.ts';
import { lambdaBuildOptions } from '../../build/transform-bundle.ts';
import { LAMBDA_RUNTIMES, nodeMajorOf } from '../../infra/lambda-runtime.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const major = majorOf(process.version);

describe('the Lambda suites', () => {
  it(`run on Node.js ${LAMBDA_NODE_MAJORS.join(' or ')}, the binary build/lambda-node.ts finds for that line`, () => {
    expect(LAMBDA_NODE_MAJORS).toContain(major);
    expect(realpathSync(process.execPath)).toBe(findLambdaNode(ROOT, major).path);
  });

  it('run on a version the bundles are built for when deployed on its runtime', () => {
    const runtime = LAMBDA_RUNTIMES.find((candidate) => nodeMajorOf(candidate) === major);
    expect(runtime).toBeDefined();
    expect(lambdaBuildOptions(ROOT, 'out', 'transform/handler.ts', runtime).target).toBe(`node${major}`);
  });
});

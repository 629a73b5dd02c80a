/** package.json `engines` names the Node.js lines `npm test` runs on (build/test-node.ts, build/test-lambda-node.ts). */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAMBDA_NODE_MAJORS } from '../../build/lambda-node.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('engines', () => {
  it('admits exactly the Node.js lines the Lambda suites and the other suites run on, each as a caret range', () => {
    const { engines } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    const ranges = engines.node.split('||').map((range) => range.trim());
    expect(ranges.every((range) => /^\^\d+\.\d+\.\d+$/.test(range)), engines.node).toBe(true);
    expect(ranges.map((range) => Number(/^\^(\d+)\./.exec(range)?.[1])).sort()).toEqual([...LAMBDA_NODE_MAJORS].sort());
  });
});

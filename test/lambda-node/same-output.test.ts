/**
 * The built transform gives the same bytes on the user's Node.js (this suite's) as on every Node.js line the
 * Lambda functions may run on (24 and 22): base64, zlib, JSON and the WebAssembly scanner all differ between
 * them. Each runs the bundle in a fresh process of its own over the benchmark's workloads (every batch shape and
 * log form) and an invocation with rejections and an undecodable record.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findLambdaNode, LAMBDA_NODE_MAJORS } from '../../build/lambda-node.ts';
import { invocationOfEvents, SHAPE_NAMES, shapedWorkload, singleBatchInvocation, THROUGHPUT_FORMS } from '../../bench/lib/workload.ts';
import { DEFAULT_CONFIG, ENV } from '../../transform/config.ts';
import { firehoseEvent, formatLogLine, gzipPayload, meterLogEvents, subscriptionPayload } from '../../tools/lib/cloudwatch/payloads.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUNDLE = pathToFileURL(path.join(ROOT, 'dist/transform/index.mjs')).href;

/** Runs the handler on every event of the file in argv[2], writes each response's JSON to argv[3]. */
const RUN_SCRIPT = [
  "import { readFileSync, writeFileSync } from 'node:fs';",
  'const { handler } = await import(process.argv[1]);',
  "const events = JSON.parse(readFileSync(process.argv[2], 'utf8'));",
  'const context = { getRemainingTimeInMillis: () => 300000 };',
  'const responses = [];',
  'for (const event of events) responses.push(JSON.stringify(await handler(event, context)));',
  'writeFileSync(process.argv[3], JSON.stringify({ node: process.version, responses }));',
].join('\n');

function rejectingEvent() {
  const invalid = {
    id: 'invalid-1',
    timestamp: 1663094105062,
    message: formatLogLine('node-text', { meterApiName: 'a', customerId: 'c', meterValue: 'abc' }, { prefix: DEFAULT_CONFIG.prefix, timestamp: 1 }),
  };
  return firehoseEvent([gzipPayload(subscriptionPayload([...meterLogEvents(50), invalid])), Buffer.from('not gzip')]);
}

const workDir = mkdtempSync(path.join(tmpdir(), 'meter-firehose-same-output-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function runBundle(node: string, eventsFile: string, label: string): { node: string; responses: string[] } {
  const out = path.join(workDir, `${label}.json`);
  const child = spawnSync(node, ['--input-type=module', '-e', RUN_SCRIPT, BUNDLE, eventsFile, out], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // Nothing here is re-ingested; should it be, it fails at once (there is no AWS) the same way on both.
      [ENV.reingestMaxAttempts]: '1',
      [ENV.reingestBaseDelayMs]: '0',
    },
  });
  expect(child.status, `${node}: ${child.stderr}`).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as { node: string; responses: string[] };
}

describe('the built transform on every Lambda Node.js line', () => {
  it(`returns byte for byte the responses it returns on Node.js ${process.version}`, () => {
    const lambdaNodes = LAMBDA_NODE_MAJORS.map((major) => findLambdaNode(ROOT, major));
    // Two runs of one binary would prove nothing: each line is compared only where it is not this suite's.
    const others = lambdaNodes.filter((node) => node.path !== realpathSync(process.execPath));
    expect(others.length).toBeGreaterThanOrEqual(LAMBDA_NODE_MAJORS.length - 1);
    const cells = SHAPE_NAMES.flatMap((shape) => THROUGHPUT_FORMS.map((form) => shapedWorkload(shape, form, 1)[0]));
    const events = [...cells, singleBatchInvocation(10_000), invocationOfEvents(9_000)].map((invocation) => invocation?.event);
    events.push(rejectingEvent());
    const eventsFile = path.join(workDir, 'events.json');
    writeFileSync(eventsFile, JSON.stringify(events));

    const here = runBundle(process.execPath, eventsFile, 'here');
    expect(here.node).toBe(process.version);
    for (const lambdaNode of others) {
      const lambda = runBundle(lambdaNode.path, eventsFile, `node-${lambdaNode.version}`);
      expect(lambda.node).toBe(lambdaNode.version);
      expect(lambda.responses).toHaveLength(events.length);
      for (const [index, response] of here.responses.entries()) {
        expect(lambda.responses[index] === response, `response ${index} differs on ${lambdaNode.version}`).toBe(true);
      }
    }
    // Every record is delivered, but the last invocation's: one of rejected meter records, one undecodable.
    const results = here.responses.map((response) => (JSON.parse(response) as { records: { result: string }[] }).records.map((r) => r.result));
    expect(results.map((records) => [...new Set(records)])).toEqual([...events.slice(1).map(() => ['Ok']), ['ProcessingFailed']]);
    expect(results.at(-1)).toEqual(['ProcessingFailed', 'ProcessingFailed']);
  });
});

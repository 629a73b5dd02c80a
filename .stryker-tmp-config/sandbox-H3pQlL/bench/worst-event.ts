/**
 * `node dist/bench/worst-event.mjs`: time and peak RSS of the built transform on the worst legal log event
 * (bench/lib/worst-event.ts), each shape in a fresh process, re-ingesting its rejects into a local Kinesis API
 * (kinesalite on loopback). Prints the figures as JSON; exits 1 when a target is missed.
 */
// @ts-nocheck

import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKinesisClient, ensureStream } from '../tools/lib/aws/kinesis.ts';
import { EMULATOR_CREDENTIALS, startLocalKinesis } from '../tools/lib/local-pipeline/local-kinesis.ts';
import { benchEntry } from './lib/child.ts';
import {
  PEAK_RSS_TARGET_BYTES,
  TIME_TARGET_MS,
  WORST_EVENT_SHAPES,
  worstEventInvocation,
  worstMessage,
  type WorstEventRun,
  type WorstEventShape,
} from './lib/worst-event.ts';
import { MIB } from './lib/units.ts';

function runInFreshProcess(file: string, env: NodeJS.ProcessEnv): Promise<WorstEventRun> {
  return new Promise((resolve, reject) => {
    const child = fork(benchEntry('worst-event-run'), [file], { execArgv: ['--expose-gc'], env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let result: WorstEventRun | undefined;
    child.on('message', (message) => (result = message as WorstEventRun));
    child.on('error', reject);
    child.on('exit', (code, signal) => (result === undefined ? reject(new Error(`worst-event-run exited with ${signal ?? code}`)) : resolve(result)));
  });
}

const kinesis = await startLocalKinesis();
const client = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint, credentials: EMULATOR_CREDENTIALS });
const workDir = await mkdtemp(join(tmpdir(), 'worst-event-'));
let missed = false;
try {
  const { streamArn } = await ensureStream(client, 'worst-event', 1);
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
  };
  const figures = [];
  for (const shape of Object.keys(WORST_EVENT_SHAPES) as WorstEventShape[]) {
    const file = join(workDir, `${shape}.json`);
    await writeFile(file, JSON.stringify(worstEventInvocation(shape, streamArn)));
    const run = await runInFreshProcess(file, env);
    const pass = run.error === undefined && run.peakRssBytes <= PEAK_RSS_TARGET_BYTES && run.handlerMs <= TIME_TARGET_MS;
    missed ||= !pass;
    figures.push({
      shape,
      messageBytes: worstMessage(shape).message.length,
      records: worstMessage(shape).records,
      ...run,
      handlerMs: Math.round(run.handlerMs),
      baselineRssMiB: Math.round((run.baselineRssBytes / MIB) * 10) / 10,
      peakRssMiB: Math.round((run.peakRssBytes / MIB) * 10) / 10,
      verdict: pass ? 'PASS' : 'MISS',
    });
  }
  console.log(JSON.stringify({ targets: { peakRssMiB: PEAK_RSS_TARGET_BYTES / MIB, handlerMs: TIME_TARGET_MS }, figures }, null, 2));
} finally {
  client.destroy();
  await kinesis.close();
  await rm(workDir, { recursive: true, force: true });
}
process.exitCode = missed ? 1 : 0;

/**
 * Runs the built transform on the worst legal log event of every shape (worst-event.ts), each in a fresh process,
 * re-ingesting its rejects into a local Kinesis API (kinesalite on loopback), as `npm run bench` and
 * `dist/bench/worst-event.mjs` measure it.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKinesisClient, ensureStream } from '../../tools/lib/aws/kinesis.ts';
import { EMULATOR_CREDENTIALS, startLocalKinesis } from '../../tools/lib/local-pipeline/local-kinesis.ts';
import { FUNCTION_NODE_OPTIONS } from '../../infra/lambda-runtime.ts';
import { benchEntry } from './child.ts';
import { WORST_EVENT_SHAPES, worstEventInvocation, worstMessage, type WorstEventRun, type WorstEventShape } from './worst-event.ts';

export interface WorstEventFigure extends WorstEventRun {
  readonly shape: WorstEventShape;
  readonly messageBytes: number;
  /** Meter records in the event's array, every one rejected. */
  readonly records: number;
}

function runInFreshProcess(file: string, env: NodeJS.ProcessEnv): Promise<WorstEventRun> {
  return new Promise((resolve, reject) => {
    const child = fork(benchEntry('worst-event-run'), [file], { execArgv: ['--expose-gc'], env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let result: WorstEventRun | undefined;
    child.on('message', (message) => (result = message as WorstEventRun));
    child.on('error', reject);
    child.on('exit', (code, signal) => (result === undefined ? reject(new Error(`worst-event-run exited with ${signal ?? code}`)) : resolve(result)));
  });
}

export async function measureWorstEvents(): Promise<WorstEventFigure[]> {
  const kinesis = await startLocalKinesis();
  const client = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint, credentials: EMULATOR_CREDENTIALS });
  const workDir = await mkdtemp(join(tmpdir(), 'worst-event-'));
  try {
    const { streamArn } = await ensureStream(client, 'worst-event', 1);
    const env = {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint,
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      // The V8 flags the deployed function runs with.
      NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
    };
    const figures: WorstEventFigure[] = [];
    for (const shape of Object.keys(WORST_EVENT_SHAPES) as WorstEventShape[]) {
      const file = join(workDir, `${shape}.json`);
      await writeFile(file, JSON.stringify(worstEventInvocation(shape, streamArn)));
      const { message, records } = worstMessage(shape);
      figures.push({ shape, messageBytes: message.length, records, ...(await runInFreshProcess(file, env)) });
    }
    return figures;
  } finally {
    client.destroy();
    await kinesis.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

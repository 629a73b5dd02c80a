/**
 * The bundle as deployed (dist/transform/index.mjs, the AWS SDK in a lazily loaded chunk) re-ingests into a
 * real Kinesis API: kinesalite on loopback, reached through AWS_ENDPOINT_URL_KINESIS only.
 */
// @ts-nocheck

import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { FirehoseTransformationHandler } from '../../transform/handler.ts';
import type { RejectsPayload } from '../../transform/types.ts';
import { firehoseEvent, formatLogLine, gzipPayload, meterLogEvents, subscriptionPayload } from '../../tools/lib/cloudwatch/payloads.ts';
import { createKinesisClient, ensureStream, StreamReader } from '../../tools/lib/aws/kinesis.ts';
import { EMULATOR_CREDENTIALS, startLocalKinesis, type LocalKinesis } from '../../tools/lib/local-pipeline/local-kinesis.ts';

const BUNDLE = new URL('../../dist/transform/index.mjs', import.meta.url);
let kinesis: LocalKinesis;
let client: KinesisClient;
const savedEnv = { ...process.env };

beforeAll(async () => {
  kinesis = await startLocalKinesis();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
  });
  client = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint, credentials: EMULATOR_CREDENTIALS });
});

afterAll(async () => {
  process.env = savedEnv;
  client?.destroy();
  await kinesis?.close();
});

it('re-ingests rejected records into the source stream from the bundled handler', async () => {
  expect(existsSync(BUNDLE), 'run `npm run build` first: dist/transform/index.mjs is missing').toBe(true);
  const { handler } = (await import(BUNDLE.href)) as { handler: FirehoseTransformationHandler };
  const { streamArn, shardIds } = await ensureStream(client, 'bundle-reingest', 1);
  const bad = { id: '1', timestamp: 1663094105062, message: formatLogLine('node-text', { meterApiName: 'a', customerId: 'c', meterValue: 'abc' }, { prefix: 'meter_record_for_stream', timestamp: 1 }) };
  const event = firehoseEvent([gzipPayload(subscriptionPayload([...meterLogEvents(3), bad]))], { sourceKinesisStreamArn: streamArn });
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const result = await handler(event);
    expect(result.records.map((r) => r.result)).toEqual(['Ok']);
  } finally {
    write.mockRestore();
  }
  const landed = await new StreamReader(client, 'bundle-reingest', shardIds).readNew();
  expect(landed).toHaveLength(1);
  const rejects = JSON.parse(gunzipSync(landed[0]!.data).toString()) as RejectsPayload;
  expect(rejects.rejects.map((r) => [r.reason, rejects.logEvents[r.event]?.id])).toEqual([['INVALID_METER_VALUE', '1']]);
});

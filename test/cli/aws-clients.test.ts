/**
 * Every AWS client the CLI makes (tools/lib/aws/connection.ts: Kinesis, Firehose, S3) against an endpoint that
 * accepts connections and never answers, and one that sends its headers and then stalls: each call fails within
 * the stated bound, the SDK's 3 attempts of at most `timeoutMs` of silence each plus its backoff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirehoseClient, putRecordBatchReliably } from '../../tools/lib/aws/firehose.ts';
import { createKinesisClient, putRecordsReliably } from '../../tools/lib/aws/kinesis.ts';
import { S3Store } from '../../tools/lib/delivery/object-store.ts';
import { type SilentServer, startSilentServer } from '../support/silent-server.ts';
import { type StallingServer, startStallingServer } from '../support/stalling-server.ts';

const TIMEOUT_MS = 300;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
/** 3 attempts of one silence each, the SDK's backoff between them (at most 100 + 200 ms), and scheduling slack. */
const BOUND_MS = 3 * TIMEOUT_MS + 300 + 700;

let silent: SilentServer;
let stalling: StallingServer;

beforeAll(async () => {
  [silent, stalling] = await Promise.all([startSilentServer(), startStallingServer()]);
});

afterAll(async () => {
  await Promise.all([silent?.close(), stalling?.close()]);
});

const calls: [string, (endpoint: string) => Promise<unknown>][] = [
  [
    'Kinesis PutRecords',
    async (endpoint) => {
      const client = createKinesisClient({ region: 'us-east-1', endpoint, credentials, timeoutMs: TIMEOUT_MS });
      try {
        return await putRecordsReliably(client, 's', [{ data: Buffer.from('a'), partitionKey: 'k' }], { maxAttempts: 1 });
      } finally {
        client.destroy();
      }
    },
  ],
  [
    'Firehose PutRecordBatch',
    async (endpoint) => {
      const client = createFirehoseClient({ region: 'us-east-1', endpoint, credentials, timeoutMs: TIMEOUT_MS });
      try {
        return await putRecordBatchReliably(client, 'd', [{ data: Buffer.from('a'), partitionKey: 'k' }], { maxAttempts: 1 });
      } finally {
        client.destroy();
      }
    },
  ],
  [
    'S3 GetObject',
    async (endpoint) => {
      const store = new S3Store({ region: 'us-east-1', endpoint, credentials, timeoutMs: TIMEOUT_MS, bucket: 'b' });
      try {
        return await store.get('errors/x.gz');
      } finally {
        store.destroy();
      }
    },
  ],
];

describe.each([
  ['silent', () => silent.endpoint],
  ['stalling after its headers', () => stalling.endpoint],
])('an endpoint %s', (_kind, endpointOf) => {
  it.each(calls)(`%s fails within 3 × ${TIMEOUT_MS} ms plus backoff`, async (_name, call) => {
    const started = Date.now();
    await expect(call(endpointOf())).rejects.toThrow();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(elapsed).toBeLessThan(BOUND_MS);
  });
});

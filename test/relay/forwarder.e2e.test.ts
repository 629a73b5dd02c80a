/**
 * The forwarder end to end on loopback: the pipeline bucket and "Amberflo's bucket" on s3rver (the latter
 * behind a proxy that checks each request's SigV4 signature against Amberflo's key pair), Secrets Manager's
 * GetSecretValue stood in for, the real SDK clients, and SQS's redrive modelled by LocalQueue.
 */
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CachedAmberfloKeys } from '../../relay/amberflo-keys.ts';
import { amberfloS3Client } from '../../relay/clients.ts';
import { type SqsHandler, createForwarder } from '../../relay/forwarder.ts';
import { objectCreatedMessage } from '../../relay/s3-events.ts';
import { LocalQueue, sqsRecordOf } from '../../tools/lib/relay/local-queue.ts';
import { type AmberfloS3, startAmberfloS3 } from '../support/amberflo-s3.ts';
import { type LocalS3, startS3, useEmulatorCredentials } from '../support/emulators.ts';
import { type LocalSecretsManager, startSecretsManager } from '../support/secrets-manager.ts';

const PIPELINE_BUCKET = 'meter-pipeline';
const AMBERFLO_BUCKET = 'amberflo-customer-1';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:amberflo-keys-AbCdEf';
const KEYS = { accessKeyId: 'AKIAAMBERFLOEXAMPLE1', secretAccessKey: 'amberflo-secret-key-0123456789abcdef' };
const ROTATED = { accessKeyId: 'AKIAAMBERFLOEXAMPLE2', secretAccessKey: 'amberflo-rotated-key-0123456789abcd' };
const QUEUE = { maxReceiveCount: 3, batchSize: 10, queueArn: 'arn:aws:sqs:us-east-1:123456789012:relay' };

let pipeline: LocalS3;
let amberflo: AmberfloS3;
let secrets: LocalSecretsManager;
let pipelineClient: S3Client;
let amberfloReader: S3Client;
let restoreCredentials: () => void;
let serial = 0;

beforeAll(async () => {
  restoreCredentials = useEmulatorCredentials();
  [pipeline, amberflo, secrets] = await Promise.all([startS3([PIPELINE_BUCKET]), startAmberfloS3(AMBERFLO_BUCKET, KEYS), startSecretsManager()]);
  pipelineClient = new S3Client({ region: 'us-east-1', endpoint: pipeline.endpoint, forcePathStyle: true });
  amberfloReader = new S3Client({ region: 'us-east-1', endpoint: amberflo.endpoint, forcePathStyle: true, credentials: KEYS });
});

afterAll(async () => {
  pipelineClient?.destroy();
  amberfloReader?.destroy();
  await Promise.all([pipeline?.close(), amberflo?.close(), secrets?.close()]);
  restoreCredentials?.();
});

beforeEach(() => {
  secrets.setSecret(SECRET_ARN, JSON.stringify(KEYS));
  amberflo.setKeys(KEYS);
  amberflo.refuseWrites(false);
  amberflo.failNextWrites(0);
  amberflo.seen.length = 0;
});

async function putIngestObject(body: Buffer, name = `object-${++serial}.gz`): Promise<string> {
  const key = `ingest/records/2026-11-25/${name}`;
  await pipelineClient.send(new PutObjectCommand({ Bucket: PIPELINE_BUCKET, Key: key, Body: body }));
  return key;
}

async function amberfloObject(key: string): Promise<Buffer> {
  const object = await amberfloReader.send(new GetObjectCommand({ Bucket: AMBERFLO_BUCKET, Key: key }));
  return Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

function event(keys: readonly string[], receiveCount = 1): SQSEvent {
  return {
    Records: keys.map((key, index) =>
      sqsRecordOf({ messageId: `m-${index}`, body: objectCreatedMessage({ bucket: PIPELINE_BUCKET, key }, new Date()), receiveCount }, QUEUE.queueArn),
    ),
  };
}

/** A forwarder built like the Lambda's, pointed at the loopback endpoints. */
function forwarder(log: string[] = [], maxAttempts = 3): { handler: SqsHandler; close: () => void } {
  const keys = new CachedAmberfloKeys(async () => {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient({ region: 'us-east-1', endpoint: secrets.endpoint });
    try {
      return (await client.send(new GetSecretValueCommand({ SecretId: SECRET_ARN }))).SecretString;
    } finally {
      client.destroy();
    }
  }, 60_000, Date.now, `the Amberflo key secret ${SECRET_ARN}`);
  const amberfloClient = amberfloS3Client({ amberfloRegion: 'us-east-1', amberfloEndpoint: amberflo.endpoint, connectionTimeoutMs: 1000, idleTimeoutMs: 5000 }, keys);
  const handler = createForwarder({
    source: pipelineClient,
    amberflo: amberfloClient,
    amberfloBucket: AMBERFLO_BUCKET,
    idleTimeoutMs: 5000,
    scope: { bucket: PIPELINE_BUCKET, prefix: 'ingest/records/' },
    minAttemptMs: 0,
    retry: { maxAttempts, baseDelayMs: 1 },
    onKeysRefused: () => keys.invalidate(),
    concurrency: 4,
    log: (line) => log.push(line),
  });
  return { handler, close: () => amberfloClient.destroy() };
}

describe('the Lambda entry point (relay/handler.ts) with its environment', () => {
  let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  let saved: NodeJS.ProcessEnv;

  beforeAll(async () => {
    saved = { ...process.env };
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: pipeline.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      PIPELINE_BUCKET,
      SOURCE_PREFIX: 'ingest/records/',
      AMBERFLO_BUCKET,
      AMBERFLO_REGION: 'us-east-1',
      AMBERFLO_S3_ENDPOINT: amberflo.endpoint,
      AMBERFLO_SECRET_ARN: SECRET_ARN,
      FORWARD_BASE_DELAY_MS: '1',
    });
    vi.resetModules();
    ({ handler } = await import('../../relay/handler.ts'));
  });

  afterAll(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('forwards objects byte-identical under the same key, with bucket-owner-full-control, signed with the keys from the secret', async () => {
    const bodies = [randomBytes(10), randomBytes(6 * 1024 * 1024 + 3), Buffer.alloc(0)];
    const keys = [await putIngestObject(bodies[0]!), await putIngestObject(bodies[1]!, 'with space+plus.gz'), await putIngestObject(bodies[2]!)];
    const response = await handler(event(keys));
    expect(response).toEqual({ batchItemFailures: [] });
    for (const [index, key] of keys.entries()) expect((await amberfloObject(key)).equals(bodies[index]!)).toBe(true);
    const puts = amberflo.seen.filter((request) => request.method === 'PUT');
    expect(puts).toHaveLength(3);
    expect(puts.every((put) => put.acl === 'bucket-owner-full-control' && put.accessKeyId === KEYS.accessKeyId && put.outcome === 'passed')).toBe(true);
    // s3rver stores no checksum: the forwarder sends a CRC32 computed while streaming, which the proxy checks as S3 would.
    expect(puts.map((put) => put.checksum)).toEqual(Array(3).fill('trailer x-amz-checksum-crc32'));
  });

  it('forwarding the same object again leaves the same bytes under the same key', async () => {
    const body = randomBytes(1000);
    const key = await putIngestObject(body);
    expect(await handler(event([key]))).toEqual({ batchItemFailures: [] });
    expect(await handler(event([key], 2))).toEqual({ batchItemFailures: [] });
    expect((await amberfloObject(key)).equals(body)).toBe(true);
  });
});

describe('the proxy standing in for Amberflo checks signatures', () => {
  it('refuses keys other than the secret’s and signatures made with another secret key', async () => {
    const key = await putIngestObject(randomBytes(5));
    for (const credentials of [{ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, { accessKeyId: KEYS.accessKeyId, secretAccessKey: ROTATED.secretAccessKey }]) {
      const client = new S3Client({ region: 'us-east-1', endpoint: amberflo.endpoint, forcePathStyle: true, credentials, maxAttempts: 1 });
      await expect(client.send(new PutObjectCommand({ Bucket: AMBERFLO_BUCKET, Key: key, Body: 'x' }))).rejects.toThrow();
      client.destroy();
    }
    expect(amberflo.seen.map((request) => request.outcome)).toEqual(['refused-key', 'refused-signature']);
  });
});

describe('retries, redelivery and the dead-letter queue', () => {
  it('retries a failed forward within the invocation and then lands it', async () => {
    const { handler, close } = forwarder();
    const body = randomBytes(2048);
    const key = await putIngestObject(body);
    amberflo.failNextWrites(2);
    expect(await handler(event([key]))).toEqual({ batchItemFailures: [] });
    expect((await amberfloObject(key)).equals(body)).toBe(true);
    expect(amberflo.seen.filter((request) => request.method === 'PUT').map((request) => request.outcome)).toEqual(['injected-failure', 'injected-failure', 'passed']);
    close();
  });

  it('reports only the failed message; SQS redelivers it and it lands on the next receive', async () => {
    const log: string[] = [];
    const { handler, close } = forwarder(log, 2);
    const [first, second] = [await putIngestObject(randomBytes(100)), await putIngestObject(randomBytes(100))];
    const queue = new LocalQueue(QUEUE);
    const firstId = queue.send(objectCreatedMessage({ bucket: PIPELINE_BUCKET, key: first }, new Date()));
    const secondId = queue.send(objectCreatedMessage({ bucket: PIPELINE_BUCKET, key: second }, new Date()));
    amberflo.failNextWrites(2, second);
    const responses: SQSBatchResponse[] = [];
    const report = await queue.drain(async (received) => {
      const response = await handler(received);
      responses.push(response);
      return response;
    });
    expect(responses).toEqual([{ batchItemFailures: [{ itemIdentifier: secondId }] }, { batchItemFailures: [] }]);
    expect(report.deleted.map((message) => [message.messageId, message.receiveCount])).toEqual([[firstId, 1], [secondId, 2]]);
    expect(report.deadLettered).toEqual([]);
    await amberfloObject(second);
    expect(log.filter((line) => line.includes('"level":"ERROR"'))).toHaveLength(1);
    close();
  });

  it('a poison message (object gone, or not an S3 notification) is received maxReceiveCount times, then dead-lettered', async () => {
    const log: string[] = [];
    const { handler, close } = forwarder(log);
    const good = await putIngestObject(randomBytes(100));
    const queue = new LocalQueue(QUEUE);
    const goodId = queue.send(objectCreatedMessage({ bucket: PIPELINE_BUCKET, key: good }, new Date()));
    const goneId = queue.send(objectCreatedMessage({ bucket: PIPELINE_BUCKET, key: 'ingest/records/2026-11-25/expired.gz' }, new Date()));
    const garbageId = queue.send('{"not":"an S3 event"}');
    const report = await queue.drain(handler);
    expect(report.deleted.map((message) => message.messageId)).toEqual([goodId]);
    expect(report.deadLettered.map((message) => [message.messageId, message.receiveCount])).toEqual([[goneId, 3], [garbageId, 3]]);
    expect(report.invocations).toBe(3);
    const errors = log.filter((line) => line.includes('"level":"ERROR"')).map((line) => JSON.parse(line) as { error: string; messageId: string });
    expect(errors).toHaveLength(6);
    expect(errors.find((entry) => entry.messageId === goneId)?.error).toMatch(/after 1 attempt\(s\): NoSuchKey/);
    expect(errors.find((entry) => entry.messageId === garbageId)?.error).toMatch(/not an S3 event notification/);
    close();
  });

  it('picks up rotated keys: a refused key makes the next attempt read the secret again', async () => {
    const log: string[] = [];
    const { handler, close } = forwarder(log);
    const before = await putIngestObject(randomBytes(10));
    expect(await handler(event([before]))).toEqual({ batchItemFailures: [] });
    const readsBefore = secrets.reads.get(SECRET_ARN) ?? 0;
    secrets.setSecret(SECRET_ARN, JSON.stringify(ROTATED));
    amberflo.setKeys(ROTATED);
    const after = await putIngestObject(randomBytes(10));
    expect(await handler(event([after]))).toEqual({ batchItemFailures: [] });
    expect(amberflo.seen.filter((request) => request.method === 'PUT').map((request) => [request.accessKeyId, request.outcome])).toEqual([
      [KEYS.accessKeyId, 'passed'],
      [KEYS.accessKeyId, 'refused-key'],
      [ROTATED.accessKeyId, 'passed'],
    ]);
    expect(secrets.reads.get(SECRET_ARN)).toBe(readsBefore + 1);
    expect(log.join('\n')).not.toContain(KEYS.secretAccessKey);
    expect(log.join('\n')).not.toContain(ROTATED.secretAccessKey);
    close();
  });

  it('a malformed secret fails the message without its value reaching the log', async () => {
    const log: string[] = [];
    const { handler, close } = forwarder(log);
    const leaky = `{"accessKeyId":"${ROTATED.accessKeyId}","secretAccessKey":"${ROTATED.secretAccessKey}"`;
    secrets.setSecret(SECRET_ARN, leaky);
    const key = await putIngestObject(randomBytes(10));
    const response = await handler(event([key]));
    expect(response.batchItemFailures).toHaveLength(1);
    expect(log.join('\n')).toContain(`reading the Amberflo key secret ${SECRET_ARN} failed: AmberfloSecretError: the Amberflo secret is not JSON`);
    expect(log.join('\n')).not.toContain(ROTATED.secretAccessKey);
    expect(log.join('\n')).not.toContain(ROTATED.accessKeyId);
    close();
  });
});

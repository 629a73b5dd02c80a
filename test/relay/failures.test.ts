/**
 * The forwarder on a bad day, one failure class at a time, against loopback endpoints of our own
 * (test/support/faulty-s3.ts, silent-server.ts, secrets-manager.ts) and the real SDK clients built as the Lambda
 * builds them (relay/clients.ts), with short timeouts. Each class must fail only its own message, within its
 * bound, naming what failed; no corrupted byte may be stored; no input may crash the process (vitest fails a run
 * on an unhandled error). The measured times are printed at the end.
 */
import { randomBytes } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CachedAmberfloKeys, secretsManagerReader } from '../../relay/amberflo-keys.ts';
import { amberfloS3Client, minAttemptMs, pipelineS3Client, secretsManagerClient } from '../../relay/clients.ts';
import { RETURN_BEFORE_TIMEOUT_MS, createForwarder } from '../../relay/forwarder.ts';
import { objectCreatedMessage } from '../../relay/s3-events.ts';
import { sqsRecordOf } from '../../tools/lib/relay/local-queue.ts';
import { crc32Base64 } from '../support/aws-chunked.ts';
import { useEmulatorCredentials } from '../support/emulators.ts';
import { type FaultyS3, type GetFault, type PutFault, startFaultyS3 } from '../support/faulty-s3.ts';
import { type LocalSecretsManager, startSecretsManager } from '../support/secrets-manager.ts';
import { type SilentServer, refusingEndpoint, startSilentServer } from '../support/silent-server.ts';

const PIPELINE = 'meter-pipeline';
const AMBERFLO = 'amberflo-bucket';
const PREFIX = 'ingest/records/';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:amberflo-keys-AbCdEf';
const KEYS = { accessKeyId: 'AKIAAMBERFLOEXAMPLE1', secretAccessKey: 'amberflo-secret-key-0123456789abcdef' };
const TIMEOUTS = { connectionTimeoutMs: 300, idleTimeoutMs: 500 };
const ATTEMPTS = 2;
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:relay';

let s3: FaultyS3;
let silent: SilentServer;
let secrets: LocalSecretsManager;
let refused: string;
let restoreCredentials: () => void;
let serial = 0;
const measured: [string, number][] = [];

beforeAll(async () => {
  restoreCredentials = useEmulatorCredentials();
  [s3, silent, secrets, refused] = await Promise.all([startFaultyS3(), startSilentServer(), startSecretsManager(), refusingEndpoint()]);
  secrets.setSecret(SECRET_ARN, JSON.stringify(KEYS));
});

afterAll(async () => {
  await Promise.all([s3?.close(), silent?.close(), secrets?.close()]);
  restoreCredentials?.();
  console.log(`relay failure classes (connect ${TIMEOUTS.connectionTimeoutMs} ms, idle ${TIMEOUTS.idleTimeoutMs} ms, ${ATTEMPTS} attempts):\n${measured.map(([name, ms]) => `  ${name}: ${ms} ms`).join('\n')}`);
});

afterEach(() => {
  s3.putFaults.clear();
  s3.bytesPerSecond = 64 * 1024;
});

interface Endpoints {
  readonly source?: string;
  readonly amberflo?: string;
  readonly secrets?: string;
}

/** The forwarder as relay/handler.ts builds it, pointed at the given loopback endpoints. */
function forwarder(endpoints: Endpoints = {}, log: string[] = [], timeouts = TIMEOUTS) {
  const secretsClient = secretsManagerClient(timeouts, { url: endpoints.secrets ?? secrets.endpoint, region: 'us-east-1' });
  const keys = new CachedAmberfloKeys(secretsManagerReader(secretsClient, SECRET_ARN), 60_000, Date.now, `the Amberflo key secret ${SECRET_ARN}`);
  const source = pipelineS3Client(timeouts, { url: endpoints.source ?? s3.endpoint, region: 'us-east-1' });
  const amberflo = amberfloS3Client({ amberfloRegion: 'us-east-1', amberfloEndpoint: endpoints.amberflo ?? s3.endpoint, ...timeouts }, keys);
  const handler = createForwarder({
    source,
    amberflo,
    amberfloBucket: AMBERFLO,
    idleTimeoutMs: timeouts.idleTimeoutMs,
    prepareAmberflo: () => keys.get(),
    retry: { maxAttempts: ATTEMPTS, baseDelayMs: 1 },
    onKeysRefused: () => keys.invalidate(),
    concurrency: 4,
    scope: { bucket: PIPELINE, prefix: PREFIX },
    minAttemptMs: minAttemptMs(timeouts),
    log: (line) => log.push(line),
  });
  return {
    handler,
    close: () => [secretsClient, source, amberflo].forEach((client) => client.destroy()),
  };
}

function sourceObject(options: { size?: number; getFault?: GetFault; putFault?: PutFault; checksum?: boolean } = {}): { key: string; body: Buffer } {
  const key = `${PREFIX}2026-11-25/object-${++serial}.gz`;
  const body = randomBytes(options.size ?? 200 * 1024);
  s3.objects.set(`${PIPELINE}/${key}`, { body, checksum: options.checksum ?? true, ...(options.getFault === undefined ? {} : { getFault: options.getFault }) });
  if (options.putFault !== undefined) s3.putFaults.set(key, options.putFault);
  return { key, body };
}

function event(bodies: readonly string[]): SQSEvent {
  return { Records: bodies.map((body, index) => sqsRecordOf({ messageId: `m-${index}`, body, receiveCount: 1 }, QUEUE_ARN)) };
}

const notification = (key: string, bucket = PIPELINE) => objectCreatedMessage({ bucket, key }, new Date(0));
const errorsOf = (log: readonly string[]) => log.filter((line) => line.includes('"level":"ERROR"')).map((line) => JSON.parse(line) as { messageId: string; error: string });
const storedAt = (key: string) => s3.stored.get(`${AMBERFLO}/${key}`);

/** Forwards one bad object; returns its logged error and how long the batch took. */
async function oneBad(bad: { key: string }, endpoints: Endpoints, label: string): Promise<{ error: string; ms: number }> {
  const log: string[] = [];
  const { handler, close } = forwarder(endpoints, log);
  const started = Date.now();
  const response = await handler(event([notification(bad.key)]));
  const ms = Date.now() - started;
  close();
  measured.push([label, ms]);
  expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }] });
  expect(storedAt(bad.key)).toBeUndefined();
  return { error: errorsOf(log)[0]?.error ?? '', ms };
}

/** Forwards one bad object next to a good one (same endpoints): only the bad one fails. */
async function oneBadOneGood(bad: { key: string }, label = ''): Promise<{ error: string; ms: number }> {
  const good = sourceObject();
  const log: string[] = [];
  const { handler, close } = forwarder({}, log);
  const started = Date.now();
  const response = await handler(event([notification(bad.key), notification(good.key)]));
  const ms = Date.now() - started;
  close();
  if (label !== '') measured.push([label, ms]);
  expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }] });
  expect(storedAt(good.key)?.equals(good.body), 'the good object is forwarded').toBe(true);
  expect(storedAt(bad.key), 'nothing is stored for the bad one').toBeUndefined();
  const errors = errorsOf(log);
  expect(errors.map((entry) => entry.messageId)).toEqual(['m-0']);
  return { error: errors[0]?.error ?? '', ms };
}

/** Per attempt, a silence costs at most the idle timeout (or the connection timeout) plus scheduling slack. */
const silenceBound = ATTEMPTS * (TIMEOUTS.idleTimeoutMs + 400);

describe('the source (the pipeline bucket)', () => {
  it('silent (accepts, never answers): the GET fails at the idle timeout, per attempt', async () => {
    const bad = { key: `${PREFIX}silent.gz` };
    const { error, ms } = await oneBad(bad, { source: silent.endpoint }, 'GET, silent endpoint');
    expect(error).toMatch(new RegExp(`failed after ${ATTEMPTS} attempt\\(s\\): TimeoutError: GET s3://${PIPELINE}/${PREFIX}silent.gz failed: .*${TIMEOUTS.idleTimeoutMs} ?ms`));
    expect(ms).toBeGreaterThanOrEqual(ATTEMPTS * TIMEOUTS.idleTimeoutMs - 50);
    expect(ms).toBeLessThan(silenceBound);
  });

  it('stalled (headers and half the body, then nothing): fails within the idle timeout per attempt, nothing stored', async () => {
    const { error, ms } = await oneBadOneGood(sourceObject({ getFault: 'stall' }), 'GET, stalled body');
    expect(error).toMatch(/GET s3:\/\/meter-pipeline\/ingest\/records\/.* failed: .*(no bytes moved|timed out)/);
    expect(ms).toBeLessThan(silenceBound);
  });

  it('reset mid-body: fails that message only, and the process lives on', async () => {
    const { error, ms } = await oneBadOneGood(sourceObject({ getFault: 'reset' }), 'GET, reset mid-body');
    expect(error).toMatch(/GET s3:\/\/meter-pipeline\/.* failed: /);
    expect(ms).toBeLessThan(2_000);
  });

  it('refused: fails at once', async () => {
    const { error, ms } = await oneBad({ key: `${PREFIX}refused.gz` }, { source: refused }, 'GET, connection refused');
    expect(error).toMatch(/GET s3:\/\/meter-pipeline\/ingest\/records\/refused.gz failed: .*ECONNREFUSED/);
    expect(ms).toBeLessThan(2_000);
  });

  it('corrupted (bytes that do not match the stored checksum): never stored at Amberflo', async () => {
    const bad = sourceObject({ getFault: 'corrupt' });
    const { error, ms } = await oneBadOneGood(bad, 'GET, corrupted body');
    expect(error).toMatch(/(GET s3:\/\/meter-pipeline\/.* failed: Checksum mismatch|BadDigest)/);
    expect(ms).toBeLessThan(2_000);
    // The PUT carried the source's stored checksum, so even bytes that reached Amberflo's side were refused.
    const puts = s3.puts.filter((put) => put.key === bad.key);
    expect(puts.every((put) => put.checksum === `x-amz-checksum-crc32: ${crc32Base64(s3.objects.get(`${PIPELINE}/${bad.key}`)!.body)}` && put.outcome !== 'stored')).toBe(true);
  });
});

describe("Amberflo's bucket", () => {
  it('silent (accepts, never answers): the PUT fails at the idle timeout, per attempt', async () => {
    const bad = sourceObject();
    const { error, ms } = await oneBad(bad, { amberflo: silent.endpoint }, 'PUT, silent endpoint');
    expect(error).toMatch(new RegExp(`TimeoutError: PUT to Amberflo's bucket s3://${AMBERFLO}/${bad.key} failed: `));
    expect(ms).toBeLessThan(silenceBound);
  });

  it('stalled (stops reading the upload): fails within the idle timeout per attempt', async () => {
    const bad = sourceObject({ size: 4 * 1024 * 1024, putFault: 'stall' });
    const { error, ms } = await oneBadOneGood(bad, 'PUT, stalled upload');
    expect(error).toMatch(/PUT to Amberflo's bucket s3:\/\/amberflo-bucket\/.* failed: .*(no bytes moved|timed out)/);
    expect(ms).toBeLessThan(silenceBound);
  });

  it('reset during the upload: fails that message only', async () => {
    const { error, ms } = await oneBadOneGood(sourceObject({ size: 1024 * 1024, putFault: 'reset' }), 'PUT, reset mid-upload');
    expect(error).toMatch(/PUT to Amberflo's bucket s3:\/\/amberflo-bucket\/.* failed: /);
    expect(ms).toBeLessThan(2_000);
  });

  it('refused: fails at once', async () => {
    const { error, ms } = await oneBad(sourceObject(), { amberflo: refused }, 'PUT, connection refused');
    expect(error).toMatch(/PUT to Amberflo's bucket .* failed: .*ECONNREFUSED/);
    expect(ms).toBeLessThan(2_000);
  });

  it('damage on the wire: S3 checks the checksum the PUT carries (stored, or computed while streaming) and stores nothing', async () => {
    for (const checksum of [true, false]) {
      const bad = sourceObject({ putFault: 'corrupt', checksum });
      const { error } = await oneBadOneGood(bad);
      expect(error).toMatch(/BadDigest: PUT to Amberflo's bucket .* failed: /);
      const announced = s3.puts.find((put) => put.key === bad.key)?.checksum;
      expect(announced).toBe(checksum ? `x-amz-checksum-crc32: ${crc32Base64(s3.objects.get(`${PIPELINE}/${bad.key}`)!.body)}` : 'trailer x-amz-checksum-crc32');
    }
  });
});

describe('Secrets Manager', () => {
  const secretFailure = async (endpoint: string, label: string): Promise<{ error: string; ms: number }> => {
    const bad = sourceObject();
    const log: string[] = [];
    const { handler, close } = forwarder({ secrets: endpoint }, log);
    const started = Date.now();
    const response = await handler(event([notification(bad.key)]));
    const ms = Date.now() - started;
    close();
    measured.push([label, ms]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(storedAt(bad.key)).toBeUndefined();
    const error = errorsOf(log)[0]?.error ?? '';
    expect(error).toContain(`reading the Amberflo key secret ${SECRET_ARN} failed: `);
    expect(log.join('\n')).not.toContain(KEYS.secretAccessKey);
    return { error, ms };
  };

  it('silent: the read fails within its 2 attempts of the idle timeout, naming the secret', async () => {
    const { ms } = await secretFailure(silent.endpoint, 'GetSecretValue, silent endpoint');
    // Each forward attempt reads the secret again (a failed read is not cached): 2 attempts × 2 SDK attempts.
    expect(ms).toBeLessThan(ATTEMPTS * 2 * (TIMEOUTS.idleTimeoutMs + 400) + 1_000);
  });

  it('refused: fails at once, naming the secret', async () => {
    const { error, ms } = await secretFailure(refused, 'GetSecretValue, connection refused');
    expect(error).toMatch(/ECONNREFUSED/);
    expect(ms).toBeLessThan(3_000);
  });

  it("answers with an error of its own (the secret is missing or access denied): Secrets Manager's code, naming the secret", async () => {
    secrets.setSecret(SECRET_ARN, '');
    const other = await startSecretsManager();
    try {
      const { error } = await secretFailure(other.endpoint, 'GetSecretValue, ResourceNotFoundException');
      expect(error).toMatch(/failed: ResourceNotFoundException: /);
    } finally {
      await other.close();
      secrets.setSecret(SECRET_ARN, JSON.stringify(KEYS));
    }
  });
});

describe("the invocation's deadline", () => {
  const context = (remainingMs: number) => {
    const end = Date.now() + remainingMs;
    return { getRemainingTimeInMillis: () => end - Date.now() };
  };

  /**
   * Too slow to finish, never silent for the idle timeout: only the deadline stops them. (A loopback writer waits
   * for a third of the kernel's send buffer to free up, so a slow reader needs a rate and idle timeout to match.)
   */
  const patient = { connectionTimeoutMs: 300, idleTimeoutMs: 1_500 };
  it.each([
    ['a source that sends 64 KiB/s', { size: 2 * 1024 * 1024, getFault: 'slow' as const }, 64 * 1024, 'GET'],
    ['an Amberflo that reads 4 MiB/s', { size: 40 * 1024 * 1024, putFault: 'slow' as const }, 4 * 1024 * 1024, 'PUT'],
  ])('%s: the handler returns before the Lambda timeout, the unfinished message reported', async (_name, fault, bytesPerSecond, step) => {
    s3.bytesPerSecond = bytesPerSecond;
    const bad = sourceObject(fault);
    const log: string[] = [];
    const { handler, close } = forwarder({}, log, patient);
    const lambdaTimeoutMs = RETURN_BEFORE_TIMEOUT_MS + 2_500;
    const started = Date.now();
    const response = await handler(event([notification(bad.key)]), context(lambdaTimeoutMs));
    const elapsed = Date.now() - started;
    close();
    measured.push([`${step} at ${bytesPerSecond / 1024} KiB/s (idle ${patient.idleTimeoutMs} ms), Lambda timeout in ${lambdaTimeoutMs} ms: returned after`, elapsed]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(errorsOf(log)[0]?.error).toMatch(new RegExp(`InvocationDeadline: ${step}.* failed: stopped ${RETURN_BEFORE_TIMEOUT_MS} ms before the Lambda timeout`));
    expect(elapsed).toBeLessThan(lambdaTimeoutMs - RETURN_BEFORE_TIMEOUT_MS + 1_000);
    expect(storedAt(bad.key)).toBeUndefined();
  });

  it('starts no attempt without the time to finish one: the message fails at once, untouched', async () => {
    const bad = sourceObject();
    const log: string[] = [];
    const { handler, close } = forwarder({}, log);
    const getsBefore = s3.gets.length;
    const response = await handler(event([notification(bad.key)]), context(RETURN_BEFORE_TIMEOUT_MS + minAttemptMs(TIMEOUTS) - 200));
    close();
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(s3.gets.length).toBe(getsBefore);
    expect(errorsOf(log)[0]?.error).toMatch(/failed after 0 attempt\(s\): Error: no attempt started: \d+ ms left before the invocation's deadline, an attempt is given at least 800 ms/);
  });
});

describe('notifications', () => {
  it('forwards each record, fails a message whose record it cannot forward (logged), and only skips a test event (logged)', async () => {
    const good = sourceObject();
    const log: string[] = [];
    const { handler, close } = forwarder({}, log);
    const noEventName = JSON.stringify({ Records: [{ s3: { bucket: { name: PIPELINE }, object: { key: good.key } } }] });
    const outside = [notification('errors/processing-failed/x.gz'), notification('source-backup/x.gz'), notification(`${PREFIX}x.gz`, 'other-bucket')];
    const testEvent = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: PIPELINE });
    const getsBefore = s3.gets.length;
    const response = await handler(event([noEventName, ...outside, testEvent, notification(good.key)]));
    close();
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(['m-0', 'm-1', 'm-2', 'm-3']);
    expect(s3.gets.length - getsBefore).toBe(1);
    const errors = errorsOf(log);
    expect(errors.find((entry) => entry.messageId === 'm-0')?.error).toBe('S3EventFormatError: record 1: no eventName');
    expect(errors.find((entry) => entry.messageId === 'm-1')?.error).toMatch(/s3:\/\/meter-pipeline\/errors\/processing-failed\/x.gz is outside s3:\/\/meter-pipeline\/ingest\/records\//);
    expect(log.some((line) => line.includes('"level":"INFO"') && line.includes('s3:TestEvent') && line.includes('"messageId":"m-4"'))).toBe(true);
    expect(storedAt(good.key)?.equals(good.body)).toBe(true);
  });

  it('fails every malformed body on its own, and the handler always returns', async () => {
    const log: string[] = [];
    const { handler, close } = forwarder({}, log);
    const bodies = ['', 'null', '[]', '"x"', '{"Records":"x"}', '{"Records":[null]}', '{"Records":[7]}', '{"Records":[{"eventName":"ObjectCreated:Put","s3":null}]}', '{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":1},"object":{"key":[]}}}]}', `{"Records":[${'['.repeat(5000)}`];
    const response = await handler(event(bodies));
    close();
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(bodies.map((_, index) => `m-${index}`));
    expect(errorsOf(log).every((entry) => entry.error.startsWith('S3EventFormatError: '))).toBe(true);
  });
});

/**
 * End to end through real AWS API emulators on loopback (kinesalite, s3rver) with the real SDK clients and
 * the real transform bundle: run, inspect and replay, asserting on the objects that land.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meterLogEvents } from '../../tools/lib/cloudwatch/payloads.ts';
import { StreamReader, createKinesisClient, ensureStream } from '../../tools/lib/aws/kinesis.ts';
import type { LocalKinesis } from '../../tools/lib/local-pipeline/local-kinesis.ts';
import { startLocalFirehoseApi } from '../../tools/lib/local-pipeline/local-firehose-api.ts';
import { DirectoryStore } from '../../tools/lib/delivery/object-store.ts';
import type { RunSummary } from '../../tools/lib/local-pipeline/run-summary.ts';
import type { MeterRecord } from '../../transform/types.ts';
import { type CliResult, exitCodeOf, jsonOf, pinClockToFixtures, runBuiltCli, runCli, transformBundle } from '../support/cli.ts';
import { type LocalS3, startKinesis, startS3, tempDirectory, useEmulatorCredentials } from '../support/emulators.ts';

// The fixtures are dated 2026-11-25: a local replay judges their age as on that day.
pinClockToFixtures();

const BUCKET = 'amberflo-ingest';
const DIRECT_BUCKET = 'amberflo-ingest-direct';
const SAMPLE_REASONS = ['INVALID_CUSTOMER_ID', 'INVALID_JSON', 'INVALID_METER_TIME', 'INVALID_METER_VALUE', 'MISSING_RECORD', 'UNKNOWN_FIELD', 'UTIL_INSPECT_OUTPUT'];

let kinesis: LocalKinesis;
let s3: LocalS3;
let s3Client: S3Client;
let bundle: string;
let restoreCredentials: () => void;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  bundle = transformBundle();
  restoreCredentials = useEmulatorCredentials();
  [kinesis, s3] = await Promise.all([startKinesis(), startS3([BUCKET, DIRECT_BUCKET])]);
  s3Client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true });
});

afterAll(async () => {
  s3Client?.destroy();
  await Promise.all([kinesis?.close(), s3?.close(), ...cleanups.map((cleanup) => cleanup())]);
  restoreCredentials?.();
});

function expectExit(result: CliResult, code: number): void {
  const [actual, output] = exitCodeOf(result);
  expect(actual, output).toBe(code);
}

async function scratch(label: string): Promise<string> {
  const directory = await tempDirectory(label);
  cleanups.push(directory.remove);
  return directory.path;
}

async function s3Objects(prefix: string, bucket = BUCKET): Promise<{ key: string; body: Buffer }[]> {
  const listing = await s3Client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return Promise.all(
    (listing.Contents ?? []).map(async ({ Key }) => {
      const object = await s3Client.send(new GetObjectCommand({ Bucket: bucket, Key: Key as string }));
      return { key: Key as string, body: Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()) };
    }),
  );
}

function meterLines(objects: readonly { body: Buffer }[]): string[] {
  return objects.flatMap(({ body }) => gunzipSync(body).toString('utf8').split('\n').filter((line) => line !== ''));
}

async function directoryMeterLines(directory: string): Promise<string[]> {
  const store = new DirectoryStore(directory);
  return meterLines(await Promise.all((await store.list('ingest/')).map(async (key) => ({ body: await store.get(key) }))));
}

/** What the bundled samples must produce through any source: the Kinesis stream or Direct PUT. */
async function expectSampleDelivery(summary: RunSummary, bucket: string): Promise<void> {
  expect(summary.input).toMatchObject({ eventsRead: 117, eventsMatched: 77, kinesisRecordsPut: 11 });
  expect(summary.meterRecordsDelivered).toBe(70);
  expect(summary.rejected.total).toBe(7);
  expect(summary.rejected.byReason.map((reason) => reason.reason).sort()).toEqual(SAMPLE_REASONS);
  expect(summary.rejected.byReason.find((reason) => reason.reason === 'INVALID_METER_VALUE')?.example).toContain('"abc"');
  expect(summary.otherFailures.total).toBe(0);
  // The control message is dropped; the rejects payload came back through the source and failed on purpose.
  expect(summary.records).toMatchObject({ fromSource: 11, reingested: 1, ok: 10, dropped: 1, failed: { 'Lambda.ProcessingFailedStatus': 1 } });

  const data = await s3Objects('ingest/records/', bucket);
  expect(data.map(({ key }) => key)).toEqual(
    data.map(() => expect.stringMatching(/^ingest\/records\/2026-11-25\/meter-firehose-1-2026-11-25-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.gz$/)),
  );
  expect(data).toHaveLength(summary.objects.data.length);
  const lines = meterLines(data);
  expect(lines).toHaveLength(70);
  const records = lines.map((line) => JSON.parse(line) as MeterRecord);
  expect(new Set(records.map((record) => record.uniqueId)).size).toBe(70);
  expect(records.every((record) => typeof record.meterValue === 'number' && record.customerId.startsWith('cust-'))).toBe(true);
}

async function expectSampleFailures(bucket: string): Promise<void> {
  const errors = await s3Objects('errors/', bucket);
  expect(errors.map(({ key }) => key)).toEqual([expect.stringMatching(/^errors\/processing-failed\/2026-11-25\/meter-firehose-1-2026-11-25-/)]);
  const [line] = gunzipSync(errors[0]?.body ?? Buffer.alloc(0)).toString('utf8').trimEnd().split('\n');
  const record = JSON.parse(line ?? '{}') as Record<string, unknown>;
  expect(Object.keys(record)).toEqual(['attemptsMade', 'arrivalTimestamp', 'errorCode', 'errorMessage', 'attemptEndingTimestamp', 'rawData', 'lambdaARN']);
  expect(record).toMatchObject({ attemptsMade: 1, errorCode: 'Lambda.ProcessingFailedStatus', rawData: expect.stringMatching(/^H4sI/) });
}

describe('run → inspect → replay through kinesalite and s3rver', () => {
  let summary: RunSummary;

  beforeAll(async () => {
    const result = await runCli(['run', '--kinesis-endpoint', kinesis.endpoint, '--stream-name', 'run-source', '--s3-endpoint', s3.endpoint, '--bucket', BUCKET, '--bundle', bundle, '--json']);
    expectExit(result, 0);
    expect(result.stderr).toBe('');
    summary = jsonOf<RunSummary>(result);
  });

  it('delivers every valid meter record of the samples once and rejects one line per mistake', async () => {
    await expectSampleDelivery(summary, BUCKET);
  });

  it('writes failures in the processing-failed layout with the original gzip as rawData', async () => {
    await expectSampleFailures(BUCKET);
  });

  it('inspect groups the failed events by reason from s3://', async () => {
    const json = await runCli(['inspect', `s3://${BUCKET}/errors/`, '--s3-endpoint', s3.endpoint, '--json']);
    expect(json.code).toBe(1);
    const report = jsonOf<{ failedEvents: number; reasons: { reason: string; count: number }[]; events: { reason: string; message: string; logGroup: string }[] }>(json);
    expect(report.failedEvents).toBe(7);
    expect(report.reasons.map((reason) => reason.reason).sort()).toEqual(SAMPLE_REASONS);
    expect(report.events.find((event) => event.reason === 'UTIL_INSPECT_OUTPUT')).toMatchObject({
      logGroup: '/aws/lambda/orders-handler',
      message: expect.stringContaining("meter_record_for_stream { meterApiName: 'api-calls'"),
    });

    const table = await runCli(['inspect', `s3://${BUCKET}/errors/`, '--s3-endpoint', s3.endpoint, '--reason', 'INVALID_METER_VALUE']);
    expect(table.stdout).toContain('1 failed log event\n');
    expect(table.stdout).toMatch(/INVALID_METER_VALUE\s+1\s+2026-11-25T09:04:00\.502Z/);
    expect(table.stdout).toContain('meterValue must be a finite number');
  });

  it('replay puts the chosen events back into a Kinesis stream with their original ids; --dry-run sends nothing', async () => {
    const client = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint });
    try {
      const stream = await ensureStream(client, 'replay-target', 1);
      const reader = new StreamReader(client, 'replay-target', stream.shardIds);
      const common = [`s3://${BUCKET}/errors/`, '--s3-endpoint', s3.endpoint, '--kinesis-endpoint', kinesis.endpoint, '--stream-name', 'replay-target'];

      const dryRun = await runCli(['replay', ...common, '--dry-run']);
      expect(dryRun.code).toBe(0);
      expect(dryRun.stdout).toContain('Would send: 7 of 7 failed log events in 1 payload\n');
      expect(await reader.readNew()).toEqual([]);

      const sent = await runCli(['replay', ...common, '--reason', 'INVALID_METER_VALUE', '--reason', 'UNKNOWN_FIELD', '--json']);
      expect(sent.code).toBe(0);
      expect(jsonOf(sent)).toMatchObject({ recordsPut: 1, replayedEvents: 2, payloads: [{ kind: 'rebuilt', events: 2 }] });
      const records = await reader.readNew();
      expect(records).toHaveLength(1);
      const payload = JSON.parse(gunzipSync(records[0]?.data ?? Buffer.alloc(0)).toString('utf8')) as { messageType: string; logGroup: string; logEvents: { id: string; message: string }[] };
      expect(payload).toMatchObject({ messageType: 'DATA_MESSAGE', logGroup: '/aws/lambda/orders-handler' });
      expect(payload.logEvents.map((event) => event.message)).toEqual([expect.stringContaining('"meterValue":"abc"'), expect.stringContaining('"region":"us-east-1"')]);
      expect(payload.logEvents.every((event) => /^\d{56}$/.test(event.id))).toBe(true);
    } finally {
      client.destroy();
    }
  });
});

describe('run --source direct: subscription filters put into Firehose, re-ingests by PutRecordBatch', () => {
  it('delivers and fails exactly what the Kinesis source does, through s3rver', async () => {
    const result = await runCli(['run', '--source', 'direct', '--s3-endpoint', s3.endpoint, '--bucket', DIRECT_BUCKET, '--bundle', bundle, '--json']);
    expectExit(result, 0);
    expect(result.stderr).toBe('');
    const summary = jsonOf<RunSummary>(result);
    expect(summary.input.pipelineSource).toBe('direct');
    await expectSampleDelivery(summary, DIRECT_BUCKET);
    await expectSampleFailures(DIRECT_BUCKET);
  });

  it('replay puts the chosen events back into the delivery stream with PutRecordBatch', async () => {
    const firehose = await startLocalFirehoseApi(['meter-firehose']);
    try {
      const sent = await runCli([
        'replay', `s3://${DIRECT_BUCKET}/errors/`, '--s3-endpoint', s3.endpoint, '--reason', 'INVALID_METER_VALUE', '--reason', 'UNKNOWN_FIELD',
        '--delivery-stream-arn', 'arn:aws:firehose:us-east-1:123456789012:deliverystream/meter-firehose', '--firehose-endpoint', firehose.endpoint, '--json',
      ]);
      expectExit(sent, 0);
      expect(jsonOf(sent)).toMatchObject({ stream: 'meter-firehose', recordsPut: 1, calls: 1, replayedEvents: 2 });
      const [record, ...rest] = firehose.take('meter-firehose');
      expect(rest).toEqual([]);
      const payload = JSON.parse(gunzipSync(record?.data ?? Buffer.alloc(0)).toString('utf8')) as { logEvents: { message: string }[] };
      expect(payload.logEvents.map((event) => event.message)).toEqual([expect.stringContaining('"meterValue":"abc"'), expect.stringContaining('"region":"us-east-1"')]);
    } finally {
      await firehose.close();
    }
  });

  it('splits an oversized batch and re-ingests the rest into the delivery stream; every record arrives once', async () => {
    const out = await scratch('direct-oversized');
    const input = join(out, 'busy.json');
    const events = meterLogEvents(40_000, { forms: ['node-text', 'lambda-json', 'powertools'], seed: 7 });
    await writeFile(input, JSON.stringify({ events: events.map((event) => ({ logStreamName: 'busy', timestamp: event.timestamp, message: event.message, eventId: event.id })) }));
    const result = await runCli(['run', input, '--source', 'direct', '--out', join(out, 'bucket'), '--bundle', bundle, '--processor-buffer-mb', '1', '--processor-interval', '900', '--json']);
    expectExit(result, 0);
    const summary = jsonOf<RunSummary>(result);
    expect(summary.meterRecordsDelivered).toBe(40_000);
    expect(summary.records.reingested).toBeGreaterThan(0);
    expect(summary.otherFailures.total).toBe(0);
    const uniqueIds = (await directoryMeterLines(join(out, 'bucket'))).map((line) => (JSON.parse(line) as MeterRecord).uniqueId);
    expect(uniqueIds).toHaveLength(40_000);
    expect(new Set(uniqueIds).size).toBe(40_000);
  });

  it('replays rejects after a fix twice with identical uniqueIds', async () => {
    const out = await scratch('direct-idempotent');
    expectExit(await runCli(['run', '--source', 'direct', '--out', out, '--bundle', bundle, '--json']), 0);
    const replay = ['replay', out, '--local', '--source', 'direct', '--out', out, '--append', '--bundle', bundle, '--reason', 'UNKNOWN_FIELD', '--transform-env', 'UNKNOWN_FIELDS=drop', '--json'];
    for (let round = 0; round < 2; round++) {
      const result = await runCli(replay);
      expectExit(result, 0);
      expect(jsonOf<{ run: RunSummary }>(result).run.meterRecordsDelivered).toBe(1);
    }
    const lines = await directoryMeterLines(out);
    expect(lines).toHaveLength(72);
    expect(new Set(lines.map((line) => (JSON.parse(line) as MeterRecord).uniqueId)).size).toBe(71);
    expect(await runCli(['run', '--source', 'direct', '--stream-name', 'x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--stream-name applies to Kinesis sources') });
  });
});

describe('replay after a fix', () => {
  it('replaying the same rejects twice delivers identical uniqueIds, so nothing is billed twice', async () => {
    const out = await scratch('idempotent');
    expectExit(await runCli(['run', '--out', out, '--bundle', bundle, '--json']), 0);
    const replay = ['replay', out, '--local', '--out', out, '--append', '--bundle', bundle, '--reason', 'UNKNOWN_FIELD', '--transform-env', 'UNKNOWN_FIELDS=drop', '--json'];
    for (let round = 0; round < 2; round++) {
      const result = await runCli(replay);
      expectExit(result, 0);
      expect(jsonOf<{ run: RunSummary }>(result).run.meterRecordsDelivered).toBe(1);
    }
    const lines = await directoryMeterLines(out);
    expect(lines).toHaveLength(72);
    const byUniqueId = new Map<string, Set<string>>();
    for (const line of lines) {
      const uniqueId = (JSON.parse(line) as MeterRecord).uniqueId;
      byUniqueId.set(uniqueId, (byUniqueId.get(uniqueId) ?? new Set()).add(line));
    }
    // 70 valid records + the fixed one: the replayed copy repeats the same uniqueId with the same content.
    expect(byUniqueId.size).toBe(71);
    expect([...byUniqueId.values()].every((contents) => contents.size === 1)).toBe(true);
  });

  it('a failing transform sends whole payloads to the error prefix; replaying them unchanged delivers each record once', async () => {
    const out = await scratch('outage');
    const outage = await runCli(['run', '--out', out, '--bundle', bundle, '--retries', '1', '--transform-env', 'METER_RECORD_PREFIX=bad prefix', '--json']);
    expectExit(outage, 1);
    const failed = jsonOf<RunSummary>(outage);
    expect(failed.meterRecordsDelivered).toBe(0);
    expect(failed.lambda).toMatchObject({ invocations: 14, failedInvocations: 7 });
    expect(failed.records.failed).toEqual({ 'Lambda.FunctionError': 11 });
    expect(failed.otherFailures.byReason).toEqual([
      { reason: 'Lambda.FunctionError', count: 78, example: expect.stringContaining('METER_RECORD_PREFIX must be one token') },
    ]);

    for (let round = 0; round < 2; round++) {
      const result = await runCli(['replay', out, '--local', '--out', out, '--append', '--bundle', bundle, '--reason', 'Lambda.FunctionError', '--json']);
      expectExit(result, 0);
      const replayed = jsonOf<{ unreplayableRecords: number; payloads: { kind: string }[]; run: RunSummary }>(result);
      expect(replayed.unreplayableRecords).toBe(1);
      expect(replayed.payloads.every((payload) => payload.kind === 'original')).toBe(true);
      expect(replayed.run.meterRecordsDelivered).toBe(70);
    }
    const uniqueIds = (await directoryMeterLines(out)).map((line) => (JSON.parse(line) as MeterRecord).uniqueId);
    expect(uniqueIds).toHaveLength(140);
    expect(new Set(uniqueIds).size).toBe(70);
  });
});

describe('oversized and plain-line traffic', () => {
  it('splits a batch whose NDJSON would exceed the response limit and delivers every record', async () => {
    const out = await scratch('oversized');
    const input = join(out, 'busy.json');
    const events = meterLogEvents(40_000, { forms: ['node-text', 'lambda-json', 'powertools'], seed: 7 });
    await writeFile(input, JSON.stringify({ events: events.map((event) => ({ logStreamName: 'busy', timestamp: event.timestamp, message: event.message, eventId: event.id })) }));
    const result = await runCli(['run', input, '--out', join(out, 'bucket'), '--bundle', bundle, '--processor-buffer-mb', '1', '--processor-interval', '900', '--compression', 'UNCOMPRESSED', '--json']);
    expectExit(result, 0);
    const summary = jsonOf<RunSummary>(result);
    expect(summary.meterRecordsDelivered).toBe(40_000);
    expect(summary.records.reingested).toBeGreaterThan(0);
    expect(summary.records.dropped).toBeGreaterThanOrEqual(2);
    expect(summary.otherFailures.total).toBe(0);
    expect(summary.rejected.total).toBe(0);
    const store = new DirectoryStore(join(out, 'bucket'));
    const keys = await store.list('ingest/');
    expect(keys.every((key) => /-[0-9a-f-]{36}$/.test(key))).toBe(true);
    const lines = (await Promise.all(keys.map((key) => store.get(key)))).flatMap((body) => body.toString('utf8').split('\n').filter(Boolean));
    expect(new Set(lines.map((line) => (JSON.parse(line) as MeterRecord).uniqueId)).size).toBe(40_000);
  });

  it('reads plain log lines (the second sample) and exits 2 with a clear message on bad input', async () => {
    const out = await scratch('lines');
    const result = await runCli(['run', 'samples/log-lines.txt', '--out', out, '--bundle', bundle, '--json']);
    expectExit(result, 0);
    const summary = jsonOf<RunSummary>(result);
    expect(summary.input).toMatchObject({ format: 'lines', eventsRead: 62 });
    expect(summary.meterRecordsDelivered).toBe(35);
    expect(summary.rejected.total).toBe(7);

    const badHint = await runCli(['run', '--processor-buffer-mb', '5']);
    expect(badHint).toMatchObject({ code: 2, stderr: expect.stringContaining('--processor-buffer-mb must be a number of MiB from 0.2 to 3, got 5') });
    expect(await runCli(['run', 'no-such-file.json'])).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read input no-such-file.json: ENOENT') });
    expect(await runCli(['replay', out])).toMatchObject({ code: 2, stderr: expect.stringContaining('replay needs a target') });
    expect(await runCli(['inspect', join(out, 'missing')])).toMatchObject({ code: 2, stderr: expect.stringContaining('no such directory') });
    expect(await runCli(['run', '--filter-pattern', '{ $.level = "INFO" }'])).toMatchObject({ code: 2 });
    for (const command of ['run', 'inspect', 'replay', 'plan']) {
      const help = await runCli([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: meter-firehose ${command}`);
    }
  });

  it('the built CLI runs the bundled samples as `npm start` does', async () => {
    const out = await scratch('built');
    const result = await runBuiltCli(['run', '--out', out, '--bundle', bundle, '--json'], { PATH: process.env['PATH'] ?? '' });
    expectExit(result, 0);
    expect(jsonOf<RunSummary>(result)).toMatchObject({ meterRecordsDelivered: 70, rejected: { total: 7 }, objects: { data: [{}, {}], errors: [{}] } });
  });
});

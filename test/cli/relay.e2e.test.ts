/**
 * Relay mode end to end on loopback: `run --delivery relay` writes the pipeline bucket (s3rver) and forwards
 * its ingest objects to "Amberflo's bucket" (s3rver behind a proxy that accepts only Amberflo's key pair);
 * an Amberflo outage longer than the forwarder's retries and SQS redrive dead-letters a run's objects, and
 * `replay --from-backup` over the outage's window delivers exactly the missing lines, with the same uniqueIds.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meterLogEvents } from '../../tools/lib/cloudwatch/payloads.ts';
import type { RunSummary } from '../../tools/lib/local-pipeline/run-summary.ts';
import type { MeterRecord } from '../../transform/types.ts';
import { type AmberfloS3, startAmberfloS3 } from '../support/amberflo-s3.ts';
import { exitCodeOf, jsonOf, pinClockToFixtures, runCli, transformBundle } from '../support/cli.ts';
import { type LocalS3, startS3, tempDirectory, useEmulatorCredentials } from '../support/emulators.ts';

// The fixtures are dated 2026-11-25: a local replay judges their age as on that day.
pinClockToFixtures();

const PIPELINE_BUCKET = 'meter-pipeline';
const AMBERFLO_BUCKET = 'amberflo-ingest';
const KEYS = { accessKeyId: 'AKIAAMBERFLOEXAMPLE1', secretAccessKey: 'amberflo-secret-key-0123456789abcdef' };
const HOUR = 3_600_000;
const BEFORE = Date.UTC(2026, 10, 25, 1, 0, 0);
const OUTAGE = Date.UTC(2026, 10, 25, 3, 0, 0);
const AFTER = Date.UTC(2026, 10, 25, 5, 0, 0);

let pipeline: LocalS3;
let amberflo: AmberfloS3;
let directory: { path: string; remove: () => Promise<void> };
let restoreCredentials: () => void;
let bundle: string;

beforeAll(async () => {
  bundle = transformBundle();
  restoreCredentials = useEmulatorCredentials();
  [pipeline, amberflo, directory] = await Promise.all([startS3([PIPELINE_BUCKET]), startAmberfloS3(AMBERFLO_BUCKET, KEYS), tempDirectory('relay')]);
  await writeFile(join(directory.path, 'keys.json'), JSON.stringify(KEYS));
});

afterAll(async () => {
  await Promise.all([pipeline?.close(), amberflo?.close(), directory?.remove()]);
  restoreCredentials?.();
});

async function inputFile(name: string, startTime: number, count: number, extra: readonly string[] = []): Promise<string> {
  const events = meterLogEvents(count, { startTime, seed: startTime % 997, forms: ['node-text', 'lambda-json'] });
  const all = [...events, ...extra.map((message, index) => ({ id: `9${startTime}${index}`, timestamp: startTime + 5_000 + index, message }))];
  const path = join(directory.path, name);
  await writeFile(path, JSON.stringify({ events: all.map((event) => ({ logStreamName: '2026/11/25/[$LATEST]relay', timestamp: event.timestamp, message: event.message, eventId: event.id })) }));
  return path;
}

async function lines(endpoint: string, bucket: string, prefix: string, credentials?: typeof KEYS): Promise<string[]> {
  const scoped = new S3Client({ region: 'us-east-1', forcePathStyle: true, endpoint, ...(credentials === undefined ? {} : { credentials }) });
  try {
    const listing = await scoped.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const bodies = await Promise.all(
      (listing.Contents ?? []).map(async ({ Key }) => {
        const object = await scoped.send(new GetObjectCommand({ Bucket: bucket, Key: Key as string }));
        return Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
      }),
    );
    return bodies.flatMap((body) => gunzipSync(body).toString('utf8').split('\n').filter((line) => line !== ''));
  } finally {
    scoped.destroy();
  }
}

const pipelineLines = () => lines(pipeline.endpoint, PIPELINE_BUCKET, 'ingest/');
const amberfloLines = () => lines(amberflo.endpoint, AMBERFLO_BUCKET, 'ingest/', KEYS);

function relayArgs(): string[] {
  return ['--delivery', 'relay', '--bucket', PIPELINE_BUCKET, '--amberflo-endpoint', amberflo.endpoint, '--amberflo-bucket', AMBERFLO_BUCKET, '--amberflo-keys', join(directory.path, 'keys.json'), '--bundle', bundle];
}

async function run(input: string): Promise<{ code: number; summary: RunSummary; output: string }> {
  const result = await runCli(['run', input, '--s3-endpoint', pipeline.endpoint, ...relayArgs(), '--json']);
  return { code: result.code, summary: jsonOf<RunSummary>(result), output: exitCodeOf(result)[1] };
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

describe('run --delivery relay, an Amberflo outage, and replay from the backup', () => {
  let missing: string[];
  let amberfloBeforeReplay: string[];

  beforeAll(async () => {
    const before = await run(await inputFile('before.json', BEFORE, 120, ['meter_record_for_stream {"meterApiName":"api-calls","customerId":"cust-1","meterTimeInMillis":1795597440500,"meterValue":"abc"}']));
    expect(before.code, before.output).toBe(0);
    amberflo.refuseWrites(true);
    const during = await run(await inputFile('during.json', OUTAGE, 150));
    amberflo.refuseWrites(false);
    expect(during.code, during.output).toBe(1);
    expect(during.summary.relay?.forwarded).toBe(0);
    expect(during.summary.relay?.deadLettered.length).toBe(during.summary.objects.data.length);
    const after = await run(await inputFile('after.json', AFTER, 90));
    expect(after.code, after.output).toBe(0);

    amberfloBeforeReplay = await amberfloLines();
    const delivered = new Set(amberfloBeforeReplay);
    missing = (await pipelineLines()).filter((line) => !delivered.has(line));
  });

  it('forwards every ingest object byte for byte and keeps the error prefix and the backup in the pipeline bucket', async () => {
    expect(amberfloBeforeReplay).toHaveLength(120 + 90);
    expect(missing).toHaveLength(150);
    expect(missing.every((line) => (JSON.parse(line) as MeterRecord).meterTimeInMillis >= OUTAGE - 1000)).toBe(true);
    const listing = async (endpoint: string, bucket: string, prefix: string, credentials?: typeof KEYS) => {
      const client = new S3Client({ region: 'us-east-1', forcePathStyle: true, endpoint, ...(credentials === undefined ? {} : { credentials }) });
      try {
        return ((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((object) => object.Key);
      } finally {
        client.destroy();
      }
    };
    expect(await listing(amberflo.endpoint, AMBERFLO_BUCKET, '', KEYS)).toEqual(expect.arrayContaining([expect.stringMatching(/^ingest\/records\/2026-11-25\//)]));
    expect((await listing(amberflo.endpoint, AMBERFLO_BUCKET, '', KEYS)).filter((key) => !key?.startsWith('ingest/'))).toEqual([]);
    expect(await listing(pipeline.endpoint, PIPELINE_BUCKET, 'errors/')).toHaveLength(1);
    expect((await listing(pipeline.endpoint, PIPELINE_BUCKET, 'source-backup/')).length).toBeGreaterThanOrEqual(3);
    expect(amberflo.seen.filter((request) => request.method === 'PUT').every((request) => request.acl === 'bucket-owner-full-control' && request.accessKeyId === KEYS.accessKeyId)).toBe(true);
  });

  it('inspect reads the error prefix in the pipeline bucket with the caller’s credentials', async () => {
    const result = await runCli(['inspect', `s3://${PIPELINE_BUCKET}/errors/`, '--s3-endpoint', pipeline.endpoint, '--json']);
    expect(result.code).toBe(1);
    expect(jsonOf<{ failedEvents: number; reasons: { reason: string }[] }>(result)).toMatchObject({ failedEvents: 1, reasons: [{ reason: 'INVALID_METER_VALUE' }] });
  });

  it('replay --from-backup over the outage delivers exactly the missing lines, with the same uniqueIds', async () => {
    const window = ['--since', new Date(OUTAGE).toISOString(), '--until', new Date(OUTAGE + HOUR).toISOString()];
    const source = [`s3://${PIPELINE_BUCKET}/source-backup/`, '--from-backup', '--s3-endpoint', pipeline.endpoint, ...window];
    const dryRun = await runCli(['replay', ...source, '--dry-run']);
    expect(dryRun.code, exitCodeOf(dryRun)[1]).toBe(0);
    expect(dryRun.stdout).toMatch(/^Would send: 150 of \d+ backed-up log events in \d+ payloads/);

    const result = await runCli(['replay', ...source, '--local', '--bucket-endpoint', pipeline.endpoint, ...relayArgs(), '--json']);
    expect(result.code, exitCodeOf(result)[1]).toBe(0);
    const replay = jsonOf<{ replayedEvents: number; run: RunSummary }>(result);
    expect(replay.replayedEvents).toBe(150);
    expect(replay.run.relay?.deadLettered).toEqual([]);

    const now = await amberfloLines();
    const before = new Set(amberfloBeforeReplay);
    const added = now.filter((line) => !before.has(line));
    expect(sorted(added)).toEqual(sorted(missing));
    expect(sorted(added.map((line) => (JSON.parse(line) as MeterRecord).uniqueId))).toEqual(sorted(missing.map((line) => (JSON.parse(line) as MeterRecord).uniqueId)));
    expect(now).toHaveLength(120 + 150 + 90);
  });

  it('replay --from-backup takes a log group filter and needs a window', async () => {
    const source = [`s3://${PIPELINE_BUCKET}/source-backup/`, '--from-backup', '--s3-endpoint', pipeline.endpoint];
    const other = await runCli(['replay', ...source, '--since', new Date(BEFORE).toISOString(), '--log-group', '/aws/lambda/other', '--dry-run']);
    expect(other.stdout).toMatch(/^Nothing to send|^Would send: 0 of/);
    const noWindow = await runCli(['replay', ...source, '--dry-run']);
    expect(noWindow.code).toBe(2);
    expect(noWindow.stderr).toContain('--from-backup needs a time window');
  });
});

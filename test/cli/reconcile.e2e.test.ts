/**
 * `reconcile` end to end: the local pipeline (kinesalite, the transform bundle) writes the samples into s3rver
 * or a directory, with its source backup; reconcile reads them back with the real SDK client and the same
 * bundle. A clean window reconciles; objects lost after delivery are reported record by record with the replay
 * that recovers them, and after that replay the window reconciles; a uniqueId delivered again with other content
 * is a conflict; records of an object Amberflo wrote a reason for are refused, not missing.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStore } from '../../tools/lib/delivery/object-store.ts';
import { type CliResult, exitCodeOf, jsonOf, pinClockToFixtures, runCli, transformBundle } from '../support/cli.ts';
import { type LocalS3, startS3, tempDirectory, useEmulatorCredentials } from '../support/emulators.ts';

// The fixtures are dated 2026-11-25: a local replay judges their age as on that day.
pinClockToFixtures();

const BUCKETS = { clean: 'reconcile-clean', outage: 'reconcile-outage', conflict: 'reconcile-conflict', refused: 'reconcile-refused' } as const;
const WINDOW = ['--since', '2026-11-25T00:00:00Z', '--until', '2026-11-26T00:00:00Z'] as const;
/** The bundled samples: 77 meter log events matched, 70 records delivered, 7 rejected. */
const SAMPLE = { expected: 77, delivered: 70, quarantined: 7 } as const;

interface ReconcileJson {
  reconciled: boolean;
  total: { expected: number; delivered: number; quarantined: number; refused: number; missing: number; duplicated: number; conflicting: number; expectedValue: number; deliveredValue: number; quarantinedValue: number };
  toRecover: { outcome: string; uniqueId?: string; eventId: string; logGroup: string; verdict: string }[];
  conflicts: { uniqueId: string }[];
  replay?: { since: string; until: string; logGroups: string[]; command: string };
}

let s3: LocalS3;
let s3Client: S3Client;
let bundle: string;
let restoreCredentials: () => void;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  bundle = transformBundle();
  restoreCredentials = useEmulatorCredentials();
  s3 = await startS3(Object.values(BUCKETS));
  s3Client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true });
});

afterAll(async () => {
  s3Client?.destroy();
  await Promise.all([s3?.close(), ...cleanups.map((cleanup) => cleanup())]);
  restoreCredentials?.();
});

function expectExit(result: CliResult, code: number): void {
  const [actual, output] = exitCodeOf(result);
  expect(actual, output).toBe(code);
}

async function runSamplesInto(bucket: string): Promise<void> {
  expectExit(await runCli(['run', '--s3-endpoint', s3.endpoint, '--bucket', bucket, '--bundle', bundle, '--json']), 0);
}

async function reconcileBucket(bucket: string, ...extra: string[]): Promise<CliResult> {
  return runCli(['reconcile', `s3://${bucket}`, '--s3-endpoint', s3.endpoint, '--bundle', bundle, ...WINDOW, ...extra]);
}

async function keys(bucket: string, prefix: string): Promise<string[]> {
  const listing = await s3Client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listing.Contents ?? []).map(({ Key }) => Key as string).sort();
}

async function linesOf(bucket: string, key: string): Promise<string[]> {
  const object = await s3Client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  return gunzipSync(body).toString('utf8').split('\n').filter((line) => line !== '');
}

describe('reconcile against S3 (s3rver)', () => {
  it('reconciles a clean window: 77 expected = 70 delivered + 7 quarantined, the sums equal', async () => {
    await runSamplesInto(BUCKETS.clean);
    const result = await reconcileBucket(BUCKETS.clean, '--json');
    expectExit(result, 0);
    const report = jsonOf<ReconcileJson>(result);
    expect(report.reconciled).toBe(true);
    expect(report.total).toMatchObject({ ...SAMPLE, refused: 0, missing: 0, duplicated: 0, conflicting: 0 });
    const deliveredSum = (await Promise.all((await keys(BUCKETS.clean, 'ingest/')).map((key) => linesOf(BUCKETS.clean, key))))
      .flat()
      .reduce((sum, line) => sum + (JSON.parse(line) as { meterValue: number }).meterValue, 0);
    expect(report.total.deliveredValue).toBeCloseTo(deliveredSum, 6);
    // Quarantined records with a numeric meterValue count in the expected sum: expected = delivered + quarantined.
    expect(report.total.quarantinedValue).toBeGreaterThan(0);
    expect(report.total.expectedValue).toBeCloseTo(deliveredSum + report.total.quarantinedValue, 6);
    const text = await reconcileBucket(BUCKETS.clean);
    expect(text.stdout).toContain('reconciled: 77 records (70 delivered, 7 quarantined)');
  });

  it('reports exactly the records of objects lost after delivery, with the replay that recovers them; after it, the window reconciles', async () => {
    await runSamplesInto(BUCKETS.outage);
    const [lost, kept] = await keys(BUCKETS.outage, 'ingest/');
    expect(kept).toBeDefined();
    const lostIds = (await linesOf(BUCKETS.outage, lost as string)).map((line) => (JSON.parse(line) as { uniqueId: string }).uniqueId);
    await s3Client.send(new DeleteObjectCommand({ Bucket: BUCKETS.outage, Key: lost }));

    const broken = await reconcileBucket(BUCKETS.outage, '--json');
    expectExit(broken, 1);
    const report = jsonOf<ReconcileJson>(broken);
    expect(report.total).toMatchObject({ expected: SAMPLE.expected, delivered: SAMPLE.delivered - lostIds.length, quarantined: SAMPLE.quarantined, missing: lostIds.length });
    expect(report.toRecover.map((record) => record.uniqueId).sort()).toEqual([...lostIds].sort());
    expect(report.toRecover.every((record) => record.verdict === 'valid' && record.eventId !== '' && record.logGroup === '/aws/lambda/orders-handler')).toBe(true);
    const replay = report.replay as NonNullable<ReconcileJson['replay']>;
    expect(replay.command).toContain(`replay s3://${BUCKETS.outage}/source-backup/ --from-backup --since ${replay.since} --until ${replay.until} --log-group /aws/lambda/orders-handler`);
    const text = await reconcileBucket(BUCKETS.outage);
    expect(text.stdout).toContain(`NOT reconciled: ${lostIds.length} missing`);
    expect(text.stdout).toContain(lostIds[0]);

    const replayed = await runCli([
      'replay', `s3://${BUCKETS.outage}/source-backup/`, '--from-backup', '--since', replay.since, '--until', replay.until,
      ...replay.logGroups.flatMap((group) => ['--log-group', group]),
      '--s3-endpoint', s3.endpoint, '--local', '--bucket-endpoint', s3.endpoint, '--bucket', BUCKETS.outage, '--bundle', bundle, '--json',
    ]);
    expectExit(replayed, 0);
    const after = await reconcileBucket(BUCKETS.outage, '--json');
    expectExit(after, 0);
    const fixed = jsonOf<ReconcileJson>(after);
    expect(fixed.total).toMatchObject({ expected: SAMPLE.expected, delivered: SAMPLE.delivered, missing: 0, conflicting: 0 });
    expect(fixed.replay).toBeUndefined();
  });

  it('reports a uniqueId delivered again with different content as a conflict (exit 1); with the same content it is a counted duplicate', async () => {
    await runSamplesInto(BUCKETS.conflict);
    const [first] = await keys(BUCKETS.conflict, 'ingest/');
    const [line] = await linesOf(BUCKETS.conflict, first as string);
    const record = JSON.parse(line as string) as { uniqueId: string; meterValue: number };
    const again = (name: string, body: string) =>
      s3Client.send(new PutObjectCommand({ Bucket: BUCKETS.conflict, Key: `ingest/records/2026-11-25/meter-firehose-1-2026-11-25-09-20-00-${name}.gz`, Body: gzipSync(body) }));
    await again('00000000-0000-4000-8000-000000000001', `${line}\n`);
    const duplicated = jsonOf<ReconcileJson>(await reconcileBucket(BUCKETS.conflict, '--json'));
    expect(duplicated).toMatchObject({ reconciled: true, total: { duplicated: 1, conflicting: 0, delivered: SAMPLE.delivered } });

    await again('00000000-0000-4000-8000-000000000002', `${JSON.stringify({ ...record, meterValue: record.meterValue + 1 })}\n`);
    const result = await reconcileBucket(BUCKETS.conflict, '--json');
    expectExit(result, 1);
    const report = jsonOf<ReconcileJson>(result);
    expect(report.total).toMatchObject({ missing: 0, conflicting: 1, duplicated: 2 });
    expect(report.conflicts.map((conflict) => conflict.uniqueId)).toEqual([record.uniqueId]);
  });

  it("counts the records of an object Amberflo wrote a failed-requests/ reason for as refused, not missing, and fails on them", async () => {
    await runSamplesInto(BUCKETS.refused);
    const [refusedKey] = await keys(BUCKETS.refused, 'ingest/');
    const refusedCount = (await linesOf(BUCKETS.refused, refusedKey as string)).length;
    await s3Client.send(new PutObjectCommand({ Bucket: BUCKETS.refused, Key: `failed-requests/2026-11-25/${refusedKey}.reason.txt`, Body: 'meterApiName api-calls is not defined' }));
    const result = await reconcileBucket(BUCKETS.refused, '--json');
    expectExit(result, 1);
    expect(jsonOf<ReconcileJson>(result).total).toMatchObject({ expected: SAMPLE.expected, refused: refusedCount, delivered: SAMPLE.delivered - refusedCount, missing: 0 });
  });
});

describe('reconcile against a local directory laid out like the buckets', () => {
  it("reconciles `run`'s output, reports a lost object, and the printed replay command recovers it", async () => {
    const directory = await tempDirectory('reconcile');
    cleanups.push(directory.remove);
    const out = directory.path;
    expectExit(await runCli(['run', '--out', out, '--bundle', bundle, '--json']), 0);
    const clean = await runCli(['reconcile', out, '--bundle', bundle, ...WINDOW]);
    expectExit(clean, 0);
    expect(clean.stdout).toContain('reconciled: 77 records (70 delivered, 7 quarantined)');

    const store = new DirectoryStore(out);
    const [lost] = await store.list('ingest/');
    const lostCount = gunzipSync(await store.get(lost as string)).toString('utf8').split('\n').filter(Boolean).length;
    await rm(join(out, lost as string));
    const broken = await runCli(['reconcile', out, '--bundle', bundle, ...WINDOW, '--json']);
    expectExit(broken, 1);
    const report = jsonOf<ReconcileJson>(broken);
    expect(report.total.missing).toBe(lostCount);
    const command = (report.replay as NonNullable<ReconcileJson['replay']>).command;
    expect(command).toMatch(/^npx meter-firehose replay /);
    expect(command).toContain(`--local --out ${out} --append`);
    expectExit(await runCli([...command.replace(/^npx meter-firehose /, '').split(' '), '--bundle', bundle]), 0);
    expectExit(await runCli(['reconcile', out, '--bundle', bundle, ...WINDOW]), 0);
  });

  it('refuses a call without a window, without a backup, or with two pipeline accounts (exit 2)', async () => {
    const directory = await tempDirectory('reconcile-usage');
    cleanups.push(directory.remove);
    const noWindow = await runCli(['reconcile', directory.path]);
    expectExit(noWindow, 2);
    expect(noWindow.stderr).toContain('--since');
    const noBackup = await runCli(['reconcile', directory.path, ...WINDOW]);
    expectExit(noBackup, 2);
    expect(noBackup.stderr).toContain('no source-record backup');
    const badAccount = await runCli(['reconcile', directory.path, ...WINDOW, '--home-account', '12345']);
    expectExit(badAccount, 2);
    expect(badAccount.stderr).toContain('--home-account must be a 12-digit AWS account id');
    const disagree = await runCli(['reconcile', directory.path, ...WINDOW, '--home-account', '111111111111', '--transform-env', 'HOME_ACCOUNT_ID=222222222222']);
    expectExit(disagree, 2);
    expect(disagree.stderr).toContain('disagree');
  });
});

/**
 * `amberflo-failures`: Amberflo's reason objects (failed-requests/DATE/ORIGINAL-KEY.reason.txt) listed from a
 * directory and from a bucket (s3rver on 127.0.0.1), each with the ingest object it names and its reason.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReasonKey, summarizeReason } from '../../tools/lib/amberflo/failed-requests.ts';
import { type CliResult, exitCodeOf, jsonOf, runCli } from '../support/cli.ts';
import { EMULATOR_CREDENTIALS, type LocalS3, startS3, tempDirectory, useEmulatorCredentials } from '../support/emulators.ts';

const INGEST_KEY = 'ingest/records/2026-11-25/meter-firehose-1-2026-11-25-09-00-00-7698983b-c06d-494e-a53c-dba4c35f651c.gz';
const REASONS: Readonly<Record<string, string>> = {
  [`failed-requests/2026-11-25/${INGEST_KEY}.reason.txt`]: 'record 3: dimensions.region must be a non-empty string\nrecord 9: meterValue must be a number\n',
  'failed-requests/2026-11-26/ingest/records/2026-11-26/other.gz.reason.txt': `${'x'.repeat(300)}`,
  // Not a reason object: ignored.
  'failed-requests/2026-11-26/notes.json': '{}',
};

function expectExit(result: CliResult, code: number): void {
  const [actual, output] = exitCodeOf(result);
  expect(actual, output).toBe(code);
}

interface Listing {
  readonly failures: number;
  readonly reasons: readonly { readonly key: string; readonly date?: string; readonly ingestKey?: string; readonly reason: string }[];
}

describe('reason object keys and texts', () => {
  it('names the date folder and the ingest object, when the key has them', () => {
    expect(parseReasonKey(`failed-requests/2026-11-25/${INGEST_KEY}.reason.txt`)).toEqual({ date: '2026-11-25', ingestKey: INGEST_KEY });
    expect(parseReasonKey(`amberflo/failed-requests/2026-11-25/${INGEST_KEY}.reason.txt`)).toEqual({ date: '2026-11-25', ingestKey: INGEST_KEY });
    expect(parseReasonKey('failed-requests/2026-11-25/.reason.txt')).toEqual({ date: '2026-11-25' });
    expect(parseReasonKey('failed-requests/loose.reason.txt')).toEqual({});
    expect(parseReasonKey('failed-requests/2026-11-25/file.gz')).toEqual({});
  });

  it('shows a reason on one line, cut with an ellipsis', () => {
    expect(summarizeReason('line one\n\tline two  ')).toBe('line one line two');
    expect(summarizeReason(' \n ')).toBe('(empty)');
    const long = summarizeReason('y'.repeat(500));
    expect(long).toHaveLength(160);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('amberflo-failures', () => {
  let directory: Awaited<ReturnType<typeof tempDirectory>>;
  let s3: LocalS3;
  let restoreCredentials: () => void;

  beforeAll(async () => {
    [directory, s3] = await Promise.all([tempDirectory('amberflo-failures'), startS3(['amberflo-bucket', 'empty-bucket'])]);
    restoreCredentials = useEmulatorCredentials();
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: EMULATOR_CREDENTIALS });
    for (const [key, text] of Object.entries(REASONS)) {
      const path = join(directory.path, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
      await client.send(new PutObjectCommand({ Bucket: 'amberflo-bucket', Key: key, Body: text }));
    }
    client.destroy();
  });

  afterAll(async () => {
    restoreCredentials();
    await Promise.all([directory.remove(), s3.close()]);
  });

  it('lists the reason objects of a synced directory with their ingest objects and reasons, and exits 1', async () => {
    const result = await runCli(['amberflo-failures', directory.path]);
    expectExit(result, 1);
    expect(result.stdout).toContain(": 2\n");
    expect(result.stdout).toContain(`2026-11-25  ${INGEST_KEY}  record 3: dimensions.region must be a non-empty string record 9: meterValue must be a number`);
    expect(result.stdout).toMatch(new RegExp(`2026-11-26  ingest/records/2026-11-26/other\\.gz +x{159}…\n`));
    expect(result.stdout).not.toContain('notes.json');
  });

  it('reads them from the bucket, under failed-requests/ unless told a prefix, whole with --json', async () => {
    const endpoint = ['--s3-endpoint', s3.endpoint];
    const all = await runCli(['amberflo-failures', 's3://amberflo-bucket', ...endpoint, '--json']);
    expectExit(all, 1);
    const listing = jsonOf<Listing>(all);
    expect(listing.failures).toBe(2);
    expect(listing.reasons[0]).toEqual({
      key: `failed-requests/2026-11-25/${INGEST_KEY}.reason.txt`,
      date: '2026-11-25',
      ingestKey: INGEST_KEY,
      reason: REASONS[`failed-requests/2026-11-25/${INGEST_KEY}.reason.txt`],
    });
    const oneDay = jsonOf<Listing>(await runCli(['amberflo-failures', 's3://amberflo-bucket/failed-requests/2026-11-26/', ...endpoint, '--json']));
    expect(oneDay.reasons.map((reason) => reason.date)).toEqual(['2026-11-26']);
    const none = await runCli(['amberflo-failures', 's3://empty-bucket', ...endpoint]);
    expectExit(none, 0);
    expect(none.stdout).toBe("Amberflo's reason objects at s3://empty-bucket/failed-requests/: 0\n");
  });

  it('needs one location', async () => {
    expect(await runCli(['amberflo-failures'])).toMatchObject({ code: 2, stderr: expect.stringContaining('needs a location: s3://BUCKET') });
    expect((await runCli(['amberflo-failures', 's3://a', 's3://b'])).code).toBe(2);
    expect(await runCli(['amberflo-failures', join(directory.path, 'missing')])).toMatchObject({ code: 2, stderr: expect.stringContaining('no such directory') });
  });
});

/**
 * Local AWS API emulators for end-to-end tests, on 127.0.0.1 with OS-assigned ports: kinesalite (Kinesis)
 * and s3rver (S3). Tests start and stop them; temporary directories are removed on stop.
 */
// @ts-nocheck

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { type LocalKinesis, startLocalKinesis } from '../../tools/lib/local-pipeline/local-kinesis.ts';

/** s3rver accepts only its built-in key pair; kinesalite accepts any. Not secrets. */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export async function startKinesis(): Promise<LocalKinesis> {
  return startLocalKinesis();
}

export interface LocalS3 {
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startS3(buckets: readonly string[]): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'meter-firehose-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** A temporary directory removed by the returned cleanup. */
export async function tempDirectory(label: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `meter-firehose-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Dummy credentials for the emulators, set in this process so SDK clients built by the CLI find them. */
export function useEmulatorCredentials(): () => void {
  const saved = { id: process.env['AWS_ACCESS_KEY_ID'], secret: process.env['AWS_SECRET_ACCESS_KEY'] };
  process.env['AWS_ACCESS_KEY_ID'] = EMULATOR_CREDENTIALS.accessKeyId;
  process.env['AWS_SECRET_ACCESS_KEY'] = EMULATOR_CREDENTIALS.secretAccessKey;
  return () => {
    restore('AWS_ACCESS_KEY_ID', saved.id);
    restore('AWS_SECRET_ACCESS_KEY', saved.secret);
  };
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

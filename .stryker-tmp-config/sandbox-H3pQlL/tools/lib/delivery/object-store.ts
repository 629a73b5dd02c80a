/** Where objects land: a local directory laid out like the bucket, or any S3-compatible endpoint. */
// @ts-nocheck

import { mkdir, readdir, readFile, rmdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { DEFAULT_TIMEOUT_MS, explainFailures, timedRequestHandler } from '../aws/connection.ts';
import { isObjectName, staticPrefix } from './object-layout.ts';
import { displayPath } from '../cli/paths.ts';

export interface ObjectStore {
  /** Human-readable location of a key, e.g. `./out/ingest/…` or `s3://bucket/ingest/…`. */
  locate(key: string): string;
  put(key: string, body: Uint8Array): Promise<void>;
  /** Keys under `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  get(key: string): Promise<Buffer>;
}

export class DirectoryStore implements ObjectStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  locate(key: string): string {
    return displayPath(this.pathOf(key));
  }

  private pathOf(key: string): string {
    return join(this.root, key);
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const entries = await readdir(this.root, { recursive: true, withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => this.keyOf(join(entry.parentPath, entry.name)))
        .filter((key) => key.startsWith(prefix))
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  get(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key));
  }

  /** Deletes the object and the directories it leaves empty, up to the root. */
  async remove(key: string): Promise<void> {
    await unlink(this.pathOf(key));
    for (let directory = dirname(this.pathOf(key)); directory !== this.root && directory.startsWith(this.root); directory = dirname(directory)) {
      try {
        await rmdir(directory);
      } catch {
        return;
      }
    }
  }

  keyOf(path: string): string {
    return relative(this.root, resolve(path)).split(sep).join('/');
  }
}

/**
 * Removes what an earlier run delivered into a directory: files under the prefixes' fixed parts named as the
 * pipeline names objects, and nothing else. Returns how many were removed.
 */
export async function removeEarlierObjects(store: DirectoryStore, prefixTemplates: readonly string[]): Promise<number> {
  const keys = new Set<string>();
  for (const template of prefixTemplates) {
    for (const key of await store.list(staticPrefix(template))) if (isObjectName(key)) keys.add(key);
  }
  for (const key of keys) await store.remove(key);
  return keys.size;
}

export interface S3StoreOptions {
  readonly bucket: string;
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: S3ClientConfig['credentials'];
  /** Per-attempt request limit (default 5 s). */
  readonly timeoutMs?: number;
}

export class S3Store implements ObjectStore {
  private readonly client: S3Client;

  constructor(private readonly options: S3StoreOptions) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.client = new S3Client({
      region: options.region,
      requestHandler: timedRequestHandler(timeoutMs),
      // Emulators and most S3-compatible stores address buckets by path, not by virtual host.
      forcePathStyle: options.endpoint !== undefined,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    });
    explainFailures(this.client, { service: 'S3', region: options.region, timeoutMs, ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }) });
  }

  locate(key: string): string {
    return `s3://${this.options.bucket}/${key}`;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: body }));
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix, ContinuationToken: continuationToken }),
      );
      keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key])));
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
    return keys.sort();
  }

  async get(key: string): Promise<Buffer> {
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
    if (response.Body === undefined) throw new Error(`empty body for ${this.locate(key)}`);
    return Buffer.from(await response.Body.transformToByteArray());
  }

  destroy(): void {
    this.client.destroy();
  }
}

export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

/** Parses `s3://bucket/prefix`; returns undefined for anything else (a local path). */
export function parseS3Url(value: string): S3Location | undefined {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(value);
  if (match === null) return undefined;
  return { bucket: match[1] ?? '', prefix: match[2] ?? '' };
}

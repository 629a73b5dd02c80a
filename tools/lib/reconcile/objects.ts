/**
 * Reading the objects reconcile weighs: listing those of a read window, and reading each so that a failure
 * (a corrupt or truncated gzip, a line that is not a meter record) names the object.
 */
import { gunzipSync } from 'node:zlib';
import { listingPrefixes, objectNameTime } from '../delivery/object-layout.ts';
import type { ObjectStore } from '../delivery/object-store.ts';
import { isGzip } from '../error-prefix/failures.ts';
import { readBackupObject } from '../replay/source-backup.ts';
import type { DeliveredRecord } from './verdict.ts';

const UNKNOWN = '-';

export interface ListedLocation {
  readonly store: ObjectStore;
  readonly prefix: string;
  /** The prefix's template (e.g. `ingest/records/!{timestamp:yyyy-MM-dd}/`): narrows a listing to the dates it needs. */
  readonly template?: string;
}

/**
 * The keys of a location: with a template and a range of name times, only those under the prefixes the template
 * evaluates to for it (from one object span earlier: an object's prefix and name both date its oldest record);
 * otherwise every key under its prefix.
 */
export async function listLocation(location: ListedLocation, range?: { readonly from: number; readonly until: number; readonly objectSpanMs: number }): Promise<string[]> {
  if (location.template === undefined || range === undefined) return location.store.list(location.prefix);
  const keys = new Set<string>();
  for (const prefix of listingPrefixes(location.template, range.from - range.objectSpanMs, range.until)) for (const key of await location.store.list(prefix)) keys.add(key);
  return [...keys];
}

/** The keys under a location whose object name time is in the read window (keys without one are read too). */
export async function windowKeys(location: ListedLocation, window: { readonly readFrom: number; readonly readUntil: number; readonly objectSpanMs: number }): Promise<{ keys: string[]; listed: number }> {
  const all = await listLocation(location, { from: window.readFrom, until: window.readUntil, objectSpanMs: window.objectSpanMs });
  const keys = all.filter((key) => {
    const time = objectNameTime(key);
    return time === undefined || (time >= window.readFrom && time <= window.readUntil);
  });
  return { keys, listed: all.length };
}

/** An object's text (gunzipped when it is gzip); a failure to get or gunzip it names the object. */
export async function readText(store: ObjectStore, key: string): Promise<string> {
  return namingObject(store, key, async () => {
    const body = await store.get(key);
    return (isGzip(body) ? gunzipSync(body) : body).toString('utf8');
  });
}

export async function readPayloads(store: ObjectStore, key: string): Promise<unknown[]> {
  return namingObject(store, key, () => readBackupObject(store, key));
}

/** The store, its reads failing with the object's name. */
export function namingReads(store: ObjectStore): ObjectStore {
  return { locate: (key) => store.locate(key), put: (key, body) => store.put(key, body), list: (prefix) => store.list(prefix), get: (key) => namingObject(store, key, () => store.get(key)) };
}

async function namingObject<T>(store: ObjectStore, key: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const where = store.locate(key);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(message.includes(where) ? message : `${where}: cannot read it: ${message}`, { cause: error });
  }
}

export function parseDeliveredLine(line: string, where: string): DeliveredRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`${where}: a line is not JSON (is this the data prefix? it holds NDJSON meter records): ${line.slice(0, 80)}`);
  }
  const record = (value ?? {}) as Record<string, unknown>;
  if (typeof record['uniqueId'] !== 'string') throw new Error(`${where}: a line has no uniqueId: ${line.slice(0, 80)}`);
  return {
    uniqueId: record['uniqueId'],
    meterApiName: String(record['meterApiName'] ?? UNKNOWN),
    customerId: String(record['customerId'] ?? UNKNOWN),
    meterValue: typeof record['meterValue'] === 'number' ? record['meterValue'] : 0,
  };
}

/**
 * Reads Firehose's source-record backup (S3BackupMode Enabled): each object holds the source records back to
 * back, each a gzipped CloudWatch Logs payload (gzip members, concatenated; the object may itself be gzipped
 * when the backup is compressed). Objects are pruned by the date in their key, then every payload becomes a
 * record that replay planning treats like a failed one, so the same log events, ids and uniqueIds go out again.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { splitJsonObjects } from '../delivery/object-layout.ts';
import type { ObjectStore } from '../delivery/object-store.ts';
import { type ErrorRecordAt, isGzip } from '../error-prefix/failures.ts';

/** The static folder of the default backup prefix (PIPELINE_DEFAULTS.sourceBackupPrefix). */
export const SOURCE_BACKUP_FOLDER = 'source-backup/';

/** The reason replayed backup events carry (they did not fail; they are replayed by time). */
export const SOURCE_BACKUP_REASON = 'SOURCE_BACKUP';

const DAY_MS = 86_400_000;
/**
 * An object's date is the arrival of its oldest record: an event can be in an object dated a day before it
 * (a buffer crossing midnight, or an event stamped up to 2 hours ahead, which CloudWatch Logs accepts). It can
 * arrive long after its own date: CloudWatch Logs accepts events up to 14 days old and retries a throttled
 * delivery for up to 24 hours, so objects dated up to 15 days after the window (plus a day of buffer crossing) are read.
 */
const EARLY_DAYS = 1;
/** How long after its timestamp an event can still reach the pipeline: 14 days of PutLogEvents latitude and 24 h of retries. */
export const LATE_ARRIVAL_DAYS = 15;
const LATE_DAYS = LATE_ARRIVAL_DAYS + 1;

export interface TimeWindow {
  readonly since: number;
  readonly until?: number;
}

/** Whether an object whose key holds `yyyy-MM-dd` may contain events in the window (keys without a date are read). */
export function mayHoldWindow(key: string, window: TimeWindow): boolean {
  const match = /(?:^|\/)(\d{4}-\d{2}-\d{2})\//.exec(key);
  if (match === null) return true;
  const day = Date.parse(`${match[1]}T00:00:00Z`);
  if (!Number.isFinite(day)) return true;
  const range = backupDates(window);
  return day > range.after && (range.before === undefined || day < range.before);
}

/** The key dates that may hold events of the window: after `after`, before `before` (both excluded; epoch ms of a day). */
export function backupDates(window: TimeWindow): { readonly after: number; readonly before?: number } {
  return { after: window.since - DAY_MS * (EARLY_DAYS + 1), ...(window.until === undefined ? {} : { before: window.until + DAY_MS * LATE_DAYS }) };
}

export interface BackupRead {
  readonly records: ErrorRecordAt[];
  readonly objectsListed: number;
  readonly objectsRead: number;
}

export async function readBackupRecords(store: ObjectStore, prefix: string, window: TimeWindow, onObject?: (done: number, total: number) => void): Promise<BackupRead> {
  const keys = await store.list(prefix);
  const chosen = keys.filter((key) => mayHoldWindow(key.slice(prefix.length), window));
  const records: ErrorRecordAt[] = [];
  for (const [position, key] of chosen.entries()) {
    (await readBackupObject(store, key)).forEach((payload, recordIndex) => {
      records.push({
        objectKey: key,
        recordIndex,
        record: {
          attemptsMade: 0,
          arrivalTimestamp: 0,
          errorCode: SOURCE_BACKUP_REASON,
          errorMessage: 'source record from the backup',
          attemptEndingTimestamp: 0,
          rawData: gzipSync(JSON.stringify(payload)).toString('base64'),
          lambdaArn: '',
        },
      });
    });
    onObject?.(position + 1, chosen.length);
  }
  return { records, objectsListed: keys.length, objectsRead: chosen.length };
}

/** The source records of one backup object, parsed: CloudWatch payloads, or what the transform re-ingested. */
export async function readBackupObject(store: ObjectStore, key: string): Promise<unknown[]> {
  return splitJsonObjects(gunzipAll(await store.get(key)).toString('utf8'), store.locate(key));
}

/** Gunzips (all members) until the bytes are no longer gzip: a compressed backup holds gzipped records. */
function gunzipAll(bytes: Buffer): Buffer {
  let current = bytes;
  for (let depth = 0; depth < 2 && isGzip(current); depth++) current = gunzipSync(current);
  return current;
}

/**
 * What Amberflo reports about records it refused: for an ingest object whose records failed its checks, it writes
 * `failed-requests/<date>/<original key>.reason.txt` back to its bucket (the upload itself succeeded). Their text
 * is Amberflo's own and not documented: it is shown as written, never parsed.
 */
import type { ObjectStore } from '../delivery/object-store.ts';

export const FAILED_REQUESTS_PREFIX = 'failed-requests/';
const REASON_SUFFIX = '.reason.txt';
/** A reason is shown on one line of at most this many characters; --json carries the whole text. */
const SUMMARY_LENGTH = 160;

export interface AmberfloFailure {
  /** Key of the reason object. */
  readonly key: string;
  /** The date folder Amberflo filed it under, when the key has one. */
  readonly date?: string;
  /** Key of the ingest object whose records Amberflo refused, when the key names one. */
  readonly ingestKey?: string;
  /** The reason's text as Amberflo wrote it (UTF-8). */
  readonly reason: string;
}

/** The date folder and the original object's key named by a reason object's key; undefined parts are absent. */
export function parseReasonKey(key: string): { readonly date?: string; readonly ingestKey?: string } {
  const at = key.indexOf(FAILED_REQUESTS_PREFIX);
  const rest = at === -1 ? key : key.slice(at + FAILED_REQUESTS_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || !rest.endsWith(REASON_SUFFIX)) return {};
  const ingestKey = rest.slice(slash + 1, -REASON_SUFFIX.length);
  return { date: rest.slice(0, slash), ...(ingestKey === '' ? {} : { ingestKey }) };
}

/** The reason on one line: whitespace runs collapsed, cut at SUMMARY_LENGTH characters with an ellipsis. */
export function summarizeReason(reason: string): string {
  const line = reason.replace(/\s+/g, ' ').trim();
  if (line === '') return '(empty)';
  return line.length <= SUMMARY_LENGTH ? line : `${line.slice(0, SUMMARY_LENGTH - 1)}…`;
}

/** Every reason object under `prefix` (those that end in `.reason.txt`), read in key order. */
export async function readAmberfloFailures(
  store: ObjectStore,
  prefix: string,
  onObject?: (done: number, total: number) => void,
): Promise<AmberfloFailure[]> {
  const keys = (await store.list(prefix)).filter((key) => key.endsWith(REASON_SUFFIX));
  const failures: AmberfloFailure[] = [];
  for (const [position, key] of keys.entries()) {
    const reason = (await store.get(key)).toString('utf8');
    failures.push({ key, ...parseReasonKey(key), reason });
    onObject?.(position + 1, keys.length);
  }
  return failures;
}

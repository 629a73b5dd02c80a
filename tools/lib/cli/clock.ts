/**
 * "Now" for the CLI: the system clock, or the instant in METER_FIREHOSE_NOW. A replay judges a record's age at
 * the time of the replay, as the deployed transform does; pinning now replays dated records (the bundled samples
 * of 2026-11-25, a test's fixtures) as if on their day, whatever the date.
 */
import { UsageError } from './args.ts';

export const NOW_VARIABLE = 'METER_FIREHOSE_NOW';

/** Epoch milliseconds: METER_FIREHOSE_NOW (ISO-8601 or epoch milliseconds) when set, else the system clock. */
export function now(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[NOW_VARIABLE];
  if (raw === undefined || raw === '') return Date.now();
  const value = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(value)) {
    throw new UsageError(`${NOW_VARIABLE} must be an ISO-8601 time (2026-11-25T10:00:00Z) or epoch milliseconds, got "${raw}"`);
  }
  return value;
}

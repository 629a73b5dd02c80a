/**
 * Puts entries with the transform's own re-ingest loop (batches within the target's limits, retrying only
 * the entries a call reports as failed, with full-jitter backoff) and returns the id the service gave each
 * entry: Kinesis sequence numbers, Firehose record ids.
 */
import { type ReingestEntry, reingest } from '../../../transform/reingest.ts';
import { AwsConnectionError } from './connection.ts';

/** One entry's answer: the id it was stored under, or the error code it was refused with. */
export type EntryResult = { readonly id: string } | { readonly errorCode: string };

export interface IdentifyingTarget {
  /** The API call, for messages (e.g. `PutRecords`). */
  readonly operation: string;
  readonly description: string;
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
  readonly send: (batch: readonly ReingestEntry[]) => Promise<readonly (EntryResult | undefined)[]>;
}

export interface PutOptions {
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PutOutcome {
  /** The id of each entry, in input order. */
  readonly ids: string[];
  readonly calls: number;
  /** Entries sent again after a partial failure. */
  readonly retriedEntries: number;
}

export class PutError extends Error {
  override readonly name = 'PutError';
  /** The error code of the last failed attempt (e.g. `ResourceNotFoundException`), for callers to branch on. */
  readonly lastError: string | undefined;

  constructor(message: string, lastError: string | undefined) {
    super(message);
    this.lastError = lastError;
  }
}

export async function putReliably(entries: readonly ReingestEntry[], target: IdentifyingTarget, options: PutOptions = {}): Promise<PutOutcome> {
  const ids = new Array<string>(entries.length);
  const positions = new Map(entries.map((entry, index) => [entry, index]));
  let calls = 0;
  // A call that got no answer (credentials, network, timeout) will not get one by repeating it: the first
  // such error ends the loop and is what the caller sees, cause included.
  let unreachable: AwsConnectionError | undefined;
  const report = await reingest(
    entries,
    {
      description: target.description,
      maxBatchRecords: target.maxBatchRecords,
      maxBatchBytes: target.maxBatchBytes,
      send: async (batch) => {
        if (unreachable !== undefined) throw unreachable;
        calls += 1;
        const results = await target.send(batch).catch((error: unknown) => {
          if (error instanceof AwsConnectionError) unreachable = error;
          throw error;
        });
        return batch.map((entry, i) => {
          const result = results[i];
          if (result === undefined) return 'MissingResult';
          if ('errorCode' in result) return result.errorCode;
          ids[positions.get(entry) as number] = result.id;
          return undefined;
        });
      },
    },
    {
      maxAttempts: options.maxAttempts ?? 8,
      baseDelayMs: options.baseDelayMs ?? 100,
      ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    },
  );
  if (unreachable !== undefined) throw unreachable;
  const failed = report.delivered.filter((delivered) => !delivered).length;
  if (failed > 0) {
    throw new PutError(`${failed} of ${entries.length} records still failed after ${report.attempts} ${target.operation} attempts (${report.lastError})`, report.lastError);
  }
  return { ids, calls, retriedEntries: report.retriedEntries };
}

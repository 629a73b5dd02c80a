/** A re-ingest target for tests that records what it is given and accepts everything. */
import type { ReingestEntry, ReingestTarget } from '../../transform/reingest.ts';

export function recordingTarget(): { target: ReingestTarget; sent: ReingestEntry[] } {
  const sent: ReingestEntry[] = [];
  return {
    sent,
    target: {
      description: 'recording',
      maxBatchRecords: 500,
      maxBatchBytes: 5_000_000,
      send: async (entries) => {
        sent.push(...entries);
        return entries.map(() => undefined);
      },
    },
  };
}

/**
 * The transform's rules in the reconciling function's own process: its code is bundled in, invoked like Firehose
 * invokes it, with re-ingest collected in memory instead of sent (split pieces go round again, rejects name their
 * records), so expected records are derived exactly as the deployed transform derives them.
 */
import { transformBatch } from '../transform/batch.ts';
import { ENV, loadConfig, type TransformConfig } from '../transform/config.ts';
import type { ReingestTarget } from '../transform/reingest.ts';
import type { SourceEvent, TransformedEvent } from '../tools/lib/reconcile/local-transform.ts';
import type { Transformer } from '../tools/lib/reconcile/reconcile.ts';
import { transformInRounds, type TransformInvoker } from '../tools/lib/reconcile/transform-rounds.ts';

/** The meter-time limits are judged against the record's arrival, which the backup does not keep (see local-transform.ts). */
const TIME_LIMITS_LIFTED = { [ENV.maxMeterAgeDays]: '0', [ENV.maxFutureSkewSeconds]: '31536000' } as const;

export class InProcessTransform implements Transformer {
  private readonly config: TransformConfig;
  private readonly invoker: TransformInvoker;
  private reingested: Buffer[] = [];

  constructor(
    environment: Readonly<Record<string, string>>,
    private readonly region: string,
  ) {
    // Derived uniqueIds come out plain (HOME_ACCOUNT_ID unset): the ledger qualifies them by account.
    const { [ENV.homeAccountId]: _home, ...settings } = environment;
    this.config = loadConfig({ ...settings, ...TIME_LIMITS_LIFTED });
    const target: ReingestTarget = {
      description: 'the reconciling function (in memory)',
      maxBatchRecords: 500,
      maxBatchBytes: 5 * 1024 * 1024,
      send: async (entries) => {
        for (const entry of entries) this.reingested.push(Buffer.from(entry.data));
        return entries.map(() => undefined);
      },
    };
    this.invoker = {
      invoke: async (event) => {
        try {
          const { result } = await transformBatch(event, this.config, { reingestTarget: async () => target });
          return { ok: true, responseJson: JSON.stringify(result) };
        } catch (error) {
          return { ok: false, why: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
        }
      },
      takeReingested: () => this.reingested.splice(0),
    };
  }

  transform(events: readonly SourceEvent[]): Promise<TransformedEvent[]> {
    return transformInRounds(events, this.invoker, this.region);
  }
}

/**
 * The transform's own rules, run locally: the bundle in its Lambda-like runtime (as `run` and `replay --local`
 * run it), invoked with Firehose's event shape, one Firehose record per log event so each record's output names
 * its event. What the transform re-ingests (rejects payloads, split pieces) goes to a loopback Firehose API and
 * is read back: rejects name their records by event and index, split pieces are transformed again.
 */
import type { LogEvent } from '../../../transform/types.ts';
import { ENV } from '../../../transform/config.ts';
import type { LogSource } from '../error-prefix/failures.ts';
import { type LambdaRuntime, WorkerLambdaRuntime } from '../local-pipeline/lambda-runtime.ts';
import { startLocalFirehoseApi, type LocalFirehoseApi } from '../local-pipeline/local-firehose-api.ts';
import { EMULATOR_CREDENTIALS } from '../local-pipeline/local-kinesis.ts';
import type { LambdaSettings } from '../local-pipeline/pipeline.ts';
import type { Transformer } from './reconcile.ts';
import { type TransformInvoker, transformInRounds } from './transform-rounds.ts';

/** A log event of the source backup, with where it came from and when its object arrived. */
export interface SourceEvent {
  readonly source: LogSource;
  readonly logEvent: LogEvent;
  /** Firehose's arrival time of the event's record (the backup object's time: the best the backup tells). */
  readonly arrival: number;
}

/** What the transform made of one log event. */
export interface TransformedEvent {
  readonly event: SourceEvent;
  /** Its valid meter records as NDJSON lines (no newline), in array order. */
  readonly lines: readonly string[];
  /** Its rejected records: reason, detail, and position in its array (none for a single record). */
  readonly rejects: readonly { readonly reason: string; readonly detail: string; readonly index?: number }[];
  /** Set when the transform failed the event's record whole (e.g. output too large for any response). */
  readonly failure?: string;
}

const DELIVERY_STREAM = 'reconcile';
const LOCAL_ACCOUNT_ID = '000000000000';
/**
 * The meter-time limits are lifted: they are judged against the record's arrival, which the backup does not
 * keep. A record the deployed function rejected for its time is found by its log event in the error prefix.
 */
const TIME_LIMITS_LIFTED = { [ENV.maxMeterAgeDays]: '0', [ENV.maxFutureSkewSeconds]: '31536000' } as const;

export class LocalTransform implements Transformer {
  private readonly invoker: TransformInvoker;

  private constructor(
    private readonly runtime: LambdaRuntime,
    private readonly api: LocalFirehoseApi,
    private readonly region: string,
  ) {
    this.invoker = {
      invoke: async (event) => {
        const invocation = await runtime.invoke(event);
        return invocation.ok ? { ok: true, responseJson: invocation.responseJson } : { ok: false, why: `${invocation.errorType}: ${invocation.errorMessage}` };
      },
      takeReingested: () => api.take(DELIVERY_STREAM).map((record) => record.data),
    };
  }

  static async start(settings: LambdaSettings, region: string): Promise<LocalTransform> {
    const api = await startLocalFirehoseApi([DELIVERY_STREAM]);
    try {
      const runtime = new WorkerLambdaRuntime({
        bundlePath: settings.bundlePath,
        functionName: settings.functionName,
        region,
        accountId: LOCAL_ACCOUNT_ID,
        memoryMb: settings.memoryMb,
        timeoutMs: settings.timeoutMs,
        environment: {
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
          ...settings.environment,
          ...TIME_LIMITS_LIFTED,
          AWS_ENDPOINT_URL_FIREHOSE: api.endpoint,
        },
        ...(settings.onLog === undefined ? {} : { onLog: settings.onLog }),
      });
      return new LocalTransform(runtime, api, region);
    } catch (error) {
      await api.close();
      throw error;
    }
  }

  /** Transforms the events (one invocation, plus one per round of split pieces); results in input order. */
  transform(events: readonly SourceEvent[]): Promise<TransformedEvent[]> {
    return transformInRounds(events, this.invoker, this.region);
  }

  async close(): Promise<void> {
    await this.runtime.close();
    await this.api.close();
  }
}

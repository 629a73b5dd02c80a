/**
 * The transform's own rules, run locally: the bundle in its Lambda-like runtime (as `run` and `replay --local`
 * run it), invoked with Firehose's event shape, one Firehose record per log event so each record's output names
 * its event. What the transform re-ingests (rejects payloads, split pieces) goes to a loopback Firehose API and
 * is read back: rejects name their records by event and index, split pieces are transformed again.
 */
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { gunzipSync } from 'node:zlib';
import type { CloudWatchLogsPayload, LogEvent } from '../../../transform/types.ts';
import { REJECTS_MESSAGE_TYPE } from '../../../transform/types.ts';
import { ENV } from '../../../transform/config.ts';
import { type LogSource, failedEventsOf, isGzip } from '../error-prefix/failures.ts';
import { checkTransformationResponse } from '../local-pipeline/firehose-contract.ts';
import { type LambdaRuntime, WorkerLambdaRuntime } from '../local-pipeline/lambda-runtime.ts';
import { startLocalFirehoseApi, type LocalFirehoseApi } from '../local-pipeline/local-firehose-api.ts';
import { EMULATOR_CREDENTIALS } from '../local-pipeline/local-kinesis.ts';
import type { LambdaSettings } from '../local-pipeline/pipeline.ts';
import type { Transformer } from './reconcile.ts';

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
/** Rounds of re-transforming split pieces before giving up on an event (the transform's own cap is 10). */
const MAX_ROUNDS = 12;
/**
 * The meter-time limits are lifted: they are judged against the record's arrival, which the backup does not
 * keep. A record the deployed function rejected for its time is found by its log event in the error prefix.
 */
const TIME_LIMITS_LIFTED = { [ENV.maxMeterAgeDays]: '0', [ENV.maxFutureSkewSeconds]: '31536000' } as const;

export class LocalTransform implements Transformer {
  private constructor(
    private readonly runtime: LambdaRuntime,
    private readonly api: LocalFirehoseApi,
    private readonly region: string,
  ) {}

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
  async transform(events: readonly SourceEvent[]): Promise<TransformedEvent[]> {
    const results = new Map<string, { lines: string[]; rejects: TransformedEvent['rejects'][number][]; failure?: string }>();
    const keyOf = (source: LogSource, id: string): string => JSON.stringify([source.owner, source.logGroup, source.logStream, id]);
    let round: { event: SourceEvent; payload: CloudWatchLogsPayload }[] = events.map((event) => ({ event, payload: payloadOf(event) }));
    for (const event of events) results.set(keyOf(event.source, event.logEvent.id), { lines: [], rejects: [] });
    for (let rounds = 0; round.length > 0; rounds++) {
      if (rounds === MAX_ROUNDS) {
        for (const { event } of round) (results.get(keyOf(event.source, event.logEvent.id)) as { failure?: string }).failure = 'REINGEST_GENERATIONS_EXCEEDED';
        break;
      }
      const outcomes = await this.invoke(round);
      const next: typeof round = [];
      round.forEach(({ event }, i) => {
        const result = results.get(keyOf(event.source, event.logEvent.id)) as { lines: string[]; failure?: string };
        const outcome = outcomes[i];
        if (outcome?.result === 'Ok') result.lines.push(...outcome.data.toString('utf8').split('\n').filter((line) => line !== ''));
        else if (outcome?.result === 'Failed') result.failure = outcome.errorCode;
      });
      for (const reingested of this.api.take(DELIVERY_STREAM)) {
        const payload = parseReingested(reingested.data);
        if (payload === undefined) continue;
        if (payload.messageType === REJECTS_MESSAGE_TYPE) {
          const record = { attemptsMade: 0, arrivalTimestamp: 0, errorCode: '', errorMessage: '', attemptEndingTimestamp: 0, lambdaArn: '', rawData: reingested.data.toString('base64') };
          for (const rejected of failedEventsOf({ record, objectKey: '', recordIndex: 0 })) {
            if (rejected.source === undefined || rejected.logEvent === undefined) continue;
            const result = results.get(keyOf(rejected.source, rejected.logEvent.id));
            result?.rejects.push({ reason: rejected.reason, detail: rejected.detail, ...(rejected.index === undefined ? {} : { index: rejected.index }) });
          }
          continue;
        }
        // A piece of a record too large for one response: its events go round again.
        const piece = payload as CloudWatchLogsPayload;
        for (const logEvent of piece.logEvents ?? []) {
          const original = events.find((event) => event.logEvent.id === logEvent.id && event.source.logStream === piece.logStream && event.source.logGroup === piece.logGroup && event.source.owner === piece.owner);
          if (original !== undefined) next.push({ event: original, payload: { ...piece, logEvents: [logEvent] } });
        }
      }
      round = next;
    }
    return events.map((event) => ({ event, ...(results.get(keyOf(event.source, event.logEvent.id)) as Omit<TransformedEvent, 'event'>) }));
  }

  async close(): Promise<void> {
    await this.runtime.close();
    await this.api.close();
  }

  private async invoke(round: readonly { event: SourceEvent; payload: CloudWatchLogsPayload }[]) {
    const event: FirehoseTransformationEvent = {
      invocationId: `reconcile-${Date.now()}`,
      deliveryStreamArn: `arn:aws:firehose:${this.region}:${LOCAL_ACCOUNT_ID}:deliverystream/${DELIVERY_STREAM}`,
      region: this.region,
      records: round.map(({ event: source, payload }, i) => ({
        recordId: String(i),
        approximateArrivalTimestamp: source.arrival,
        data: Buffer.from(JSON.stringify(payload)).toString('base64'),
      })),
    };
    const recordIds = event.records.map((record) => record.recordId);
    const invocation = await this.runtime.invoke(event);
    const checked = invocation.ok ? checkTransformationResponse(recordIds, invocation.responseJson) : undefined;
    if (checked === undefined || checked.kind !== 'checked') {
      const why = invocation.ok ? (checked as { errorMessage: string }).errorMessage : `${invocation.errorType}: ${invocation.errorMessage}`;
      throw new Error(`the transform failed locally on ${round.length} log events: ${why}`);
    }
    return recordIds.map((id) => checked.outcomes.get(id));
  }
}

/** The CloudWatch payload of one log event, as the transform receives it (Firehose hands it over unzipped too). */
function payloadOf({ source, logEvent }: SourceEvent): CloudWatchLogsPayload {
  return { messageType: 'DATA_MESSAGE', owner: source.owner, logGroup: source.logGroup, logStream: source.logStream, subscriptionFilters: source.subscriptionFilters, logEvents: [logEvent] };
}

function parseReingested(data: Buffer): { readonly messageType?: string; readonly logEvents?: readonly LogEvent[] } | undefined {
  try {
    return JSON.parse((isGzip(data) ? gunzipSync(data) : data).toString('utf8')) as { messageType?: string };
  } catch {
    return undefined;
  }
}

/**
 * The transform's rules run on log events of the source backup, however the transform is invoked (the bundle in a
 * Lambda-like runtime for the CLI, the code in-process for the reconciling function): one Firehose record per log
 * event so each record's output names its event. What the transform re-ingests is read back: rejects name their
 * records by event and index, split pieces are transformed again.
 */
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { gunzipSync } from 'node:zlib';
import type { CloudWatchLogsPayload, LogEvent } from '../../../transform/types.ts';
import { REJECTS_MESSAGE_TYPE } from '../../../transform/types.ts';
import { type LogSource, failedEventsOf, isGzip } from '../error-prefix/failures.ts';
import { checkTransformationResponse } from '../local-pipeline/firehose-contract.ts';
import type { SourceEvent, TransformedEvent } from './local-transform.ts';

/** One invocation of the transform, and what it re-ingested meanwhile. */
export interface TransformInvoker {
  /** The response's JSON, or why the invocation failed. */
  invoke(event: FirehoseTransformationEvent): Promise<{ ok: true; responseJson: string } | { ok: false; why: string }>;
  /** The data of every record re-ingested since the last call. */
  takeReingested(): Buffer[];
}

/** Rounds of re-transforming split pieces before giving up on an event (the transform's own cap is 10). */
const MAX_ROUNDS = 12;
const DELIVERY_STREAM = 'reconcile';
const LOCAL_ACCOUNT_ID = '000000000000';

/** Transforms the events (one invocation, plus one per round of split pieces); results in input order. */
export async function transformInRounds(events: readonly SourceEvent[], invoker: TransformInvoker, region: string): Promise<TransformedEvent[]> {
  const results = new Map<string, { lines: string[]; rejects: TransformedEvent['rejects'][number][]; failure?: string }>();
  const keyOf = (source: LogSource, id: string): string => JSON.stringify([source.owner, source.logGroup, source.logStream, id]);
  let round: { event: SourceEvent; payload: CloudWatchLogsPayload }[] = events.map((event) => ({ event, payload: payloadOf(event) }));
  for (const event of events) results.set(keyOf(event.source, event.logEvent.id), { lines: [], rejects: [] });
  for (let rounds = 0; round.length > 0; rounds++) {
    if (rounds === MAX_ROUNDS) {
      for (const { event } of round) (results.get(keyOf(event.source, event.logEvent.id)) as { failure?: string }).failure = 'REINGEST_GENERATIONS_EXCEEDED';
      break;
    }
    const outcomes = await invokeRound(round, invoker, region);
    const next: typeof round = [];
    round.forEach(({ event }, i) => {
      const result = results.get(keyOf(event.source, event.logEvent.id)) as { lines: string[]; failure?: string };
      const outcome = outcomes[i];
      if (outcome?.result === 'Ok') result.lines.push(...outcome.data.toString('utf8').split('\n').filter((line) => line !== ''));
      else if (outcome?.result === 'Failed') result.failure = outcome.errorCode;
    });
    for (const data of invoker.takeReingested()) {
      const payload = parseReingested(data);
      if (payload === undefined) continue;
      if (payload.messageType === REJECTS_MESSAGE_TYPE) {
        const record = { attemptsMade: 0, arrivalTimestamp: 0, errorCode: '', errorMessage: '', attemptEndingTimestamp: 0, lambdaArn: '', rawData: data.toString('base64') };
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

async function invokeRound(round: readonly { event: SourceEvent; payload: CloudWatchLogsPayload }[], invoker: TransformInvoker, region: string) {
  const event: FirehoseTransformationEvent = {
    invocationId: `reconcile-${Date.now()}`,
    deliveryStreamArn: `arn:aws:firehose:${region}:${LOCAL_ACCOUNT_ID}:deliverystream/${DELIVERY_STREAM}`,
    region,
    records: round.map(({ event: source, payload }, i) => ({
      recordId: String(i),
      approximateArrivalTimestamp: source.arrival,
      data: Buffer.from(JSON.stringify(payload)).toString('base64'),
    })),
  };
  const recordIds = event.records.map((record) => record.recordId);
  const invocation = await invoker.invoke(event);
  const checked = invocation.ok ? checkTransformationResponse(recordIds, invocation.responseJson) : undefined;
  if (checked === undefined || checked.kind !== 'checked') {
    const why = invocation.ok ? (checked as { errorMessage: string }).errorMessage : invocation.why;
    throw new Error(`the transform failed on ${round.length} log events: ${why}`);
  }
  return recordIds.map((id) => checked.outcomes.get(id));
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

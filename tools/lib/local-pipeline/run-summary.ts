/** What a local pipeline run did, reconciled from its delivery report: pure, for the table and for --json. */
import type { BufferHints } from './buffering.ts';
import { type FailedEvent, failedEventsOf, groupFailures } from '../error-prefix/failures.ts';
import type { PipelineResult } from './pipeline.ts';
import type { RelayReport } from '../relay/local-relay.ts';
import type { PipelineSourceKind } from '../../../infra/pipeline-source.ts';

export interface RunInput {
  readonly source: string;
  readonly format: string;
  readonly eventsRead: number;
  readonly eventsMatched: number;
  readonly filterPattern: string;
  /** What Firehose read, and how many records were put into it (Kinesis records or Direct PUT records). */
  readonly pipelineSource: PipelineSourceKind;
  readonly kinesisRecordsPut: number;
}

export interface ReasonCount {
  readonly reason: string;
  readonly count: number;
  readonly example: string;
}

/** One account's share of a run of several accounts: the transform's `byOwner` counts of its records. */
export interface AccountCount {
  readonly account: string;
  /** The pipeline's own account (HOME_ACCOUNT_ID); the others are senders. */
  readonly home: boolean;
  readonly eventsMatched: number;
  readonly meterRecordsDelivered: number;
  readonly rejected: number;
}

export interface RunSummary {
  readonly input: RunInput;
  /** A run of several accounts (`--owner` per input): each account's counts. */
  readonly accounts?: readonly AccountCount[];
  readonly lambda: { readonly invocations: number; readonly failedInvocations: number; readonly maxMs: number; readonly totalMs: number };
  readonly records: {
    readonly fromSource: number;
    readonly reingested: number;
    readonly ok: number;
    readonly dropped: number;
    readonly failed: Readonly<Record<string, number>>;
  };
  readonly meterRecordsDelivered: number;
  readonly rejected: { readonly total: number; readonly byReason: readonly ReasonCount[] };
  /** Failed records other than rejects payloads: invocation failures, contract violations, undecodable input. */
  readonly otherFailures: { readonly total: number; readonly byReason: readonly ReasonCount[] };
  readonly objects: {
    readonly data: readonly { readonly location: string; readonly records: number; readonly bytes: number }[];
    readonly errors: readonly { readonly location: string; readonly records: number; readonly bytes: number }[];
    /** Source-record backup objects (relay mode: in the pipeline bucket). */
    readonly backup: readonly { readonly location: string; readonly records: number; readonly bytes: number }[];
  };
  /** Relay mode: data objects forwarded to Amberflo's bucket, and those left in the dead-letter queue. */
  readonly relay?: {
    readonly amberfloBucket: string;
    readonly forwarded: number;
    readonly deadLettered: readonly string[];
    readonly receives: number;
    readonly invocations: number;
  };
  readonly latency: {
    readonly simulatedMaxSeconds: number;
    readonly simulatedMeanSeconds: number;
    /** Worst case the buffer hints imply: processor interval + destination interval + the slowest invocation. */
    readonly impliedWorstCaseSeconds: number;
  };
}

export interface SummaryContext {
  readonly input: RunInput;
  readonly processorHints: BufferHints;
  readonly destinationHints: BufferHints;
  readonly locate: (key: string) => string;
  readonly relay?: RelayReport & { readonly amberfloBucket: string };
  readonly accounts?: readonly AccountCount[];
}

export function summarizeRun(result: PipelineResult, context: SummaryContext): RunSummary {
  const failedEvents = result.errorRecords.flatMap((record, recordIndex) => failedEventsOf({ record, objectKey: '', recordIndex }));
  const rejects = failedEvents.filter((event) => event.origin === 'rejects');
  const others = failedEvents.filter((event) => event.origin !== 'rejects');
  const describe = (objects: PipelineResult['dataObjects']) =>
    objects.map((object) => ({ location: context.locate(object.key), records: object.records, bytes: object.bytes }));
  return {
    input: context.input,
    ...(context.accounts === undefined ? {} : { accounts: context.accounts }),
    lambda: { invocations: result.invocations, failedInvocations: result.failedInvocations, maxMs: result.lambdaMsMax, totalMs: result.lambdaMsTotal },
    records: {
      fromSource: result.sourceRecords,
      reingested: result.reingestedRecords,
      ok: result.okRecords,
      dropped: result.droppedRecords,
      failed: result.failedRecords,
    },
    meterRecordsDelivered: result.deliveredMeterRecords,
    rejected: { total: rejects.length, byReason: countByReason(rejects) },
    otherFailures: { total: others.length, byReason: countByReason(others) },
    objects: { data: describe(result.dataObjects), errors: describe(result.errorObjects), backup: describe(result.backupObjects) },
    ...(context.relay === undefined
      ? {}
      : {
          relay: {
            amberfloBucket: context.relay.amberfloBucket,
            forwarded: context.relay.forwarded.length,
            deadLettered: context.relay.deadLettered.map(context.locate),
            receives: context.relay.receives,
            invocations: context.relay.invocations,
          },
        }),
    latency: {
      simulatedMaxSeconds: result.maxLatencyMs / 1000,
      simulatedMeanSeconds: result.meanLatencyMs / 1000,
      impliedWorstCaseSeconds: (context.processorHints.intervalMs + context.destinationHints.intervalMs + result.lambdaMsMax) / 1000,
    },
  };
}

function countByReason(events: readonly FailedEvent[]): ReasonCount[] {
  return groupFailures(events, 1).map((group) => ({
    reason: group.reason,
    count: group.count,
    example: exampleText(group.examples[0]),
  }));
}

/** A one-line example: why the event failed (the reject detail or Firehose's error message). */
export function exampleText(event: FailedEvent | undefined, maxLength = 110): string {
  if (event === undefined) return '';
  const text = event.detail.replace(/\s+/g, ' ').trim();
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

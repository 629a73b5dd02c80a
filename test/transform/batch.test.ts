import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { transformBatch, type BatchDependencies } from '../../transform/batch.ts';
import { DEFAULT_CONFIG, type TransformConfig } from '../../transform/config.ts';
import type { ReingestEntry, ReingestTarget } from '../../transform/reingest.ts';
import { MAX_REINGEST_RECORD_BYTES } from '../../transform/repack.ts';
import { responseLength } from '../../transform/respond.ts';
import { recordingTarget } from '../support/recording-target.ts';
import type { CloudWatchLogsPayload, RejectsPayload } from '../../transform/types.ts';
import {
  controlPayload,
  firehoseEvent,
  formatLogLine,
  gzipPayload,
  meterLogEvents,
  nextLogEventId,
  subscriptionPayload,
  TRAFFIC_START,
} from '../../tools/lib/cloudwatch/payloads.ts';

const PREFIX = DEFAULT_CONFIG.prefix;
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/meter-records';

function dependencies(target: ReingestTarget): BatchDependencies {
  return { reingestTarget: async () => target, sleep: async () => {} };
}

function ndjsonOf(result: FirehoseTransformationResult): string[] {
  return result.records.flatMap((record) =>
    record.result === 'Ok' ? Buffer.from(record.data ?? '', 'base64').toString('utf8').split('\n').filter(Boolean) : [],
  );
}

function gunzipJson<T>(data: Uint8Array): T {
  return JSON.parse(gunzipSync(data).toString('utf8')) as T;
}

/** Re-runs what was re-ingested through the transform, as Firehose would when it reads the stream again. */
async function nextPass(sent: readonly ReingestEntry[], config: TransformConfig = DEFAULT_CONFIG) {
  const event = firehoseEvent(sent.map((entry) => Buffer.from(entry.data)), { sourceKinesisStreamArn: STREAM_ARN });
  const { target, sent: sentAgain } = recordingTarget();
  const output = await transformBatch(event, config, dependencies(target));
  return { ...output, sentAgain };
}

function line(record: object, id = nextLogEventId(TRAFFIC_START)) {
  return { id, timestamp: TRAFFIC_START, message: formatLogLine('node-text', record, { prefix: PREFIX, timestamp: TRAFFIC_START }) };
}

const valid = { meterApiName: 'api-calls', customerId: 'c-1', meterTimeInMillis: TRAFFIC_START, meterValue: 1 };

describe('transformBatch', () => {
  it('returns every recordId exactly once, in order, with the right result', async () => {
    const { target } = recordingTarget();
    const event = firehoseEvent(
      [
        gzipPayload(subscriptionPayload(meterLogEvents(5))),
        gzipPayload(controlPayload()),
        gzipPayload(subscriptionPayload([{ id: '1', timestamp: 1, message: 'START RequestId: abc' }])),
        Buffer.from('not gzip, not json'),
        gzipPayload({ messageType: 'METER_REJECTS', version: 1, rejects: [] }),
      ],
      { sourceKinesisStreamArn: STREAM_ARN },
    );
    const { result, stats } = await transformBatch(event, DEFAULT_CONFIG, dependencies(target));
    expect(result.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
    expect(result.records.map((r) => r.result)).toEqual(['Ok', 'Dropped', 'Dropped', 'ProcessingFailed', 'ProcessingFailed']);
    expect(result.records.filter((r) => r.result !== 'Ok').every((r) => r.data === undefined)).toBe(true);
    expect(stats).toMatchObject({ recordsIn: 5, recordsOk: 1, recordsDropped: 2, recordsFailed: 2, recordsReingested: 0, meterRecordsOut: 5 });
    expect(stats.failedByReason).toEqual({ NOT_GZIP_OR_JSON: 1, REJECTS_PAYLOAD: 1 });
  });

  it('delivers the valid records of a batch and re-ingests each invalid one with its reason and origin', async () => {
    const { target, sent } = recordingTarget();
    const bad = line({ ...valid, meterValue: 'abc' });
    const inspect = { id: nextLogEventId(1), timestamp: TRAFFIC_START, message: `${PREFIX} { meterApiName: 'x' }` };
    const payload = subscriptionPayload([line(valid), bad, line({ ...valid, customerId: 'c-2' }), inspect], { logGroup: '/aws/lambda/billing' });
    const event = firehoseEvent([gzipPayload(payload)], { sourceKinesisStreamArn: STREAM_ARN, partitionKey: 'pk-7' });
    const { result, stats } = await transformBatch(event, DEFAULT_CONFIG, dependencies(target));

    expect(result.records[0]?.result).toBe('Ok');
    expect(ndjsonOf(result).map((l) => JSON.parse(l).customerId)).toEqual(['c-1', 'c-2']);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.partitionKey).toBe('pk-7');
    const rejects = gunzipJson<RejectsPayload>(sent[0]!.data);
    expect(rejects).toMatchObject({ messageType: 'METER_REJECTS', version: 3, logGroup: '/aws/lambda/billing', logStream: payload.logStream, owner: payload.owner });
    expect(rejects.rejects.map((r) => r.reason)).toEqual(['INVALID_METER_VALUE', 'UTIL_INSPECT_OUTPUT']);
    expect(rejects.logEvents[rejects.rejects[0]!.event]).toEqual(bad);
    expect(stats).toMatchObject({ rejectedMeterRecords: 2, rejectedByReason: { INVALID_METER_VALUE: 1, UTIL_INSPECT_OUTPUT: 1 } });

    // When the rejects payload comes back through the stream it fails, so Firehose files it under the error prefix.
    const second = await nextPass(sent);
    expect(second.result.records.map((r) => r.result)).toEqual(['ProcessingFailed']);
    expect(second.sentAgain).toHaveLength(0);
  });

  it('re-ingests rejects even when no record of the batch is valid, and drops the original', async () => {
    const { target, sent } = recordingTarget();
    const event = firehoseEvent([gzipPayload(subscriptionPayload([line({ ...valid, extra: true })]))], { sourceKinesisStreamArn: STREAM_ARN });
    const { result } = await transformBatch(event, DEFAULT_CONFIG, dependencies(target));
    expect(result.records[0]?.result).toBe('Dropped');
    expect(gunzipJson<RejectsPayload>(sent[0]!.data).rejects[0]?.reason).toBe('UNKNOWN_FIELD');
  });

  it('fails the whole original record when the rejects cannot be re-ingested, so nothing is lost', async () => {
    const failing: ReingestTarget = {
      description: 'always throttled',
      maxBatchRecords: 500,
      maxBatchBytes: 5_000_000,
      send: async (entries) => entries.map(() => 'ProvisionedThroughputExceededException'),
    };
    const event = firehoseEvent(
      [gzipPayload(subscriptionPayload([line(valid), line({ ...valid, meterValue: null })])), gzipPayload(subscriptionPayload([line(valid)]))],
      { sourceKinesisStreamArn: STREAM_ARN },
    );
    const { result, stats } = await transformBatch(event, { ...DEFAULT_CONFIG, reingestMaxAttempts: 3 }, dependencies(failing));
    expect(result.records.map((r) => r.result)).toEqual(['ProcessingFailed', 'Ok']);
    expect(result.records[0]?.data).toBeUndefined();
    expect(stats).toMatchObject({ recordsFailed: 1, recordsOk: 1, failedByReason: { REINGEST_FAILED: 1 }, reingestPayloadsFailed: 1, reingestRetries: 2 });
    expect(stats.reingestLastError).toBe('ProvisionedThroughputExceededException');
  });

  it('fails the record when no re-ingest target can be built', async () => {
    const event = firehoseEvent([gzipPayload(subscriptionPayload([line({ ...valid, meterValue: 'x' })]))]);
    const { result } = await transformBatch(event, DEFAULT_CONFIG, {
      reingestTarget: async () => {
        throw new Error('no credentials');
      },
    });
    expect(result.records[0]?.result).toBe('ProcessingFailed');
  });

  it('derives uniqueIds from the log event so a retried batch encodes identical lines', async () => {
    const payload = gzipPayload(subscriptionPayload(meterLogEvents(50, { forms: ['node-text', 'array', 'lambda-json'] })));
    const { target } = recordingTarget();
    const first = await transformBatch(firehoseEvent([payload]), DEFAULT_CONFIG, dependencies(target));
    const again = await transformBatch(firehoseEvent([payload]), DEFAULT_CONFIG, dependencies(target));
    expect(ndjsonOf(again.result)).toEqual(ndjsonOf(first.result));
    expect(new Set(ndjsonOf(first.result).map((l) => JSON.parse(l).uniqueId)).size).toBe(50);
  });

  it('reconciles its counts: in = ok + dropped + failed + re-ingested', async () => {
    const { target } = recordingTarget();
    const big = gzipPayload(subscriptionPayload(meterLogEvents(4000, { seed: 3 })));
    const event = firehoseEvent(
      [big, big, gzipPayload(controlPayload()), Buffer.from('x'), gzipPayload(subscriptionPayload(meterLogEvents(3)))],
      { sourceKinesisStreamArn: STREAM_ARN },
    );
    const { stats } = await transformBatch(event, { ...DEFAULT_CONFIG, responseBudgetBytes: 1_500_000 }, dependencies(target));
    expect(stats.recordsReingested).toBeGreaterThan(0);
    expect(stats.recordsOk + stats.recordsDropped + stats.recordsFailed + stats.recordsReingested).toBe(stats.recordsIn);
  });
});

describe('the response budget', () => {
  /** Records whose outputs are large: `events` meter events each. */
  function largeEvent(records: number, events: number, recordIdPad = 0): FirehoseTransformationEvent {
    const event = firehoseEvent(
      Array.from({ length: records }, (_, i) => gzipPayload(subscriptionPayload(meterLogEvents(events, { seed: i + 1 })))),
      { sourceKinesisStreamArn: STREAM_ARN },
    );
    const last = event.records[event.records.length - 1]!;
    last.recordId += 'x'.repeat(recordIdPad);
    return event;
  }

  it('fills the response up to exactly the budget, and re-ingests what does not fit', async () => {
    const probe = largeEvent(3, 2000);
    const unlimited = { ...DEFAULT_CONFIG, responseBudgetBytes: Number.MAX_SAFE_INTEGER };
    const full = await transformBatch(probe, unlimited, dependencies(recordingTarget().target));
    const exactLength = responseLength(full.result.records);

    const atBudget = await transformBatch(probe, { ...DEFAULT_CONFIG, responseBudgetBytes: exactLength }, dependencies(recordingTarget().target));
    expect(atBudget.result.records.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Ok']);
    expect(responseLength(atBudget.result.records)).toBe(exactLength);

    const { target, sent } = recordingTarget();
    const oneShort = await transformBatch(probe, { ...DEFAULT_CONFIG, responseBudgetBytes: exactLength - 1 }, dependencies(target));
    expect(oneShort.result.records.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Dropped']);
    expect(responseLength(oneShort.result.records)).toBeLessThanOrEqual(exactLength - 1);
    expect(oneShort.stats.recordsReingested).toBe(1);
    expect(sent.length).toBeGreaterThan(0);
  });

  it('keeps a response of exactly 6,000,000 bytes whole and re-ingests at one byte more', async () => {
    // Estimate how many events per record bring three records just under the default budget, then pad a recordId.
    const unlimited = { ...DEFAULT_CONFIG, responseBudgetBytes: Number.MAX_SAFE_INTEGER };
    const probe = await transformBatch(largeEvent(3, 1000), unlimited, dependencies(recordingTarget().target));
    const perEvent = responseLength(probe.result.records) / 3000;
    const perRecord = Math.floor(DEFAULT_CONFIG.responseBudgetBytes / (3 * perEvent)) - 30;
    const base = await transformBatch(largeEvent(3, perRecord), unlimited, dependencies(recordingTarget().target));
    const gap = DEFAULT_CONFIG.responseBudgetBytes - responseLength(base.result.records);
    expect(gap).toBeGreaterThanOrEqual(0);
    expect(gap).toBeLessThan(100 * perEvent);

    const exact = largeEvent(3, perRecord, gap);
    const atLimit = await transformBatch(exact, DEFAULT_CONFIG, dependencies(recordingTarget().target));
    expect(responseLength(atLimit.result.records)).toBe(6_000_000);
    expect(atLimit.result.records.every((r) => r.result === 'Ok')).toBe(true);

    const over = largeEvent(3, perRecord, gap + 1);
    const { target, sent } = recordingTarget();
    const overLimit = await transformBatch(over, DEFAULT_CONFIG, dependencies(target));
    expect(responseLength(overLimit.result.records)).toBeLessThanOrEqual(6_000_000);
    expect(overLimit.result.records.map((r) => r.result)).toEqual(['Ok', 'Ok', 'Dropped']);

    // The re-ingested pieces carry exactly the meter records of the record that did not fit.
    const whole = await transformBatch(over, unlimited, dependencies(recordingTarget().target));
    const expected = ndjsonOf(whole.result).slice(-perRecord);
    const second = await nextPass(sent);
    expect(second.result.records.every((r) => r.result === 'Ok')).toBe(true);
    expect(ndjsonOf(second.result)).toEqual(expected);
  });

  it('splits one record larger than the whole budget into pieces that each fit a Kinesis record', async () => {
    const { target, sent } = recordingTarget();
    const huge = largeEvent(1, 30_000);
    const unlimited = { ...DEFAULT_CONFIG, responseBudgetBytes: Number.MAX_SAFE_INTEGER };
    const whole = await transformBatch(huge, unlimited, dependencies(recordingTarget().target));
    expect(responseLength(whole.result.records)).toBeGreaterThan(6_000_000);

    const { result, stats } = await transformBatch(huge, DEFAULT_CONFIG, dependencies(target));
    expect(result.records.map((r) => r.result)).toEqual(['Dropped']);
    expect(stats.recordsReingested).toBe(1);
    expect(sent.length).toBeGreaterThan(5);
    for (const entry of sent) {
      expect(entry.data.length).toBeLessThanOrEqual(MAX_REINGEST_RECORD_BYTES);
      const piece = gunzipJson<CloudWatchLogsPayload>(entry.data);
      expect(piece.messageType).toBe('DATA_MESSAGE');
      expect(piece.logGroup).toBe('/aws/lambda/orders-handler');
    }
    const second = await nextPass(sent);
    expect(responseLength(second.result.records)).toBeLessThanOrEqual(6_000_000);
    // Pieces that do not fit the second response are re-ingested again; gather them all.
    let lines = ndjsonOf(second.result);
    let pending = second.sentAgain;
    while (pending.length > 0) {
      const pass = await nextPass(pending);
      lines = lines.concat(ndjsonOf(pass.result));
      pending = pass.sentAgain;
    }
    expect(lines.sort()).toEqual(ndjsonOf(whole.result).sort());
  });

  it('fails a record whose single log event cannot fit one re-ingest record', async () => {
    const { target } = recordingTarget();
    const incompressible = randomBytes(1_200_000).toString('base64');
    const hugeEvent = line({ ...valid, dimensions: { blob: incompressible } });
    const event = firehoseEvent([gzipPayload(subscriptionPayload([hugeEvent]))], { sourceKinesisStreamArn: STREAM_ARN });
    const { result, stats } = await transformBatch(event, { ...DEFAULT_CONFIG, responseBudgetBytes: 100_000 }, dependencies(target));
    expect(result.records.map((r) => r.result)).toEqual(['ProcessingFailed']);
    expect(stats.failedByReason).toEqual({ REINGEST_FAILED: 1 });
  });
});

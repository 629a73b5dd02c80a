/**
 * Records of several AWS accounts in one pipeline (cross-account subscriptions): derived uniqueIds kept apart by
 * the payload's `owner`, the home account's ids unchanged, and the owner kept through re-ingest and rejects.
 */
import { gunzipSync } from 'node:zlib';
import type { FirehoseTransformationResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { transformBatch, type BatchDependencies } from '../../transform/batch.ts';
import { DEFAULT_CONFIG, type TransformConfig } from '../../transform/config.ts';
import { transformPayload } from '../../transform/payload.ts';
import type { ReingestTarget } from '../../transform/reingest.ts';
import type { CloudWatchLogsPayload, LogEvent, RejectsPayload } from '../../transform/types.ts';
import { firehoseEvent, formatLogLine, gzipPayload, logEventId, subscriptionPayload, TRAFFIC_START } from '../../tools/lib/cloudwatch/payloads.ts';
import { recordingTarget } from '../support/recording-target.ts';

const HOME = '999999999999';
const SENDER_A = '111111111111';
const SENDER_B = '222222222222';
const STREAM_ARN = `arn:aws:kinesis:us-east-1:${HOME}:stream/meter-records`;
const WITH_HOME: TransformConfig = { ...DEFAULT_CONFIG, homeAccountId: HOME };
const PREFIX = DEFAULT_CONFIG.prefix;

const record = (customerId: string) => ({ meterApiName: 'api-calls', customerId, meterTimeInMillis: TRAFFIC_START, meterValue: 1 });
/** The same event ids in every account: CloudWatch Logs makes them unique per log group only. */
const events = (): LogEvent[] => [
  { id: logEventId(TRAFFIC_START, 1), timestamp: TRAFFIC_START, message: formatLogLine('node-text', record('c-1'), { prefix: PREFIX, timestamp: TRAFFIC_START }) },
  { id: logEventId(TRAFFIC_START, 2), timestamp: TRAFFIC_START, message: formatLogLine('lambda-json', record('c-2'), { prefix: PREFIX, timestamp: TRAFFIC_START }) },
  { id: logEventId(TRAFFIC_START, 3), timestamp: TRAFFIC_START, message: formatLogLine('array', [record('c-3'), record('c-4')], { prefix: PREFIX, timestamp: TRAFFIC_START }) },
];
const ID_1 = logEventId(TRAFFIC_START, 1);
const ID_2 = logEventId(TRAFFIC_START, 2);
const ID_3 = logEventId(TRAFFIC_START, 3);

function dependencies(target: ReingestTarget): BatchDependencies {
  return { reingestTarget: async () => target, sleep: async () => {} };
}

function linesOf(result: FirehoseTransformationResult): Record<string, unknown>[][] {
  return result.records.map((output) =>
    output.result === 'Ok'
      ? Buffer.from(output.data ?? '', 'base64').toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)
      : [],
  );
}

async function transformOwners(owners: readonly string[], config: TransformConfig) {
  const { target, sent } = recordingTarget();
  const event = firehoseEvent(owners.map((owner) => gzipPayload(subscriptionPayload(events(), { owner }))), { sourceKinesisStreamArn: STREAM_ARN });
  const output = await transformBatch(event, config, dependencies(target));
  return { ...output, sent, lines: linesOf(output.result) };
}

describe('uniqueIds of records from several accounts', () => {
  it('gives the same event id of two sender accounts two uniqueIds, and the home account its plain event id', async () => {
    const { lines } = await transformOwners([HOME, SENDER_A, SENDER_B], WITH_HOME);
    expect(lines.map((payload) => payload.map((line) => line.uniqueId))).toEqual([
      [ID_1, ID_2, `${ID_3}-0`, `${ID_3}-1`],
      [`${SENDER_A}-${ID_1}`, `${SENDER_A}-${ID_2}`, `${SENDER_A}-${ID_3}-0`, `${SENDER_A}-${ID_3}-1`],
      [`${SENDER_B}-${ID_1}`, `${SENDER_B}-${ID_2}`, `${SENDER_B}-${ID_3}-0`, `${SENDER_B}-${ID_3}-1`],
    ]);
    expect(new Set(lines.flat().map((line) => line.uniqueId)).size).toBe(12);
  });

  it('writes the home account\'s records byte for byte as with no home account configured (the ids given before)', async () => {
    const configured = await transformOwners([HOME], WITH_HOME);
    const unconfigured = await transformOwners([HOME], DEFAULT_CONFIG);
    expect(configured.result.records[0]?.data).toBe(unconfigured.result.records[0]?.data);
    expect(unconfigured.lines[0]?.map((line) => line.uniqueId)).toEqual([ID_1, ID_2, `${ID_3}-0`, `${ID_3}-1`]);
  });

  it('leaves every id as it was when no home account is configured, whatever the owner', async () => {
    const { lines } = await transformOwners([SENDER_A, SENDER_B], DEFAULT_CONFIG);
    for (const payload of lines) expect(payload.map((line) => line.uniqueId)).toEqual([ID_1, ID_2, `${ID_3}-0`, `${ID_3}-1`]);
  });

  it('keeps a record\'s own uniqueId, from any account', async () => {
    const own = { ...record('c-1'), uniqueId: 'order-7' };
    const payload = subscriptionPayload([{ id: ID_1, timestamp: TRAFFIC_START, message: `${PREFIX} ${JSON.stringify(own)}` }], { owner: SENDER_A });
    expect(transformPayload(payload, WITH_HOME).ndjson.toString()).toContain('"uniqueId":"order-7"');
  });

  it('derives the same ids by the general path for a payload laid out otherwise (pretty-printed)', async () => {
    const { target } = recordingTarget();
    const pretty = Buffer.from(JSON.stringify(subscriptionPayload(events(), { owner: SENDER_A }), null, 2));
    const event = firehoseEvent([gzipPayload(JSON.parse(pretty.toString()) as CloudWatchLogsPayload), pretty], {
      sourceKinesisStreamArn: STREAM_ARN,
    });
    const { result } = await transformBatch(event, WITH_HOME, dependencies(target));
    const [fast, general] = linesOf(result);
    expect(general?.map((line) => line.uniqueId)).toEqual([`${SENDER_A}-${ID_1}`, `${SENDER_A}-${ID_2}`, `${SENDER_A}-${ID_3}-0`, `${SENDER_A}-${ID_3}-1`]);
    expect(general).toEqual(fast);
  });

  it('counts meter records and rejections per owner in the stats', async () => {
    const { target } = recordingTarget();
    const bad = { id: logEventId(TRAFFIC_START, 9), timestamp: TRAFFIC_START, message: `${PREFIX} {"meterApiName":"a"}` };
    const event = firehoseEvent(
      [
        gzipPayload(subscriptionPayload(events(), { owner: SENDER_A })),
        gzipPayload(subscriptionPayload([...events(), bad], { owner: SENDER_B })),
        gzipPayload(subscriptionPayload(events(), { owner: SENDER_A })),
      ],
      { sourceKinesisStreamArn: STREAM_ARN },
    );
    const { stats } = await transformBatch(event, WITH_HOME, dependencies(target));
    expect(stats.byOwner).toEqual({
      [SENDER_A]: { meterRecordsOut: 8, rejectedMeterRecords: 0 },
      [SENDER_B]: { meterRecordsOut: 4, rejectedMeterRecords: 1 },
    });
  });

  it('counts an owner that is not an account id as `other`, so no payload text reaches the summary log', async () => {
    const { target } = recordingTarget();
    const event = firehoseEvent([gzipPayload(subscriptionPayload(events(), { owner: `x ${PREFIX} {}` }))], { sourceKinesisStreamArn: STREAM_ARN });
    const { stats } = await transformBatch(event, WITH_HOME, dependencies(target));
    expect(stats.byOwner).toEqual({ other: { meterRecordsOut: 4, rejectedMeterRecords: 0 } });
  });
});

describe('the owner through re-ingest', () => {
  it('keeps the owner in split pieces, so the pieces derive the ids the whole payload would', async () => {
    // A budget small enough that one payload must be split and its pieces re-ingested.
    const config: TransformConfig = { ...WITH_HOME, responseBudgetBytes: 8_000, splitTargetBytes: 3_000 };
    const many = Array.from({ length: 60 }, (_, i) => ({
      id: logEventId(TRAFFIC_START, i),
      timestamp: TRAFFIC_START,
      message: formatLogLine('node-text', record(`customer-${i}`), { prefix: PREFIX, timestamp: TRAFFIC_START }),
    }));
    const whole = transformPayload(subscriptionPayload(many, { owner: SENDER_A }), WITH_HOME).ndjson.toString();
    const { target, sent } = recordingTarget();
    const first = await transformBatch(
      firehoseEvent([gzipPayload(subscriptionPayload(many, { owner: SENDER_A }))], { sourceKinesisStreamArn: STREAM_ARN }),
      config,
      dependencies(target),
    );
    expect(first.result.records[0]?.result).toBe('Dropped');
    const pieces = sent.map((entry) => JSON.parse(gunzipSync(entry.data).toString('utf8')) as CloudWatchLogsPayload);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.owner).toBe(SENDER_A);
    // Each piece fits a response alone, as Firehose may read them one batch each.
    let delivered = '';
    for (const entry of sent) {
      const again = await transformBatch(firehoseEvent([Buffer.from(entry.data)], { sourceKinesisStreamArn: STREAM_ARN }), config, dependencies(recordingTarget().target));
      expect(again.result.records[0]?.result).toBe('Ok');
      delivered += Buffer.from(again.result.records[0]?.data ?? '', 'base64').toString('utf8');
    }
    expect(delivered.split('\n').sort()).toEqual(whole.split('\n').sort());
    expect(delivered).toContain(`"uniqueId":"${SENDER_A}-${logEventId(TRAFFIC_START, 0)}"`);
  });

  it('records the sender account in the rejects payload of its rejected records', async () => {
    const bad = { id: ID_1, timestamp: TRAFFIC_START, message: `${PREFIX} {"meterApiName":"a"}` };
    const { target, sent } = recordingTarget();
    await transformBatch(
      firehoseEvent([gzipPayload(subscriptionPayload([bad], { owner: SENDER_B }))], { sourceKinesisStreamArn: STREAM_ARN }),
      WITH_HOME,
      dependencies(target),
    );
    const [rejects] = sent.map((entry) => JSON.parse(gunzipSync(entry.data).toString('utf8')) as RejectsPayload);
    expect(rejects).toMatchObject({ messageType: 'METER_REJECTS', owner: SENDER_B, logEvents: [bad] });
  });
});

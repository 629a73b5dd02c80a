/**
 * The function always returns before its timeout: against a re-ingest endpoint that accepts connections and
 * never answers, what cannot be re-ingested by the deadline (remaining time less DEADLINE_MARGIN_MS) fails,
 * and everything else keeps its result. Checked on the source and on the bundle as deployed.
 */
// @ts-nocheck

import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../../transform/config.ts';
import { createHandler, sourceTarget, type FirehoseTransformationHandler } from '../../transform/handler.ts';
import { firehoseEvent, formatLogLine, gzipPayload, meterLogEvents, subscriptionPayload, TRAFFIC_START } from '../../tools/lib/cloudwatch/payloads.ts';
import { startSilentServer, type SilentServer } from '../support/silent-server.ts';

const BUNDLE = new URL('../../dist/transform/index.mjs', import.meta.url);
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/silent';
const TIMEOUT_MS = 2_500;
const MARGIN_MS = 1_000;
let silent: SilentServer;
const savedEnv = { ...process.env };

beforeAll(async () => {
  silent = await startSilentServer();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_KINESIS: silent.endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    DEADLINE_MARGIN_MS: String(MARGIN_MS),
  });
});

afterAll(async () => {
  process.env = savedEnv;
  await silent.close();
});

/** A Lambda context whose function times out TIMEOUT_MS from now. */
function contextTimingOut(): { getRemainingTimeInMillis: () => number } {
  const end = Date.now() + TIMEOUT_MS;
  return { getRemainingTimeInMillis: () => end - Date.now() };
}

/** A record whose meter records are all valid, and one with a rejected record that must be re-ingested. */
function eventNeedingReingest() {
  const bad = {
    id: 'bad-1',
    timestamp: TRAFFIC_START,
    message: formatLogLine('node-text', { meterApiName: 'a', customerId: 'c', meterValue: 'abc' }, { prefix: DEFAULT_CONFIG.prefix, timestamp: TRAFFIC_START }),
  };
  return firehoseEvent([gzipPayload(subscriptionPayload(meterLogEvents(5))), gzipPayload(subscriptionPayload([...meterLogEvents(3), bad]))], {
    sourceKinesisStreamArn: STREAM_ARN,
  });
}

async function invokeTimed(handler: FirehoseTransformationHandler) {
  const started = Date.now();
  const result = await handler(eventNeedingReingest(), contextTimingOut());
  return { results: result.records.map((record) => record.result), elapsedMs: Date.now() - started };
}

describe('the deadline', () => {
  it('returns before the timeout, failing only the record whose re-ingest did not finish', async () => {
    const lines: string[] = [];
    const handler = createHandler({ ...DEFAULT_CONFIG, deadlineMarginMs: MARGIN_MS }, { reingestTarget: sourceTarget() }, (line) => lines.push(line));
    const { results, elapsedMs } = await invokeTimed(handler);
    expect(results).toEqual(['Ok', 'ProcessingFailed']);
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS);
    expect(elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - MARGIN_MS - 100);
    expect(silent.connections()).toBeGreaterThan(0);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ failedByReason: { REINGEST_FAILED: 1 }, reingest: { lastError: 'DeadlineReached' } });
  });

  it('holds for the bundle as deployed, configured from DEADLINE_MARGIN_MS', async () => {
    expect(existsSync(BUNDLE), 'run `npm run build` first: dist/transform/index.mjs is missing').toBe(true);
    const { handler } = (await import(BUNDLE.href)) as { handler: FirehoseTransformationHandler };
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const { results, elapsedMs } = await invokeTimed(handler);
      expect(results).toEqual(['Ok', 'ProcessingFailed']);
      expect(elapsedMs).toBeLessThan(TIMEOUT_MS);
    } finally {
      write.mockRestore();
    }
  });
});

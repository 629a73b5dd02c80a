/**
 * Two AWS accounts into one pipeline, end to end with the real transform bundle and the local Kinesis emulator:
 * log events with the same event ids in both accounts arrive with distinct uniqueIds, each account is counted, and
 * a sender's rejected record keeps its account through the error prefix, inspect and replay.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLogLine, logEventId, TRAFFIC_START } from '../../tools/lib/cloudwatch/payloads.ts';
import type { RunSummary } from '../../tools/lib/local-pipeline/run-summary.ts';
import type { MeterRecord } from '../../transform/types.ts';
import { exitCodeOf, jsonOf, runCli, transformBundle } from '../support/cli.ts';
import { tempDirectory, useEmulatorCredentials } from '../support/emulators.ts';

const HOME = '999999999999';
const SENDER = '111111111111';
const PREFIX = 'meter_record_for_stream';
const EVENTS = 40;

let restoreCredentials: () => void;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(() => {
  transformBundle();
  restoreCredentials = useEmulatorCredentials();
});

afterAll(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  restoreCredentials?.();
});

/** `aws logs filter-log-events` output of one account: the same event ids in every account, its own customers. */
function accountEvents(customerPrefix: string, withReject: boolean): string {
  const events = Array.from({ length: EVENTS }, (_, i) => {
    const timestamp = TRAFFIC_START + i * 1000;
    const record = { meterApiName: 'api-calls', customerId: `${customerPrefix}-${i % 4}`, meterTimeInMillis: timestamp, meterValue: i };
    const message = withReject && i === 7 ? `${PREFIX} {"meterApiName":"api-calls","meterValue":1}` : formatLogLine('node-text', record, { prefix: PREFIX, timestamp });
    return { logStreamName: '2026/11/25/[$LATEST]accounts', timestamp, message, eventId: logEventId(timestamp, i) };
  });
  return JSON.stringify({ events });
}

async function deliveredRecords(out: string): Promise<MeterRecord[]> {
  const records: MeterRecord[] = [];
  const root = join(out, 'ingest/records');
  for (const day of await readdir(root)) {
    for (const name of await readdir(join(root, day))) {
      const text = gunzipSync(await readFile(join(root, day, name))).toString('utf8');
      records.push(...text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as MeterRecord));
    }
  }
  return records;
}

describe('run with two accounts', () => {
  it('delivers both accounts\' records with distinct uniqueIds, counts each account, and keeps the sender in its rejects', async () => {
    const directory = await tempDirectory('accounts');
    cleanups.push(directory.remove);
    const home = join(directory.path, 'home.json');
    const sender = join(directory.path, 'sender.json');
    const out = join(directory.path, 'bucket');
    await writeFile(home, accountEvents('home', false));
    await writeFile(sender, accountEvents('sender', true));

    const result = await runCli(['run', home, sender, '--owner', HOME, '--owner', SENDER, '--out', out, '--no-control-message', '--json']);
    const [code, output] = exitCodeOf(result);
    expect(code, output).toBe(0);
    const summary = jsonOf<RunSummary>(result);
    expect(summary.accounts).toEqual([
      { account: HOME, home: true, eventsMatched: EVENTS, meterRecordsDelivered: EVENTS, rejected: 0 },
      { account: SENDER, home: false, eventsMatched: EVENTS, meterRecordsDelivered: EVENTS - 1, rejected: 1 },
    ]);

    const records = await deliveredRecords(out);
    expect(records).toHaveLength(2 * EVENTS - 1);
    const ids = records.map((record) => record.uniqueId);
    expect(new Set(ids).size).toBe(ids.length);
    const eventId = logEventId(TRAFFIC_START + 3000, 3);
    // The same event id in both accounts: the home account's id as it always was, the sender's apart from it.
    expect(records.find((record) => record.customerId === 'home-3' && record.meterValue === 3)?.uniqueId).toBe(eventId);
    expect(records.find((record) => record.customerId === 'sender-3' && record.meterValue === 3)?.uniqueId).toBe(`${SENDER}-${eventId}`);

    const inspected = await runCli(['inspect', out, '--json']);
    const failed = jsonOf<{ events: { owner: string; reason: string; eventId: string }[] }>(inspected);
    expect(failed.events).toEqual([expect.objectContaining({ owner: SENDER, reason: 'INVALID_CUSTOMER_ID', eventId: logEventId(TRAFFIC_START + 7000, 7) })]);
  });

  it('refuses a number of --owner that is neither one nor one per input', async () => {
    const result = await runCli(['run', 'a.json', 'b.json', 'c.json', '--owner', HOME, '--owner', SENDER]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--owner is given 2 times for 3 input files');
  });
});

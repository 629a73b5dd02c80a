/**
 * The reconcile verdict end to end, on the local pipeline's output (the samples through kinesalite and the transform
 * bundle, written to a directory laid out like the buckets) damaged in known ways. Each case said "reconciled"
 * (exit 0) or miscounted before issue 32: a conflicting only or first copy, two accounts sharing event ids (with the
 * sender's records present and lost), a late event lost, a never-logged record, a lost backup object, a refused
 * object, an empty window, a corrupt object.
 */
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLogLine, logEventId, subscriptionPayload, TRAFFIC_START } from '../../tools/lib/cloudwatch/payloads.ts';
import { type CliResult, exitCodeOf, jsonOf, runCli, transformBundle } from '../support/cli.ts';
import { tempDirectory } from '../support/emulators.ts';

const WINDOW = ['--since', '2026-11-25T00:00:00Z', '--until', '2026-11-26T00:00:00Z'] as const;
const DAY = '2026-11-25';
const SAMPLE = { expected: 77, delivered: 70, quarantined: 7 } as const;

interface VerdictJson {
  reconciled: boolean;
  findings: string[];
  homeAccount: { account?: string; from: string };
  total: Record<string, number>;
  groups: { meterApiName: string; account?: string; expected: number; delivered: number; missing: number }[];
  conflicts: { uniqueId: string; expectedValue: number; deliveredValue?: number; object: string }[];
  unexpected: { uniqueId: string; meterValue: number; object: string }[];
  toRecover: { outcome: string; uniqueId?: string; eventId: string; logGroup: string }[];
  replay?: { command: string; since: string; until: string };
}

let bundle: string;
let pristine: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  bundle = transformBundle();
  const directory = await tempDirectory('reconcile-verdict');
  cleanups.push(directory.remove);
  pristine = join(directory.path, 'pristine');
  expectExit(await runCli(['run', '--out', pristine, '--bundle', bundle, '--json']), 0);
});

afterAll(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
});

function expectExit(result: CliResult, code: number): void {
  const [actual, output] = exitCodeOf(result);
  expect(actual, output).toBe(code);
}

/** A copy of the samples' pipeline output, to damage. */
async function bucket(): Promise<string> {
  const directory = await tempDirectory('reconcile-case');
  cleanups.push(directory.remove);
  await cp(pristine, directory.path, { recursive: true });
  return directory.path;
}

async function reconcileJson(out: string, code: number, ...extra: string[]): Promise<VerdictJson> {
  const result = await runCli(['reconcile', out, '--bundle', bundle, ...WINDOW, '--json', ...extra]);
  expectExit(result, code);
  return jsonOf<VerdictJson>(result);
}

async function dataObjects(out: string): Promise<string[]> {
  const folder = join(out, 'ingest/records', DAY);
  return (await readdir(folder)).sort().map((name) => join(folder, name));
}

async function linesOf(path: string): Promise<string[]> {
  return gunzipSync(await readFile(path)).toString('utf8').split('\n').filter(Boolean);
}

const dataKey = (time: string, n: number): string => join('ingest/records', DAY, `meter-firehose-1-${DAY}-${time}-00000000-0000-4000-8000-${String(n).padStart(12, '0')}.gz`);

describe('reconcile: a wrong value is a conflict, however the copies are ordered', () => {
  it('fails on a conflicting only copy (meterValue + 100), listing logged and delivered values', async () => {
    const out = await bucket();
    const [object] = await dataObjects(out);
    const [first, ...rest] = await linesOf(object as string);
    const record = JSON.parse(first as string) as { uniqueId: string; meterValue: number };
    await writeFile(object as string, gzipSync(`${[JSON.stringify({ ...record, meterValue: record.meterValue + 100 }), ...rest].join('\n')}\n`));
    const report = await reconcileJson(out, 1);
    expect(report.findings).toEqual(['conflicting']);
    expect(report.total).toMatchObject({ expected: SAMPLE.expected, delivered: SAMPLE.delivered, conflicting: 1, conflictingValue: record.meterValue, missing: 0 });
    expect(report.conflicts).toMatchObject([{ uniqueId: record.uniqueId, expectedValue: record.meterValue, deliveredValue: record.meterValue + 100 }]);
  });

  it('fails on a conflicting first copy, the right one read after it', async () => {
    const out = await bucket();
    const [object] = await dataObjects(out);
    const [first] = await linesOf(object as string);
    const record = JSON.parse(first as string) as { uniqueId: string; meterValue: number };
    await writeFile(join(out, dataKey('00-00-00', 1)), gzipSync(`${JSON.stringify({ ...record, meterValue: record.meterValue + 100 })}\n`));
    const report = await reconcileJson(out, 1);
    expect(report.total).toMatchObject({ delivered: SAMPLE.delivered, duplicated: 1, conflicting: 1 });
    expect(report.conflicts[0]?.object).toContain('00-00-00');
  });
});

describe('reconcile: several accounts sharing event ids', () => {
  const HOME = '999999999999';
  const SENDER = '111111111111';
  const EVENTS = 40;
  const accountWindow = ['--since', new Date(TRAFFIC_START - 3_600_000).toISOString(), '--until', new Date(TRAFFIC_START + 3_600_000).toISOString()];

  async function twoAccounts(): Promise<string> {
    const directory = await tempDirectory('reconcile-accounts');
    cleanups.push(directory.remove);
    const events = (customers: string) =>
      JSON.stringify({
        events: Array.from({ length: EVENTS }, (_, i) => {
          const timestamp = TRAFFIC_START + i * 1000;
          const record = { meterApiName: 'api-calls', customerId: `${customers}-${i % 4}`, meterTimeInMillis: timestamp, meterValue: i };
          return { logStreamName: '2026/11/25/[$LATEST]accounts', timestamp, message: formatLogLine('node-text', record, { prefix: 'meter_record_for_stream', timestamp }), eventId: logEventId(timestamp, i) };
        }),
      });
    await writeFile(join(directory.path, 'home.json'), events('home'));
    await writeFile(join(directory.path, 'sender.json'), events('sender'));
    const out = join(directory.path, 'bucket');
    expectExit(await runCli(['run', join(directory.path, 'home.json'), join(directory.path, 'sender.json'), '--owner', HOME, '--owner', SENDER, '--out', out, '--no-control-message', '--bundle', bundle, '--json']), 0);
    return out;
  }

  async function reconcileAccounts(out: string, code: number): Promise<VerdictJson> {
    const result = await runCli(['reconcile', out, '--bundle', bundle, ...accountWindow, '--by', 'account', '--json']);
    expectExit(result, code);
    return jsonOf<VerdictJson>(result);
  }

  it("reconciles both accounts exactly, finding the pipeline's account in the delivered uniqueIds", async () => {
    const report = await reconcileAccounts(await twoAccounts(), 0);
    expect(report.total).toMatchObject({ expected: 2 * EVENTS, delivered: 2 * EVENTS, missing: 0, unexpected: 0, conflicting: 0 });
    expect(report.homeAccount).toEqual({ account: HOME, from: 'data' });
    expect(report.groups.map((group) => [group.account, group.delivered])).toEqual([[SENDER, EVENTS], [HOME, EVENTS]]);
  });

  it("reports every lost sender record missing, and none of the home account's", async () => {
    const out = await twoAccounts();
    for (const object of await dataObjects(out)) {
      const kept = (await linesOf(object)).filter((line) => !(JSON.parse(line) as { uniqueId: string }).uniqueId.startsWith(`${SENDER}-`));
      await writeFile(object, gzipSync(kept.map((line) => `${line}\n`).join('')));
    }
    const report = await reconcileAccounts(out, 1);
    expect(report.total).toMatchObject({ expected: 2 * EVENTS, delivered: EVENTS, missing: EVENTS, unexpected: 0 });
    expect(report.groups.find((group) => group.account === SENDER)).toMatchObject({ missing: EVENTS, delivered: 0 });
    expect(report.groups.find((group) => group.account === HOME)).toMatchObject({ missing: 0, delivered: EVENTS });
  });
});

describe('reconcile: what the backup holds and what it cannot explain', () => {
  it('reports an event stamped in the window, ingested three days later and never delivered, as missing', async () => {
    const out = await bucket();
    const timestamp = Date.parse('2026-11-25T12:00:00Z');
    const id = logEventId(timestamp, 999_999);
    const record = { meterApiName: 'api-calls', customerId: 'late-customer', meterTimeInMillis: timestamp, meterValue: 4 };
    const payload = subscriptionPayload([{ id, timestamp, message: formatLogLine('node-text', record, { prefix: 'meter_record_for_stream', timestamp }) }], { logGroup: '/aws/lambda/late' });
    await mkdir(join(out, 'source-backup/2026-11-28'), { recursive: true });
    await writeFile(join(out, 'source-backup/2026-11-28/meter-firehose-1-2026-11-28-10-00-00-00000000-0000-4000-8000-000000000001'), gzipSync(JSON.stringify(payload)));
    const report = await reconcileJson(out, 1);
    expect(report.findings).toEqual(['missing']);
    expect(report.total).toMatchObject({ expected: SAMPLE.expected + 1, missing: 1, missingValue: 4 });
    expect(report.toRecover).toMatchObject([{ outcome: 'missing', uniqueId: id, eventId: id, logGroup: '/aws/lambda/late' }]);
    expect(report.replay?.command).toContain('--log-group /aws/lambda/late');
  });

  it('reports a delivered record never logged as unexpected, with its value and object', async () => {
    const out = await bucket();
    const [object] = await dataObjects(out);
    const [first] = await linesOf(object as string);
    const forged = { ...(JSON.parse(first as string) as object), uniqueId: 'never-logged-1', meterValue: 1000 };
    await writeFile(join(out, dataKey('12-00-00', 2)), gzipSync(`${JSON.stringify(forged)}\n`));
    const report = await reconcileJson(out, 1);
    expect(report.findings).toEqual(['unexpected']);
    expect(report.total).toMatchObject({ expected: SAMPLE.expected, unexpected: 1, unexpectedValue: 1000, outsideWindow: 0 });
    expect(report.unexpected).toMatchObject([{ uniqueId: 'never-logged-1', meterValue: 1000 }]);
    expect(report.unexpected[0]?.object).toContain('12-00-00');
  });

  it('reports the delivered records of a lost source-backup object as unexpected', async () => {
    const out = await bucket();
    const folder = join(out, 'source-backup', DAY);
    const [lost] = (await readdir(folder)).sort();
    await rm(join(folder, lost as string));
    const report = await reconcileJson(out, 1);
    expect(report.findings).toContain('unexpected');
    expect(report.total.unexpected).toBeGreaterThan(0);
    // Every delivered record is either expected (the remaining object's) or unexpected (the lost object's).
    expect(report.total['delivered']! + report.total['unexpected']!).toBe(SAMPLE.delivered);
    expect(report.total.missing).toBe(0);
  });

  it('fails on a refused object, listing its records to recover with their outcome', async () => {
    const out = await bucket();
    const [object] = await dataObjects(out);
    const refusedCount = (await linesOf(object as string)).length;
    const key = (object as string).slice(out.length + 1);
    await mkdir(join(out, 'failed-requests', DAY, 'ingest/records', DAY), { recursive: true });
    await writeFile(join(out, 'failed-requests', DAY, `${key}.reason.txt`), 'meterApiName api-calls is not defined');
    const report = await reconcileJson(out, 1);
    expect(report.findings).toEqual(['refused']);
    expect(report.total).toMatchObject({ refused: refusedCount, delivered: SAMPLE.delivered - refusedCount, missing: 0 });
    expect(report.toRecover).toHaveLength(refusedCount);
    expect(report.toRecover.every((record) => record.outcome === 'refused')).toBe(true);
  });

  it('fails on a window without log events unless told it may be empty', async () => {
    const out = await bucket();
    const empty = ['--since', '2026-11-20T00:00:00Z', '--until', '2026-11-21T00:00:00Z'];
    const failed = await runCli(['reconcile', out, '--bundle', bundle, ...empty]);
    expectExit(failed, 1);
    expect(failed.stdout).toContain('NOT reconciled: the source backup holds no log event of this window');
    const allowed = await runCli(['reconcile', out, '--bundle', bundle, ...empty, '--allow-empty']);
    expectExit(allowed, 0);
    expect(allowed.stdout).toContain('reconciled: the source backup holds no log event of this window (--allow-empty)');
  });

  it('names the object when a gzip is corrupt, under every prefix', async () => {
    for (const folder of ['ingest/records', 'errors/processing-failed', 'source-backup']) {
      const out = await bucket();
      const name = `${folder}/${DAY}/meter-firehose-1-${DAY}-10-00-00-00000000-0000-4000-8000-00000000000${folder.length % 10}${folder === 'ingest/records' ? '.gz' : ''}`;
        await mkdir(join(out, folder, DAY), { recursive: true });
      // A gzip header followed by bytes that are no deflate stream ("invalid block type" in zlib's words alone, before).
      await writeFile(join(out, name), Buffer.concat([gzipSync('x').subarray(0, 10), Buffer.alloc(32, 0xff)]));
      const result = await runCli(['reconcile', out, '--bundle', bundle, ...WINDOW]);
      expectExit(result, 1);
      expect(result.stderr).toContain(name);
      expect(result.stderr).toContain(`${name}: cannot read it: invalid block type`);
    }
  });
});

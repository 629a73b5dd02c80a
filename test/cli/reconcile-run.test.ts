/**
 * `reconcile()` with its edges injected: objects in memory and a stand-in for the transform that follows its
 * identity rules (a record's own uniqueId, else the event id; rejects by position). What is read, in which order,
 * what the verdict says, and what is listed to act on, without the bundle or a file system.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { objectKey } from '../../tools/lib/delivery/object-layout.ts';
import type { ObjectStore } from '../../tools/lib/delivery/object-store.ts';
import type { SourceEvent, TransformedEvent } from '../../tools/lib/reconcile/local-transform.ts';
import { type ReconcileOptions, type ReconcileSources, type Transformer, reconcile } from '../../tools/lib/reconcile/reconcile.ts';
import { DEFAULT_POLICY } from '../../tools/lib/reconcile/verdict.ts';

const PREFIX = 'meter_record_for_stream';
const HOME = '999999999999';
const SENDER = '111111111111';
const SINCE = Date.UTC(2026, 10, 25);
const UNTIL = SINCE + 86_400_000;
const SPAN = 480_000;

class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, Buffer>();
  readonly reads: string[] = [];
  locate(key: string): string {
    return `mem://${key}`;
  }
  async put(key: string, body: Uint8Array): Promise<void> {
    this.objects.set(key, Buffer.from(body));
  }
  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }
  async get(key: string): Promise<Buffer> {
    this.reads.push(key);
    const body = this.objects.get(key);
    if (body === undefined) throw new Error(`no such key ${key}`);
    return body;
  }
}

/** The transform's rules in small: `PREFIX {json}` with a string meterApiName and a number meterValue is valid; `FAIL` fails the event whole. */
class StandInTransform implements Transformer {
  readonly batches: number[] = [];
  readonly arrivals: number[] = [];
  async transform(events: readonly SourceEvent[]): Promise<TransformedEvent[]> {
    this.batches.push(events.length);
    this.arrivals.push(...events.map((event) => event.arrival));
    return events.map((event) => {
      const { message, id } = event.logEvent;
      if (message === 'FAIL') return { event, lines: [], rejects: [], failure: 'Lambda.ProcessingFailedStatus' };
      const at = message.indexOf(PREFIX);
      if (at < 0) return { event, lines: [], rejects: [] };
      const parsed = JSON.parse(message.slice(at + PREFIX.length)) as Record<string, unknown> | Record<string, unknown>[];
      const records = Array.isArray(parsed) ? parsed : [parsed];
      const lines: string[] = [];
      const rejects: TransformedEvent['rejects'][number][] = [];
      records.forEach((record, index) => {
        if (typeof record['meterApiName'] !== 'string' || typeof record['meterValue'] !== 'number') {
          rejects.push({ reason: 'INVALID_RECORD', detail: 'x', ...(Array.isArray(parsed) ? { index } : {}) });
          return;
        }
        const uniqueId = typeof record['uniqueId'] === 'string' ? record['uniqueId'] : Array.isArray(parsed) ? `${id}-${index}` : id;
        lines.push(JSON.stringify({ meterApiName: record['meterApiName'], customerId: record['customerId'], meterValue: record['meterValue'], uniqueId }));
      });
      return { event, lines, rejects };
    });
  }
}

interface Event {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

let uuid = 0;
const key = (prefix: string, time: number, extension = ''): string => {
  const day = new Date(time).toISOString().slice(0, 10);
  return objectKey({ prefix: `${prefix}${day}/`, deliveryStreamName: 'meter-firehose', deliveryStreamVersion: 1, timestamp: time, uuid: `00000000-0000-4000-8000-${String(uuid++).padStart(12, '0')}`, fileExtension: extension });
};
const eventId = (n: number): string => String(n).padStart(56, '0');
const meter = (value: number, extra: Record<string, unknown> = {}): string => `${PREFIX} ${JSON.stringify({ meterApiName: 'api-calls', customerId: 'c1', meterValue: value, ...extra })}`;
const payload = (events: readonly Event[], owner = HOME, logGroup = '/aws/lambda/orders') =>
  gzipSync(JSON.stringify({ messageType: 'DATA_MESSAGE', owner, logGroup, logStream: 's1', subscriptionFilters: ['f'], logEvents: events }));
const line = (uniqueId: string, value: number): string => JSON.stringify({ meterApiName: 'api-calls', customerId: 'c1', meterValue: value, uniqueId });

function setup(): { store: MemoryStore; sources: ReconcileSources } {
  const store = new MemoryStore();
  const at = (prefix: string, description: string) => ({ store, prefix, description });
  return { store, sources: { backup: at('source-backup/', 'backup'), data: at('ingest/', 'data'), errors: at('errors/', 'errors') } };
}

const options = (extra: Partial<ReconcileOptions> = {}): ReconcileOptions => ({
  window: { since: SINCE, until: UNTIL, logGroups: [], readFrom: SINCE - SPAN, readUntil: UNTIL + 30 * 86_400_000, objectSpanMs: SPAN },
  by: 'meter',
  meters: [],
  recordPrefix: PREFIX,
  listLimit: 100,
  policy: DEFAULT_POLICY,
  ...extra,
});

const T = SINCE + 36_000_000;

describe('reconcile()', () => {
  it('reconciles delivered and quarantined records, in records and in value, and reads objects once each', async () => {
    const { store, sources } = setup();
    await store.put(key('source-backup/', T), payload([
      { id: eventId(1), timestamp: T, message: meter(2) },
      { id: eventId(2), timestamp: T + 1, message: `${PREFIX} [${JSON.stringify({ meterApiName: 'api-calls', customerId: 'c1', meterValue: 3 })},{"meterValue":5}]` },
      { id: eventId(3), timestamp: T + 2, message: 'not a meter line' },
      { id: eventId(4), timestamp: T + 3, message: 'FAIL' },
    ]));
    await store.put(key('ingest/', T, '.gz'), gzipSync(`${line(eventId(1), 2)}\n${line(`${eventId(2)}-0`, 3)}\n`));
    const rejected = (id: string, timestamp: number, message: string) => ({
      attemptsMade: 1, arrivalTimestamp: T, errorCode: 'Lambda.ProcessingFailedStatus', errorMessage: 'x', attemptEndingTimestamp: T, lambdaArn: 'arn',
      rawData: payload([{ id, timestamp, message }]).toString('base64'),
    });
    await store.put(key('errors/', T), Buffer.from(`${JSON.stringify(rejected(eventId(4), T + 3, 'FAIL'))}\n`));
    const transform = new StandInTransform();
    const progress: string[] = [];
    const report = await reconcile(sources, transform, options({ onProgress: (message) => progress.push(message) }));
    expect(report.verdict).toEqual({ reconciled: false, findings: ['missing'] });
    expect(report.total).toMatchObject({ expected: 4, expectedValue: 10, delivered: 2, deliveredValue: 5, quarantined: 1, missing: 1, missingValue: 5 });
    expect(report.toRecover).toMatchObject([{ outcome: 'missing', eventId: eventId(2), index: 1, meterValue: 5, verdict: 'INVALID_RECORD', backupObject: expect.stringMatching(/^mem:\/\/source-backup\//) }]);
    expect(report.recoverySpan).toEqual({ since: T + 1, until: T + 2, logGroups: ['/aws/lambda/orders'] });
    expect(report.events).toBe(4);
    expect(report.backupObjects).toMatchObject({ listed: 1, read: 1 });
    expect(report.dataObjects).toEqual({ listed: 1, read: 1 });
    expect(report.errorObjects).toEqual({ listed: 1, read: 1 });
    expect(progress).toEqual(['source backup objects read 1/1', 'error objects read 1/1', 'data objects read 1/1 · delivered records 2']);
  });

  it('reads backup objects up to 15 days late, not later, and says which key dates it read', async () => {
    const { store, sources } = setup();
    const late = UNTIL + 14 * 86_400_000;
    const tooLate = UNTIL + 16 * 86_400_000;
    await store.put(key('source-backup/', late), payload([{ id: eventId(1), timestamp: T, message: meter(1) }]));
    await store.put(key('source-backup/', tooLate), payload([{ id: eventId(2), timestamp: T, message: meter(1) }]));
    await store.put(key('source-backup/', SINCE - 2 * 86_400_000), payload([{ id: eventId(3), timestamp: T, message: meter(1) }]));
    const report = await reconcile(sources, new StandInTransform(), options());
    expect(report.total).toMatchObject({ expected: 1, missing: 1 });
    expect(report.toRecover.map((record) => record.eventId)).toEqual([eventId(1)]);
    expect(report.backupObjects).toEqual({ listed: 3, read: 1, after: SINCE - 2 * 86_400_000, before: UNTIL + 16 * 86_400_000 });
  });

  it('explains deliveries of events outside the window from the backup objects near them, and lists the rest as unexpected', async () => {
    const { store, sources } = setup();
    const before = SINCE - 60_000;
    await store.put(key('source-backup/', before), payload([{ id: eventId(9), timestamp: before, message: meter(4) }, { id: eventId(1), timestamp: SINCE + 1, message: meter(1) }]));
    await store.put(key('ingest/', SINCE), gzipSync(`${line(eventId(9), 4)}\n${line(eventId(1), 1)}\n${line('forged', 1000)}\n${line('forged', 1000)}\n`));
    const far = UNTIL + 86_400_000;
    await store.put(key('ingest/', far, '.gz'), gzipSync(`${line(eventId(8), 7)}\n`));
    await store.put(key('source-backup/', far - 10 * SPAN), payload([{ id: eventId(8), timestamp: far - 10 * SPAN, message: meter(7) }]));
    const transform = new StandInTransform();
    const report = await reconcile(sources, transform, options());
    expect(report.verdict.findings).toEqual(['unexpected']);
    expect(report.total).toMatchObject({ expected: 1, delivered: 1, outsideWindow: 1, unexpected: 2, unexpectedValue: 1007 });
    expect(report.unexpectedRecords.map((record) => [record.uniqueId, record.meterValue])).toEqual([['forged', 1000], [eventId(8), 7]]);
    expect(report.unexpectedRecords[0]?.object).toMatch(/^mem:\/\/ingest\//);
  });

  it("matches accounts sharing event ids: each account's records, the sender's with its prefix", async () => {
    const { store, sources } = setup();
    await store.put(key('source-backup/', T), Buffer.concat([payload([{ id: eventId(1), timestamp: T, message: meter(1) }], HOME), payload([{ id: eventId(1), timestamp: T, message: meter(2) }], SENDER)]));
    await store.put(key('ingest/', T, '.gz'), gzipSync(`${line(eventId(1), 1)}\n${line(`${SENDER}-${eventId(1)}`, 2)}\n`));
    const report = await reconcile(sources, new StandInTransform(), options({ by: 'account' }));
    expect(report.verdict.reconciled).toBe(true);
    expect(report.homeAccount).toEqual({ account: HOME, from: 'data' });
    expect(report.groups.map((group) => [group.account, group.delivered, group.deliveredValue])).toEqual([[SENDER, 1, 2], [HOME, 1, 1]]);
  });

  it('counts records of refused objects as refused and lists them to recover; only the log groups and meters asked for', async () => {
    const { store, sources } = setup();
    await store.put(key('source-backup/', T), Buffer.concat([
      payload([{ id: eventId(1), timestamp: T, message: meter(1) }, { id: eventId(2), timestamp: T + 5, message: meter(1, { meterApiName: 'tokens' }) }]),
      payload([{ id: eventId(3), timestamp: T, message: meter(1) }], HOME, '/other'),
    ]));
    const data = key('ingest/', T, '.gz');
    await store.put(data, gzipSync(`${line(eventId(1), 1)}\n`));
    await store.put(`failed-requests/2026-11-25/${data}.reason.txt`, Buffer.from('no'));
    await store.put(`failed-requests/2026-11-25/${key('ingest/', T + 1, '.gz')}.reason.txt`, Buffer.from('no'));
    const report = await reconcile({ ...sources, amberflo: { store, prefix: 'failed-requests/', description: 'amberflo' } }, new StandInTransform(), options({
      meters: ['api-calls'],
      window: { ...options().window, logGroups: ['/aws/lambda/orders'] },
    }));
    expect(report.verdict.findings).toEqual(['refused']);
    expect(report.total).toMatchObject({ expected: 1, refused: 1, refusedValue: 1 });
    expect(report.amberflo).toEqual({ reasons: 2, namingDataObjects: 1 });
    expect(report.toRecover).toMatchObject([{ outcome: 'refused', eventId: eventId(1) }]);
  });

  it('lists at most listLimit records of each kind, and sends the transform bounded invocations', async () => {
    const { store, sources } = setup();
    const events = Array.from({ length: 2_500 }, (_, i) => ({ id: eventId(i + 1), timestamp: T + i, message: meter(1) }));
    await store.put(key('source-backup/', T), payload(events));
    const transform = new StandInTransform();
    const report = await reconcile(sources, transform, options({ listLimit: 3 }));
    expect(report.total.missing).toBe(2_500);
    expect(report.toRecover).toHaveLength(3);
    // The listing transforms again only the events it lists.
    expect(transform.batches).toEqual([2_000, 500, 3]);
  });

  it('sends at most 1,000,000 bytes of messages per invocation, and splits an invocation at a repeated event', async () => {
    const { store, sources } = setup();
    const base = meter(1, { pad: '' });
    const big = meter(1, { pad: 'x'.repeat(500_000 - base.length) });
    expect(big).toHaveLength(500_000);
    const events = [1, 2, 3].map((n) => ({ id: eventId(n), timestamp: T + n, message: big }));
    await store.put(key('source-backup/', T), payload([...events, events[2] as Event]));
    const transform = new StandInTransform();
    const report = await reconcile(sources, transform, options({ listLimit: 0 }));
    expect(transform.batches).toEqual([2, 1, 1]);
    expect(report).toMatchObject({ events: 3, repeatedEvents: 1, total: { expected: 3 } });
  });

  it('lists each record to recover once, up to the limit, with the fields it has', async () => {
    const { store, sources } = setup();
    const array = `${PREFIX} [${JSON.stringify({ meterApiName: 'api-calls', customerId: 'c1', meterValue: 2 })},{"meterApiName":"  ","meterValue":"x"}]`;
    const event = { id: eventId(1), timestamp: T, message: array };
    await store.put(key('source-backup/', T), payload([event, event]));
    const one = await reconcile(sources, new StandInTransform(), options({ listLimit: 1 }));
    expect(one.toRecover).toHaveLength(1);
    const report = await reconcile(sources, new StandInTransform(), options());
    expect(report.toRecover).toStrictEqual([
      { outcome: 'missing', uniqueId: `${eventId(1)}-0`, meterApiName: 'api-calls', customerId: 'c1', meterValue: 2, verdict: 'valid', logGroup: '/aws/lambda/orders', logStream: 's1', eventId: eventId(1), timestamp: T, index: 0, backupObject: expect.stringMatching(/^mem:/) },
      { outcome: 'missing', meterApiName: '-', customerId: '-', verdict: 'INVALID_RECORD', logGroup: '/aws/lambda/orders', logStream: 's1', eventId: eventId(1), timestamp: T, index: 1, backupObject: expect.stringMatching(/^mem:/) },
    ]);
  });

  it('expects events from since (included) to until (excluded), and reads again only the backup objects with records to recover', async () => {
    const { store, sources } = setup();
    const first = key('source-backup/', SINCE);
    await store.put(first, payload([{ id: eventId(1), timestamp: SINCE, message: meter(1) }, { id: eventId(2), timestamp: UNTIL, message: meter(1) }]));
    await store.put(key('source-backup/', SINCE + 1000), payload([{ id: eventId(3), timestamp: UNTIL - 1, message: meter(1) }]));
    await store.put(key('ingest/', SINCE, '.gz'), gzipSync(`${line(eventId(1), 1)}\n`));
    const report = await reconcile(sources, new StandInTransform(), options());
    expect(report.total).toMatchObject({ expected: 2, delivered: 1, missing: 1 });
    expect(store.reads.filter((read) => read === first)).toHaveLength(1);
    expect(report).not.toHaveProperty('amberflo');
  });

  it('reads data objects named from readFrom to readUntil (both included) and those without a name time', async () => {
    const { store, sources } = setup();
    await store.put(key('source-backup/', T), payload([1, 2, 3, 4].map((n) => ({ id: eventId(n), timestamp: T, message: meter(n) }))));
    const window = options().window;
    await store.put(key('ingest/', window.readFrom - 1000, '.gz'), gzipSync(`${line(eventId(1), 1)}\n`));
    await store.put(key('ingest/', window.readFrom, '.gz'), gzipSync(`${line(eventId(2), 2)}\n`));
    await store.put(key('ingest/', window.readUntil, '.gz'), gzipSync(`${line(eventId(3), 3)}\n`));
    await store.put('ingest/synced-by-hand.ndjson', Buffer.from(`${line(eventId(4), 4)}\n`));
    const report = await reconcile(sources, new StandInTransform(), options());
    expect(report.dataObjects).toEqual({ listed: 4, read: 3 });
    expect(report.toRecover.map((record) => record.eventId)).toEqual([eventId(1)]);
    expect(report).not.toHaveProperty('recoverySpan', undefined);
  });

  it('explains outside-window deliveries from backup objects within the span, a sender-prefixed one too, not beyond it', async () => {
    const { store, sources } = setup();
    const before = SINCE - 60_000;
    await store.put(key('source-backup/', T), payload([{ id: eventId(1), timestamp: T, message: meter(1) }]));
    await store.put(key('source-backup/', before - SPAN), payload([{ id: eventId(7), timestamp: before, message: meter(7) }], SENDER));
    await store.put(key('source-backup/', before - SPAN - 1000), payload([{ id: eventId(8), timestamp: before, message: meter(8) }]));
    await store.put(key('ingest/', T, '.gz'), gzipSync(`${line(eventId(1), 1)}\n`));
    await store.put(key('ingest/', before, '.gz'), gzipSync(`${line(`${SENDER}-${eventId(7)}`, 7)}\n${line(eventId(8), 8)}\n`));
    const transform = new StandInTransform();
    const report = await reconcile(sources, transform, options({ window: { ...options().window, readFrom: before - 1000 } }));
    expect(report.total).toMatchObject({ outsideWindow: 1, unexpected: 1, unexpectedValue: 8 });
    expect(report.unexpectedRecords.map((record) => record.uniqueId)).toEqual([eventId(8)]);
    expect(transform.batches).not.toContain(0);
  });

  it('explains deliveries in an object without a name time from any backup object, and lists unexpected ones up to the limit', async () => {
    const { store, sources } = setup();
    const before = SINCE - 60_000;
    await store.put('source-backup/by-hand', payload([{ id: eventId(1), timestamp: T, message: meter(1) }, { id: eventId(9), timestamp: before, message: meter(9) }]));
    await store.put('ingest/by-hand.ndjson', Buffer.from(`${line(eventId(1), 1)}\n${line(eventId(9), 9)}\n{"uniqueId":"a","meterValue":"x"}\n${line('b', 2)}\n`));
    const transform = new StandInTransform();
    const report = await reconcile(sources, transform, options({ listLimit: 1 }));
    expect(report.total).toMatchObject({ delivered: 1, outsideWindow: 1, unexpected: 2, unexpectedValue: 2 });
    expect(report.unexpectedRecords).toStrictEqual([{ uniqueId: 'a', meterApiName: '-', customerId: '-', meterValue: 0, object: 'mem://ingest/by-hand.ndjson' }]);
    expect(transform.arrivals).toEqual([T, before]);
  });

  it('quarantines by the error prefix: a rejects entry by its index, a whole failed record by its event; control messages and undecodable records apart', async () => {
    const { store, sources } = setup();
    const array = `${PREFIX} [${JSON.stringify({ meterApiName: 'api-calls', customerId: 'c1', meterValue: 2 })},{"meterValue":"x"}]`;
    const events = [{ id: eventId(1), timestamp: T, message: array }, { id: eventId(2), timestamp: T, message: meter(3) }];
    await store.put(key('source-backup/', T), payload(events));
    const source = { owner: HOME, logGroup: '/aws/lambda/orders', logStream: 's1' };
    const record = (errorCode: string, rawData: string) => JSON.stringify({ attemptsMade: 1, arrivalTimestamp: T, errorCode, errorMessage: 'x', attemptEndingTimestamp: T, lambdaArn: 'arn', rawData });
    const rejects = gzipSync(JSON.stringify({ messageType: 'METER_REJECTS', version: 1, ...source, rejects: [{ reason: 'INVALID_RECORD', detail: 'd', index: 1, logEvent: events[0] }] })).toString('base64');
    const control = gzipSync(JSON.stringify({ messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: T, message: 'CWL CONTROL MESSAGE' }] })).toString('base64');
    const whole = payload([events[1] as Event]).toString('base64');
    await store.put(key('errors/', T), Buffer.from([record('Lambda.ProcessingFailedStatus', rejects), record('Lambda.FunctionError', control), record('Lambda.FunctionError', Buffer.from('not gzip').toString('base64')), record('Lambda.FunctionError', whole)].join('\n')));
    const report = await reconcile(sources, new StandInTransform(), options());
    expect(report.total).toMatchObject({ expected: 3, quarantined: 2, missing: 1, quarantinedByReason: { INVALID_RECORD: { records: 1, value: 0 }, 'Lambda.FunctionError': { records: 1, value: 3 } } });
    expect(report.toRecover.map((recover) => [recover.eventId, recover.index])).toEqual([[eventId(1), 0]]);
    expect(report.unattributableErrorRecords).toBe(1);
    expect(report.quarantinedOutsideWindow).toBe(0);
  });

  it("skips control messages and payloads without log events in the backup, and takes the pipeline's account when given", async () => {
    const { store, sources } = setup();
    await store.put(key('source-backup/', T), Buffer.concat([
      gzipSync(JSON.stringify({ messageType: 'CONTROL_MESSAGE', owner: HOME, logGroup: 'g', logStream: 's', subscriptionFilters: [], logEvents: [{ id: eventId(5), timestamp: T, message: meter(1) }] })),
      gzipSync(JSON.stringify({ messageType: 'DATA_MESSAGE', owner: HOME, logEvents: 'none' })),
      gzipSync(JSON.stringify({ messageType: 'DATA_MESSAGE', logEvents: [{ id: eventId(6), timestamp: T, message: meter(1) }] })),
    ]));
    const transform = new StandInTransform();
    const report = await reconcile(sources, transform, options({ by: 'account', homeAccount: HOME }));
    expect(report.events).toBe(1);
    expect(report.groups.map((group) => group.account)).toEqual(['']);
    expect(report.homeAccount).toEqual({ account: HOME, from: 'option' });
  });

  it('names the backup object of a record to recover after a full invocation, and transforms again only the events it lists', async () => {
    const { store, sources } = setup();
    const delivered = Array.from({ length: 2_000 }, (_, i) => ({ id: eventId(i + 1), timestamp: T + i, message: meter(1) }));
    await store.put(key('source-backup/', T), payload(delivered));
    const second = key('source-backup/', T + 60_000);
    await store.put(second, payload([{ id: eventId(9_001), timestamp: T + 5_000, message: meter(1) }, { id: eventId(9_002), timestamp: T + 5_001, message: meter(1) }]));
    await store.put(key('ingest/', T, '.gz'), gzipSync(`${[...delivered.map((event) => line(event.id, 1)), line(eventId(9_002), 1)].join('\n')}\n`));
    const transform = new StandInTransform();
    const report = await reconcile(sources, transform, options());
    expect(report.toRecover).toMatchObject([{ eventId: eventId(9_001), backupObject: `mem://${second}` }]);
    expect(transform.batches.at(-1)).toBe(1);
  });

  it('names the object it cannot read', async () => {
    for (const prefix of ['source-backup/', 'ingest/', 'errors/']) {
      const { store, sources } = setup();
      await store.put(key('source-backup/', T), payload([{ id: eventId(1), timestamp: T, message: meter(1) }]));
      const bad = key(prefix, T + 1000);
      await store.put(bad, Buffer.concat([gzipSync('x').subarray(0, 10), Buffer.alloc(16, 0xff)]));
      await expect(reconcile(sources, new StandInTransform(), options())).rejects.toThrow(`mem://${bad}: cannot read it: invalid block type`);
      await expect(reconcile(sources, new StandInTransform(), options())).rejects.toMatchObject({ cause: { code: 'Z_DATA_ERROR' } });
    }
    const amberflo = setup();
    amberflo.store.get = async (name) => {
      throw new Error(`no answer for ${name.length} bytes of key`);
    };
    await amberflo.store.put('failed-requests/2026-11-25/x.reason.txt', Buffer.from('no'));
    await expect(reconcile({ ...amberflo.sources, amberflo: { store: amberflo.store, prefix: 'failed-requests/', description: 'amberflo' } }, new StandInTransform(), options())).rejects.toThrow(
      'mem://failed-requests/2026-11-25/x.reason.txt: cannot read it: no answer',
    );
    const { store, sources } = setup();
    await store.put(key('source-backup/', T), payload([{ id: eventId(1), timestamp: T, message: meter(1) }]));
    const long = JSON.stringify({ meterApiName: 'a'.repeat(100) });
    const data = key('ingest/', T);
    await store.put(data, Buffer.from(`${long}\n`));
    await expect(reconcile(sources, new StandInTransform(), options())).rejects.toThrow(new RegExp(`^mem://ingest/.*: a line has no uniqueId: ${long.slice(0, 80).replace(/[{]/g, '\\{')}$`));
    await store.put(data, Buffer.from(`{not json ${'x'.repeat(100)}\n`));
    await expect(reconcile(sources, new StandInTransform(), options())).rejects.toThrow(new RegExp(`^mem://ingest/.*: a line is not JSON \\(is this the data prefix\\? it holds NDJSON meter records\\): \\{not json x{70}$`));
  });
});

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
  async transform(events: readonly SourceEvent[]): Promise<TransformedEvent[]> {
    this.batches.push(events.length);
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
    const report = await reconcile({ ...sources, amberflo: { store, prefix: 'failed-requests/', description: 'amberflo' } }, new StandInTransform(), options({
      meters: ['api-calls'],
      window: { ...options().window, logGroups: ['/aws/lambda/orders'] },
    }));
    expect(report.verdict.findings).toEqual(['refused']);
    expect(report.total).toMatchObject({ expected: 1, refused: 1, refusedValue: 1 });
    expect(report.amberflo).toEqual({ reasons: 1, namingDataObjects: 1 });
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
    expect(transform.batches.slice(0, 2)).toEqual([2_000, 500]);
  });

  it('names the object it cannot read', async () => {
    for (const prefix of ['source-backup/', 'ingest/', 'errors/']) {
      const { store, sources } = setup();
      await store.put(key('source-backup/', T), payload([{ id: eventId(1), timestamp: T, message: meter(1) }]));
      const bad = key(prefix, T + 1000);
      await store.put(bad, Buffer.concat([gzipSync('x').subarray(0, 10), Buffer.alloc(16, 0xff)]));
      await expect(reconcile(sources, new StandInTransform(), options())).rejects.toThrow(`mem://${bad}: cannot read it: invalid block type`);
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
    await store.put(key('ingest/', T), Buffer.from('{"meterApiName":"a"}\n'));
    await expect(reconcile(sources, new StandInTransform(), options())).rejects.toThrow(/^mem:\/\/ingest\/.*: a line has no uniqueId/);
  });
});

/** The reconcile accounting, pure: the ledger's states and totals, and how a transformed log event becomes records. */
import { describe, expect, it } from 'vitest';
import { HashIndex, hash64 } from '../../tools/lib/reconcile/hash-index.ts';
import { ReconcileLedger } from '../../tools/lib/reconcile/ledger.ts';
import { expectedRecords } from '../../tools/lib/reconcile/reconcile.ts';
import { DEFAULT_POLICY, type LedgerSummary, type Verdict, type VerdictPolicy, judge } from '../../tools/lib/reconcile/verdict.ts';
import type { TransformedEvent } from '../../tools/lib/reconcile/local-transform.ts';

const GROUP = '/aws/lambda/orders';
const STREAM = '2026/11/25/[$LATEST]abc';
const OWNER = '999999999999';
const key = (id: string, owner = OWNER): string => ReconcileLedger.eventKey(owner, GROUP, STREAM, id);
const options = { by: 'meter', meters: [], exampleLimit: 10 } as const;
const at = (object = 0, timestamp = 1000, owner = OWNER) => ({ object, timestamp, logGroup: GROUP, owner });

function line(uniqueId: string, meterValue = 1, meterApiName = 'api-calls', customerId = 'c1'): string {
  return JSON.stringify({ meterApiName, customerId, meterTimeInMillis: 1_795_597_440_000, meterValue, uniqueId });
}

function valid(uniqueId: string, index = 0, meterValue = 1) {
  return { index, meterApiName: 'api-calls', customerId: 'c1', uniqueId, line: line(uniqueId, meterValue), meterValue };
}

function deliver(ledger: ReconcileLedger, text: string, object = 'ingest/a.gz', refused = false, objectNumber = 0): boolean {
  const record = JSON.parse(text) as { uniqueId: string; meterApiName: string; customerId: string; meterValue: number };
  return ledger.deliver(text, record, { object, objectNumber, refused });
}

function verdictOf(ledger: ReconcileLedger, policy: VerdictPolicy = DEFAULT_POLICY): LedgerSummary & Verdict {
  ledger.finishDeliveries();
  const summary = ledger.summary();
  return { ...summary, ...judge(summary.total, summary.events, policy) };
}

function ledgerWith(...events: { id: string; records: (ReturnType<typeof valid> & { derived?: boolean })[]; rejected?: number[] }[]): ReconcileLedger {
  const ledger = new ReconcileLedger(options);
  for (const event of events) {
    ledger.openLogEvent(key(event.id), at());
    for (const record of event.records) ledger.addRecord(record);
    for (const index of event.rejected ?? []) ledger.addRecord({ index, meterApiName: 'api-calls', customerId: 'c1' });
  }
  return ledger;
}

describe('ReconcileLedger', () => {
  it('gives each expected record one state: delivered, refused, quarantined or missing, in that order of precedence', () => {
    const ledger = ledgerWith({ id: 'e1', records: [valid('u1'), valid('u2', 1), valid('u3', 2), valid('u4', 3)] });
    deliver(ledger, line('u1'));
    deliver(ledger, line('u2'), 'ingest/refused.gz', true);
    ledger.quarantine(key('e1'), 2, 'Lambda.FunctionError');
    // Quarantined, then delivered by a replay: delivered wins.
    ledger.quarantine(key('e1'), 0, 'INVALID_METER_VALUE');
    const { total, reconciled } = verdictOf(ledger);
    expect(total).toMatchObject({ expected: 4, delivered: 1, refused: 1, quarantined: 1, missing: 1, quarantinedByReason: { 'Lambda.FunctionError': { records: 1, value: 1 } } });
    expect(reconciled).toBe(false);
  });

  it('reconciles when nothing is missing or conflicting, and sums meterValue expected vs delivered once per uniqueId', () => {
    const ledger = ledgerWith({ id: 'e1', records: [valid('u1', 0, 2.5)] }, { id: 'e2', records: [valid('u2', 0, 4)] });
    deliver(ledger, line('u1', 2.5));
    deliver(ledger, line('u1', 2.5), 'ingest/b.gz');
    deliver(ledger, line('u2', 4));
    const summary = verdictOf(ledger);
    expect(summary.reconciled).toBe(true);
    expect(summary.total).toMatchObject({ expected: 2, delivered: 2, duplicated: 1, conflicting: 0, expectedValue: 6.5, deliveredValue: 6.5 });
  });

  it('reports a uniqueId delivered with other content as conflicting, naming the uniqueId and object', () => {
    const ledger = ledgerWith({ id: 'e1', records: [valid('u1')] });
    deliver(ledger, line('u1'));
    deliver(ledger, line('u1', 7), 'ingest/other.gz');
    const summary = verdictOf(ledger);
    expect(summary.reconciled).toBe(false);
    expect(summary.total).toMatchObject({ delivered: 1, duplicated: 1, conflicting: 1, missing: 0 });
    expect(summary.conflicts).toEqual([{ uniqueId: 'u1', object: 'ingest/other.gz', problem: 'delivered with content other than the log event gives', expectedValue: 1, deliveredValue: 7 }]);
  });

  it('matches a rejected record by its log event and array index, and a whole failed record to every record of its event', () => {
    const ledger = ledgerWith({ id: 'e1', records: [valid('u1', 0)], rejected: [1] }, { id: 'e2', records: [valid('u2', 0), valid('u3', 1)] });
    expect(ledger.quarantine(key('e1'), 2, 'INVALID_METER_VALUE')).toBe(false);
    expect(ledger.quarantine(key('e1'), 1, 'INVALID_METER_VALUE')).toBe(true);
    expect(ledger.quarantine(key('e2'), undefined, 'Lambda.FunctionError')).toBe(true);
    expect(ledger.indexesNeedingAction(key('e1'))).toEqual([0]);
    expect(ledger.indexesNeedingAction(key('e2'))).toEqual([]);
    const summary = verdictOf(ledger);
    expect(summary.total).toMatchObject({ expected: 4, quarantined: 3, missing: 1, quarantinedByReason: { INVALID_METER_VALUE: { records: 1, value: 0 }, 'Lambda.FunctionError': { records: 2, value: 2 } } });
    expect(summary.quarantinedOutsideWindow).toBe(1);
  });

  it('counts a delivered record the backup explains outside the window apart, as no error, and one it cannot as unexpected', () => {
    const ledger = ledgerWith({ id: 'e1', records: [valid('u1')] });
    deliver(ledger, line('u1'));
    expect(deliver(ledger, line('before-the-window', 5), 'ingest/a.gz', false, 3)).toBe(false);
    expect(deliver(ledger, line('never-logged', 1000), 'ingest/b.gz', false, 4)).toBe(false);
    expect(ledger.quarantine(key('e0'), 0, 'INVALID_JSON')).toBe(false);
    expect([...ledger.objectsWithUnexpected()].sort()).toEqual([3, 4]);
    expect(ledger.explainOutsideWindow('before-the-window')).toBe(true);
    expect(ledger.explainOutsideWindow('not-delivered')).toBe(false);
    expect([...ledger.objectsWithUnexpected()]).toEqual([4]);
    expect(ledger.isUnexpected('never-logged')).toBe(true);
    expect(ledger.isUnexpected('before-the-window')).toBe(false);
    const summary = verdictOf(ledger);
    expect(summary.total).toMatchObject({ expected: 1, delivered: 1, outsideWindow: 1, unexpected: 1, unexpectedValue: 1000 });
    expect(summary.findings).toEqual(['unexpected']);
    expect(summary.quarantinedOutsideWindow).toBe(1);
  });

  it('counts a log event found twice in the backup once, and a uniqueId logged twice with other content as conflicting', () => {
    const ledger = ledgerWith({ id: 'e1', records: [valid('u1')] }, { id: 'e2', records: [{ ...valid('u1'), line: line('u1', 9), meterValue: 9 }] });
    expect(ledger.openLogEvent(key('e1'), at(1))).toBe(false);
    ledger.addRecord(valid('u9'));
    deliver(ledger, line('u1'));
    const summary = verdictOf(ledger);
    expect(summary.repeatedEvents).toBe(1);
    expect(summary.total).toMatchObject({ expected: 1, delivered: 1, conflicting: 1 });
    expect(summary.conflicts[0]).toMatchObject({ uniqueId: 'u1', problem: 'logged twice with different content' });
  });

  it('gives the time span and log groups of the events with missing records, for the replay', () => {
    const ledger = new ReconcileLedger(options);
    ledger.openLogEvent(ReconcileLedger.eventKey(OWNER, '/b', STREAM, 'e1'), { object: 0, timestamp: 5000, logGroup: '/b', owner: OWNER });
    ledger.addRecord(valid('u1'));
    ledger.openLogEvent(ReconcileLedger.eventKey(OWNER, '/a', STREAM, 'e2'), { object: 3, timestamp: 2000, logGroup: '/a', owner: OWNER });
    ledger.addRecord(valid('u2'));
    ledger.openLogEvent(ReconcileLedger.eventKey(OWNER, '/c', STREAM, 'e3'), { object: 4, timestamp: 9000, logGroup: '/c', owner: OWNER });
    ledger.addRecord(valid('u3'));
    deliver(ledger, line('u3'));
    expect(ledger.recoverySpan()).toEqual({ since: 2000, until: 5001, logGroups: ['/a', '/b'] });
    expect([...ledger.objectsNeedingAction()].sort()).toEqual([0, 3]);
    deliver(ledger, line('u1'));
    deliver(ledger, line('u2'));
    expect(ledger.recoverySpan()).toBeUndefined();
  });

  it('totals per meter and customer with byCustomer, and keeps only the meters asked for', () => {
    const ledger = new ReconcileLedger({ ...options, by: 'customer', meters: ['api-calls'] });
    ledger.openLogEvent(key('e1'), at());
    ledger.addRecord({ ...valid('u1'), customerId: 'c1' });
    ledger.addRecord({ index: 1, meterApiName: 'api-calls', customerId: 'c2', uniqueId: 'u2', line: line('u2', 1, 'api-calls', 'c2'), meterValue: 1 });
    ledger.addRecord({ index: 2, meterApiName: 'tokens', customerId: 'c1', uniqueId: 'u3', line: line('u3', 1, 'tokens'), meterValue: 1 });
    const { groups, total } = verdictOf(ledger);
    expect(groups.map((group) => [group.meterApiName, group.customerId, group.expected])).toEqual([
      ['api-calls', 'c1', 1],
      ['api-calls', 'c2', 1],
    ]);
    expect(total.expected).toBe(2);
  });
});

describe('ReconcileLedger: edges', () => {
  it('ignores records added before any log event is open, and deliveries of meters not asked for', () => {
    const ledger = new ReconcileLedger({ ...options, meters: ['api-calls'] });
    ledger.addRecord(valid('u0'));
    ledger.openLogEvent(key('e1'), at());
    ledger.addRecord(valid('u1'));
    expect(deliver(ledger, line('t1', 1, 'tokens'))).toBe(false);
    const summary = verdictOf(ledger);
    expect(summary.total).toMatchObject({ expected: 1, unexpected: 0 });
    expect(summary.groups).toHaveLength(1);
  });

  it('answers for log events it does not know: no indexes, no outcome', () => {
    const ledger = ledgerWith({ id: 'e1', records: [valid('u1')] });
    expect(ledger.indexesNeedingAction(key('nope'))).toEqual([]);
    expect(ledger.outcomeOf(key('nope'), 0)).toBeUndefined();
    expect(ledger.outcomeOf(key('e1'), 3)).toBeUndefined();
    expect(ledger.outcomeOf(key('e1'), 0)).toBe('missing');
  });

  it('keeps one example per conflicting record, up to the limit, and counts a uniqueId logged twice alike once', () => {
    const ledger = new ReconcileLedger({ ...options, exampleLimit: 1 });
    ledger.openLogEvent(key('e1'), at());
    ledger.addRecord(valid('u1'));
    ledger.addRecord(valid('u2', 1));
    ledger.openLogEvent(key('e2'), at());
    ledger.addRecord(valid('u1'));
    deliver(ledger, line('u1', 5));
    deliver(ledger, line('u1', 6));
    deliver(ledger, line('u2', 7));
    const summary = verdictOf(ledger);
    expect(summary.total).toMatchObject({ expected: 2, conflicting: 2 });
    expect(summary.conflicts).toStrictEqual([{ uniqueId: 'u1', object: 'ingest/a.gz', problem: 'delivered with content other than the log event gives', expectedValue: 1, deliveredValue: 5 }]);
  });

  it('groups by meter alone unless asked, sorted by meter then customer, with reasons sorted and summed across groups', () => {
    const ledger = new ReconcileLedger(options);
    ledger.openLogEvent(key('e1'), at());
    for (const [index, meterApiName] of ['tokens', 'api', 'api-calls', 'tokens'].entries()) ledger.addRecord({ index, meterApiName, customerId: `c${index}`, uniqueId: `u${index}`, line: line(`u${index}`), meterValue: 1 });
    // tokens (records 0 and 3) meets ZETA before ALPHA; the first group (api, record 1) has ZETA only.
    ledger.quarantine(key('e1'), 0, 'ZETA');
    ledger.quarantine(key('e1'), 3, 'ALPHA');
    ledger.quarantine(key('e1'), 1, 'ZETA');
    const summary = verdictOf(ledger);
    expect(summary.groups.map((group) => Object.keys(group).includes('customerId') || Object.keys(group).includes('account'))).toEqual([false, false, false]);
    expect(summary.groups.map((group) => [group.meterApiName, group.expected])).toEqual([['api', 1], ['api-calls', 1], ['tokens', 2]]);
    const tokens = summary.groups[2]?.quarantinedByReason ?? {};
    expect(Object.keys(tokens)).toEqual(['ALPHA', 'ZETA']);
    expect(tokens).toEqual({ ALPHA: { records: 1, value: 1 }, ZETA: { records: 1, value: 1 } });
    expect(Object.keys(summary.total.quarantinedByReason)).toEqual(['ALPHA', 'ZETA']);
    expect(summary.total.quarantinedByReason).toEqual({ ALPHA: { records: 1, value: 1 }, ZETA: { records: 2, value: 2 } });
    const byCustomer = new ReconcileLedger({ ...options, by: 'customer' });
    byCustomer.openLogEvent(key('e1'), at());
    for (const customerId of ['c2', 'c10', 'c1']) byCustomer.addRecord({ ...valid(customerId), customerId });
    expect(verdictOf(byCustomer).groups.map((group) => group.customerId)).toEqual(['c1', 'c10', 'c2']);
  });

  it('fails on quarantined records with quarantineFails only when there are some', () => {
    const ledger = ledgerWith({ id: 'e1', records: [valid('u1')] });
    deliver(ledger, line('u1'));
    expect(verdictOf(ledger, { ...DEFAULT_POLICY, quarantineFails: true }).reconciled).toBe(true);
  });
});

describe('hash64', () => {
  it('is the same function the memory figures and collision odds were worked out for', () => {
    expect([hash64(''), hash64('a'), hash64('uniqueId-1')]).toEqual([
      { hi: 2872998923, lo: 2839257871 },
      { hi: 444641715, lo: 4277135786 },
      { hi: 1523718585, lo: 2101357619 },
    ]);
  });
});

describe('ReconcileLedger: conflicts, accounts and the verdict', () => {
  it('keeps a conflict when the conflicting copy is the only one, or the first one read', () => {
    const only = ledgerWith({ id: 'e1', records: [valid('u1')] });
    deliver(only, line('u1', 101));
    expect(verdictOf(only)).toMatchObject({ reconciled: false, findings: ['conflicting'], total: { delivered: 1, conflicting: 1, conflictingValue: 1 } });
    const first = ledgerWith({ id: 'e1', records: [valid('u1')] });
    deliver(first, line('u1', 101));
    deliver(first, line('u1'));
    expect(verdictOf(first).total).toMatchObject({ delivered: 1, duplicated: 1, conflicting: 1 });
    const refusedFirst = ledgerWith({ id: 'e1', records: [valid('u1')] });
    deliver(refusedFirst, line('u1', 101), 'ingest/r.gz', true);
    expect(verdictOf(refusedFirst)).toMatchObject({ findings: ['conflicting', 'refused'], total: { refused: 1, conflicting: 1 } });
  });

  it('adds up: expected = delivered + quarantined + refused + missing, in records and in value', () => {
    const ledger = ledgerWith({ id: 'e1', records: [valid('u1', 0, 2), valid('u2', 1, 3), valid('u3', 2, 5), valid('u4', 3, 7)] });
    deliver(ledger, line('u1', 2));
    deliver(ledger, line('u2', 3), 'ingest/r.gz', true);
    ledger.quarantine(key('e1'), 2, 'Lambda.FunctionError');
    const { total } = verdictOf(ledger);
    expect(total).toMatchObject({ expectedValue: 17, deliveredValue: 2, refusedValue: 3, quarantinedValue: 5, missingValue: 7, quarantinedByReason: { 'Lambda.FunctionError': { records: 1, value: 5 } } });
  });

  it('fails on refused records, and on quarantined ones or an empty window only as the policy says', () => {
    const refused = ledgerWith({ id: 'e1', records: [valid('u1')] });
    deliver(refused, line('u1'), 'ingest/r.gz', true);
    expect(verdictOf(refused).findings).toEqual(['refused']);
    const quarantined = ledgerWith({ id: 'e1', records: [valid('u1')] });
    quarantined.quarantine(key('e1'), 0, 'INVALID_JSON');
    expect(verdictOf(quarantined).reconciled).toBe(true);
    expect(verdictOf(quarantined, { ...DEFAULT_POLICY, quarantineFails: true }).findings).toEqual(['quarantined']);
    const empty = new ReconcileLedger(options);
    expect(verdictOf(empty).findings).toEqual(['empty']);
    expect(verdictOf(empty, { ...DEFAULT_POLICY, allowEmpty: true }).reconciled).toBe(true);
  });

  const SENDER = '111111111111';
  const EVENT = '3'.repeat(56);
  function twoAccounts(homeAccount?: string): ReconcileLedger {
    const ledger = new ReconcileLedger({ ...options, by: 'account', ...(homeAccount === undefined ? {} : { homeAccount }) });
    // The sender's record first, so a match by position alone would be caught; both of customer c1, told apart by value.
    for (const [owner, value] of [[SENDER, 2], [OWNER, 1]] as const) {
      ledger.openLogEvent(key(EVENT, owner), at(0, 1000, owner));
      ledger.addRecord({ index: 0, meterApiName: 'api-calls', customerId: 'c1', uniqueId: EVENT, derived: true, line: line(EVENT, value), meterValue: value });
    }
    return ledger;
  }

  it("tells apart two accounts' records with the same event id: the sender's by its prefix, the home's by content", () => {
    const ledger = twoAccounts();
    expect(deliver(ledger, line(EVENT, 1))).toBe(true);
    expect(deliver(ledger, line(`${SENDER}-${EVENT}`, 2))).toBe(true);
    const summary = verdictOf(ledger);
    expect(summary).toMatchObject({ reconciled: true, total: { expected: 2, delivered: 2, conflicting: 0 }, homeAccount: { account: OWNER, from: 'data' } });
    expect(summary.groups.map((group) => [group.account, group.delivered])).toEqual([[SENDER, 1], [OWNER, 1]]);
  });

  it("reports a lost sender record missing, and gives a plain id with other content to the pipeline's account", () => {
    const lost = twoAccounts();
    deliver(lost, line(EVENT, 1));
    expect(verdictOf(lost)).toMatchObject({ findings: ['missing'], total: { delivered: 1, missing: 1 } });
    expect(verdictOf(lost).groups.find((group) => group.account === SENDER)).toMatchObject({ missing: 1 });

    const wrong = twoAccounts(OWNER);
    deliver(wrong, line(EVENT, 101));
    deliver(wrong, line(`${SENDER}-${EVENT}`, 2));
    const summary = verdictOf(wrong);
    expect(summary).toMatchObject({ homeAccount: { account: OWNER, from: 'option' }, total: { conflicting: 1, missing: 0 } });
    expect(summary.groups.map((group) => [group.account, group.conflicting])).toEqual([[SENDER, 0], [OWNER, 1]]);

    const held = twoAccounts();
    expect(deliver(held, line(EVENT, 101))).toBe(true);
    deliver(held, line(`${SENDER}-${EVENT}`, 2));
    expect(verdictOf(held)).toMatchObject({ homeAccount: { account: OWNER, from: 'data' }, total: { delivered: 2, conflicting: 1, missing: 0 } });

    const unknown = twoAccounts();
    deliver(unknown, line(EVENT, 101));
    expect(verdictOf(unknown)).toMatchObject({ homeAccount: { from: 'unknown' }, total: { unexpected: 1, missing: 2 } });
  });

  it('does not infer the pipeline account from one account alone, and matches a plain id only one account has by id', () => {
    const single = ledgerWith({ id: EVENT, records: [{ ...valid(EVENT), derived: true }] });
    deliver(single, line(EVENT, 5));
    expect(verdictOf(single)).toMatchObject({ homeAccount: { from: 'unknown' }, total: { delivered: 1, conflicting: 1 } });
    const ledger = twoAccounts();
    const other = '4'.repeat(56);
    ledger.openLogEvent(key(other), at());
    ledger.addRecord({ index: 0, meterApiName: 'api-calls', customerId: 'c1', uniqueId: other, derived: true, line: line(other, 1), meterValue: 1 });
    ledger.addRecord({ index: 1, meterApiName: 'api-calls', customerId: 'c1', uniqueId: 'own-id', line: line('own-id', 1), meterValue: 1 });
    deliver(ledger, line(other, 3));
    deliver(ledger, line('own-id', 1));
    deliver(ledger, line(`${SENDER}-${EVENT}`, 2));
    const summary = verdictOf(ledger);
    expect(summary.homeAccount).toEqual({ account: OWNER, from: 'data' });
    expect(summary.total).toMatchObject({ delivered: 3, conflicting: 1, missing: 1 });
  });

  it("treats a record's own uniqueId as one across accounts: logged by two with other content, it conflicts", () => {
    const ledger = new ReconcileLedger(options);
    for (const [owner, value] of [[OWNER, 1], [SENDER, 2]] as const) {
      ledger.openLogEvent(key(EVENT, owner), at(0, 1000, owner));
      ledger.addRecord({ index: 0, meterApiName: 'api-calls', customerId: 'c1', uniqueId: 'order-1', line: line('order-1', value), meterValue: value });
    }
    deliver(ledger, line('order-1', 1));
    const summary = verdictOf(ledger);
    expect(summary.total).toMatchObject({ expected: 1, delivered: 1, conflicting: 1 });
    expect(summary.conflicts).toStrictEqual([{ uniqueId: 'order-1', object: 'source backup', problem: 'logged twice with different content', expectedValue: 1 }]);
  });

  it('accounts an unexpected record to the account its prefix names, else to -', () => {
    const ledger = new ReconcileLedger({ ...options, by: 'account' });
    ledger.openLogEvent(key('e1'), at());
    deliver(ledger, line(`${SENDER}-x`, 1));
    deliver(ledger, line('plain-x', 2));
    expect(verdictOf(ledger).groups.map((group) => [group.account, group.unexpected, group.unexpectedValue])).toEqual([['-', 1, 2], [SENDER, 1, 1]]);
  });

  it("compares a sender's prefixed delivery with the logged line, so other content is still a conflict", () => {
    const ledger = twoAccounts();
    deliver(ledger, line(`${SENDER}-${EVENT}`, 9));
    expect(verdictOf(ledger).total).toMatchObject({ delivered: 1, conflicting: 1, missing: 1 });
  });
});

describe('HashIndex', () => {
  it('keeps every key through growth and tells keys apart by all 64 bits', () => {
    const index = new HashIndex();
    for (let i = 0; i < 20_000; i++) {
      const { hi, lo } = hash64(`id-${i}`);
      index.add(hi, lo, i);
    }
    expect(index.size).toBe(20_000);
    for (let i = 0; i < 20_000; i += 997) {
      const { hi, lo } = hash64(`id-${i}`);
      expect(index.get(hi, lo)).toBe(i);
    }
    const { hi, lo } = hash64('id-5');
    expect(index.get(hi ^ 1, lo)).toBe(-1);
    expect(index.get(hi, lo)).toBe(5);
  });
});

describe('expectedRecords', () => {
  const event = (message: string) => ({ source: { owner: '1', logGroup: GROUP, logStream: STREAM, subscriptionFilters: [] }, logEvent: { id: 'e1', timestamp: 1000, message }, arrival: 1000 });

  it('puts the valid lines at the array positions the rejects leave free', () => {
    const transformed: TransformedEvent = {
      event: event('meter_record_for_stream [{},{}]'),
      lines: [line('e1-0'), line('e1-2', 3)],
      rejects: [{ reason: 'INVALID_METER_API_NAME', detail: 'x', index: 1 }],
    };
    expect(expectedRecords(transformed, 'meter_record_for_stream').map((record) => [record.index, record.verdict, record.uniqueId])).toEqual([
      [0, 'valid', 'e1-0'],
      [1, 'INVALID_METER_API_NAME', undefined],
      [2, 'valid', 'e1-2'],
    ]);
  });

  it('marks a uniqueId derived when it is the event id, or the event id, a dash and digits', () => {
    const derivedOf = (...ids: string[]) =>
      expectedRecords({ event: event('meter_record_for_stream [{}]'), lines: ids.map((id) => line(id)), rejects: [] }, 'meter_record_for_stream').map((record) => record.derived);
    expect(derivedOf('e1', 'e1-2', 'e1-12', 'own', 'e1-x', 'e1-', 'x-e1-1', 'e12', 'e1-1x')).toEqual([true, true, true, false, false, false, false, false, false]);
  });

  it("names a rejected record's meter and customer from its log line when they are strings", () => {
    const transformed: TransformedEvent = {
      event: event('INFO meter_record_for_stream {"meterApiName":"tokens","customerId":"c9","meterValue":"abc"}'),
      lines: [],
      rejects: [{ reason: 'INVALID_METER_VALUE', detail: 'x' }],
    };
    expect(expectedRecords(transformed, 'meter_record_for_stream')).toEqual([{ index: 0, meterApiName: 'tokens', customerId: 'c9', verdict: 'INVALID_METER_VALUE' }]);
    const inspect = { ...transformed, event: event("meter_record_for_stream { meterApiName: 'x' }"), rejects: [{ reason: 'UTIL_INSPECT_OUTPUT', detail: 'x' }] };
    expect(expectedRecords(inspect, 'meter_record_for_stream')[0]).toMatchObject({ meterApiName: '-', customerId: '-' });
  });

  it('makes an event the transform failed whole one record, with the failure as its verdict', () => {
    const transformed: TransformedEvent = { event: event('meter_record_for_stream {}'), lines: [], rejects: [], failure: 'Lambda.ProcessingFailedStatus' };
    expect(expectedRecords(transformed, 'meter_record_for_stream')).toEqual([{ index: 0, meterApiName: '-', customerId: '-', verdict: 'Lambda.ProcessingFailedStatus' }]);
  });
});

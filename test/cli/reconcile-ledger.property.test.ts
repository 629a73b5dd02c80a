/**
 * The ledger against a plain model: random sequences of deliveries (as logged or with other content, accepted or
 * refused by Amberflo), quarantines and deliveries never logged, in every order. Whatever the order, each record
 * has the outcome of its strongest finding (delivered, else refused, else quarantined, else missing), a conflict is
 * never lost, and the totals add up, in records and in value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReconcileLedger } from '../../tools/lib/reconcile/ledger.ts';
import { DEFAULT_POLICY, judge } from '../../tools/lib/reconcile/verdict.ts';

const OWNER = '999999999999';
const GROUP = '/aws/lambda/orders';
const eventKey = (i: number): string => ReconcileLedger.eventKey(OWNER, GROUP, 'stream', `e${i}`);
const line = (uniqueId: string, meterValue: number): string => JSON.stringify({ meterApiName: 'api-calls', customerId: 'c1', meterValue, uniqueId });

type Operation =
  | { readonly kind: 'deliver'; readonly record: number; readonly conflicting: boolean; readonly refused: boolean }
  | { readonly kind: 'quarantine'; readonly record: number; readonly reason: 'A' | 'B' }
  | { readonly kind: 'unknown'; readonly id: number };

const operation = (records: number): fc.Arbitrary<Operation> =>
  fc.oneof(
    fc.record({ kind: fc.constant('deliver' as const), record: fc.nat(records - 1), conflicting: fc.boolean(), refused: fc.boolean() }),
    fc.record({ kind: fc.constant('quarantine' as const), record: fc.nat(records - 1), reason: fc.constantFrom('A' as const, 'B' as const) }),
    fc.record({ kind: fc.constant('unknown' as const), id: fc.nat(5) }),
  );

const scenario = fc.integer({ min: 1, max: 8 }).chain((records) => fc.tuple(fc.constant(records), fc.array(operation(records), { maxLength: 40 })));

interface ModelRecord {
  delivered: boolean;
  refused: boolean;
  quarantined?: 'A' | 'B';
  conflicting: boolean;
}

describe('ReconcileLedger against a plain model', () => {
  it('gives every record the outcome of its strongest finding and totals that add up, in any order', () => {
    fc.assert(
      fc.property(scenario, ([count, operations]) => {
        const value = (i: number): number => i + 1;
        const ledger = new ReconcileLedger({ by: 'meter', meters: [], exampleLimit: 100 });
        for (let i = 0; i < count; i++) {
          ledger.openLogEvent(eventKey(i), { object: 0, timestamp: i, logGroup: GROUP, owner: OWNER });
          ledger.addRecord({ index: 0, meterApiName: 'api-calls', customerId: 'c1', uniqueId: `u${i}`, line: line(`u${i}`, value(i)), meterValue: value(i) });
        }
        const model: ModelRecord[] = Array.from({ length: count }, () => ({ delivered: false, refused: false, conflicting: false }));
        const unknown = new Map<number, number>();
        let duplicated = 0;
        for (const op of operations) {
          if (op.kind === 'deliver') {
            const record = model[op.record] as ModelRecord;
            const text = line(`u${op.record}`, op.conflicting ? value(op.record) + 100 : value(op.record));
            if (record.delivered || record.refused) duplicated += 1;
            record.conflicting ||= op.conflicting;
            if (op.refused) record.refused = true;
            else record.delivered = true;
            expect(ledger.deliver(text, JSON.parse(text), { object: 'ingest/o.gz', objectNumber: 0, refused: op.refused })).toBe(true);
          } else if (op.kind === 'quarantine') {
            const record = model[op.record] as ModelRecord;
            record.quarantined ??= op.reason;
            expect(ledger.quarantine(eventKey(op.record), 0, op.reason)).toBe(true);
          } else {
            if (!unknown.has(op.id)) unknown.set(op.id, 1000 + op.id);
            const text = line(`never-logged-${op.id}`, 1000 + op.id);
            expect(ledger.deliver(text, JSON.parse(text), { object: 'ingest/x.gz', objectNumber: 1, refused: false })).toBe(false);
          }
        }
        ledger.finishDeliveries();

        const tally = () => ({ records: 0, value: 0 });
        const expected = { delivered: tally(), refused: tally(), quarantined: tally(), missing: tally(), conflicting: tally() };
        const byReason: Record<string, { records: number; value: number }> = {};
        model.forEach((record, i) => {
          const outcome = record.delivered ? 'delivered' : record.refused ? 'refused' : record.quarantined !== undefined ? 'quarantined' : 'missing';
          expected[outcome].records += 1;
          expected[outcome].value += value(i);
          if (record.conflicting) {
            expected.conflicting.records += 1;
            expected.conflicting.value += value(i);
          }
          if (outcome === 'quarantined') {
            const reason = (byReason[record.quarantined as string] ??= { records: 0, value: 0 });
            reason.records += 1;
            reason.value += value(i);
          }
          const indexes = ledger.indexesNeedingAction(eventKey(i));
          expect(indexes).toEqual(outcome === 'missing' || outcome === 'refused' ? [0] : []);
          expect(ledger.outcomeOf(eventKey(i), 0)).toBe(outcome);
        });
        const unexpectedValue = [...unknown.values()].reduce((sum, v) => sum + v, 0);
        const { total, events } = ledger.summary();
        expect(total).toEqual({
          expected: count,
          expectedValue: model.reduce((sum, _, i) => sum + value(i), 0),
          delivered: expected.delivered.records,
          deliveredValue: expected.delivered.value,
          refused: expected.refused.records,
          refusedValue: expected.refused.value,
          quarantined: expected.quarantined.records,
          quarantinedValue: expected.quarantined.value,
          quarantinedByReason: Object.fromEntries(Object.entries(byReason).sort(([a], [b]) => (a < b ? -1 : 1))),
          missing: expected.missing.records,
          missingValue: expected.missing.value,
          conflicting: expected.conflicting.records,
          conflictingValue: expected.conflicting.value,
          unexpected: unknown.size,
          unexpectedValue,
          duplicated,
          outsideWindow: 0,
        });
        expect(total.delivered + total.refused + total.quarantined + total.missing).toBe(total.expected);
        const verdict = judge(total, events, DEFAULT_POLICY);
        expect(verdict.reconciled).toBe(expected.missing.records === 0 && expected.refused.records === 0 && expected.conflicting.records === 0 && unknown.size === 0);
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * The WebAssembly scanner as the fast path drives it: events it leaves to the general rules, output that outgrows
 * the payload, the memory it keeps, and payloads with bytes changed at random, all against the general rules.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../../../transform/config.ts';
import { transformDataMessage } from '../../../transform/fast/fast-payload.ts';
import { scannerMemoryBytes } from '../../../transform/fast/scanner.ts';
import { LOG_FORMS, meterLogEvents, subscriptionPayload } from '../../../tools/lib/cloudwatch/payloads.ts';
import { PREFIX, expectSameOutcome, generalPath } from './differential.ts';

describe('the scanner behind transformDataMessage', () => {
  it('hands an event it cannot read to the general rules and reads on, its lines in log order', () => {
    const logEvents = meterLogEvents(6);
    // A `\u` escape in the text before the prefix: the scanner leaves the event to the general rules, which
    // encode its record on their own (fastEncodeRecord) while the scanner holds the payload.
    const escaped = logEvents.map((event, i) => (i % 2 === 1 ? { ...event, message: `\u0001${event.message}` } : event));
    const json = Buffer.from(JSON.stringify(subscriptionPayload(escaped)));
    const parse = vi.spyOn(JSON, 'parse');
    const fast = transformDataMessage(json, DEFAULT_CONFIG);
    // The header and the three escaped events, each alone.
    expect(parse).toHaveBeenCalledTimes(4);
    parse.mockRestore();
    expect(fast?.result.meterRecords).toBe(6);
    expect(fast?.result.ndjson.toString()).toBe(generalPath(escaped, DEFAULT_CONFIG, '123456789012').ndjson);
    expectSameOutcome(json);
  });


  it('grows its output past the payload\'s size when the rules write more than an event holds', () => {
    // An array of small records in one event: each line carries the event's id and time, so the lines outgrow the
    // payload; events the scanner reads itself follow, written after the grown output.
    const [first, ...rest] = meterLogEvents(4);
    const records = Array.from({ length: 800 }, (_, i) => ({ meterApiName: 'a', customerId: `c${i}`, meterValue: 1 }));
    const logEvents = [{ ...first!, message: `${PREFIX} ${JSON.stringify(records)}` }, ...rest];
    const json = Buffer.from(JSON.stringify(subscriptionPayload(logEvents)));
    const fast = transformDataMessage(json, DEFAULT_CONFIG);
    expect(fast?.result.meterRecords).toBe(803);
    expect(fast?.result.ndjson.length).toBeGreaterThan(json.length + 4096);
    expect(fast?.result.ndjson.toString()).toBe(generalPath(logEvents, DEFAULT_CONFIG, '123456789012').ndjson);
  });


  it('writes a sender account\'s uniqueIds, prefix included, when lines outgrow the payload and events go to the rules', () => {
    // Short records after long event ids: the `<owner>-` prefix makes each line longer than its event.
    const config = { ...DEFAULT_CONFIG, homeAccountId: '999999999999' };
    const logEvents = meterLogEvents(300, { forms: ['node-text'] }).map((event, i) => ({
      ...event,
      message: `${i % 7 === 3 ? '\u0001' : ''}${PREFIX} {"meterApiName":"a","customerId":"c","meterValue":${i}}`,
    }));
    const json = Buffer.from(JSON.stringify(subscriptionPayload(logEvents, { owner: '111111111111' })));
    const fast = transformDataMessage(json, config);
    expect(fast?.result.meterRecords).toBe(300);
    const lines = fast?.result.ndjson.toString().trim().split('\n') ?? [];
    expect(lines.map((line) => JSON.parse(line).uniqueId)).toEqual(logEvents.map((event) => `111111111111-${event.id}`));
    expect(fast?.result.ndjson.toString()).toBe(generalPath(logEvents, config, '111111111111').ndjson);
    expectSameOutcome(json, config);
  });

  it('keeps no more than 16 MiB of scanner memory after a larger payload', () => {
    const small = Buffer.from(JSON.stringify(subscriptionPayload(meterLogEvents(10))));
    transformDataMessage(small, DEFAULT_CONFIG);
    const kept = scannerMemoryBytes();
    expect(kept).toBeGreaterThan(small.length);
    expect(kept).toBeLessThanOrEqual(16 * 1024 * 1024);
    const events = meterLogEvents(10);
    const huge = Buffer.from(JSON.stringify(subscriptionPayload(events.map((event) => ({ ...event, message: `${'x'.repeat(2_000_000)}${event.message}` })))));
    expect(transformDataMessage(huge, DEFAULT_CONFIG)?.result.meterRecords).toBe(10);
    expect(scannerMemoryBytes()).toBe(0);
    transformDataMessage(small, DEFAULT_CONFIG);
    expect(scannerMemoryBytes()).toBeGreaterThan(small.length);
    expect(scannerMemoryBytes()).toBeLessThanOrEqual(kept);
  });


  it('agrees on payloads as CloudWatch Logs writes them with bytes changed, inserted or removed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(...LOG_FORMS),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 3 }),
        (count, form, seed, edits) => {
          const bytes = [...Buffer.from(JSON.stringify(subscriptionPayload(meterLogEvents(count, { forms: [form], seed }))))];
          for (const [at, value, kind] of edits) {
            const i = at % bytes.length;
            if (kind === 'set') bytes[i] = value;
            else if (kind === 'insert') bytes.splice(i, 0, value);
            else bytes.splice(i, 1);
          }
          expectSameOutcome(Buffer.from(bytes));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

/**
 * Packing re-ingest payloads: groups by weight, and gzipped payloads halved until each fits one record.
 */
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { groupByWeight, reingestGenerationOf, rejectsPayloads, splitPayload, type Packed } from '../../transform/repack.ts';
import { REJECTS_FORMAT_VERSION, type LogEvent, type Reject } from '../../transform/types.ts';
import { subscriptionPayload } from '../../tools/lib/cloudwatch/payloads.ts';
import { readRejectsPayload, rejectsEnvelope, rejectsOf } from '../support/rejects.ts';

/** A log event whose message does not compress, so payload sizes follow message sizes. */
const noisyEvent = (id: string, bytes: number): LogEvent => ({ id, timestamp: 1663094105062, message: randomBytes(bytes).toString('base64') });
const unpack = (data: Buffer) => JSON.parse(gunzipSync(data).toString('utf8'));
const ids = (data: Buffer) => (unpack(data).logEvents as LogEvent[]).map((event) => event.id);
/** The payloads of a packing that must have succeeded. */
function payloadsOf(packed: Packed): readonly Buffer[] {
  if (!packed.ok) throw new Error(`packing failed: ${packed.reason}`);
  return packed.payloads;
}
/** The gzipped piece splitPayload builds for `events` of `payload` (generation 1). */
const piece = (payload: object, events: readonly LogEvent[]) => gzipSync(JSON.stringify({ ...payload, reingestGeneration: 1, logEvents: events }));

describe('groupByWeight', () => {
  it('puts an item heavier than the limit alone, with no empty group before it', () => {
    expect(groupByWeight(['a', 'b'], [10, 1], 5)).toEqual([['a'], ['b']]);
  });

  it('fills a group up to exactly the limit', () => {
    expect(groupByWeight(['a', 'b', 'c'], [2, 3, 1], 5)).toEqual([['a', 'b'], ['c']]);
  });

  it('closes a group at the item count limit', () => {
    expect(groupByWeight(['a', 'b', 'c'], [0, 0, 0], 5, 2)).toEqual([['a', 'b'], ['c']]);
  });

  it('returns no group for no items', () => {
    expect(groupByWeight([], [], 5)).toEqual([]);
  });
});

describe('splitPayload', () => {
  const { logEvents: _none, ...envelope } = subscriptionPayload([]);
  const payload = subscriptionPayload([]);

  it('weighs rejected events, which produce no output, by their message size', () => {
    const events = [noisyEvent('1', 60), noisyEvent('2', 60), noisyEvent('3', 60), noisyEvent('4', 30)];
    // 80, 80, 80 and 40 characters of message: the last two fit 150 together.
    expect(payloadsOf(splitPayload(payload, events, [0, 0, 0, 0], 150)).map(ids)).toEqual([['1'], ['2'], ['3', '4']]);
  });

  it('weighs valid events by their output when it is larger than the message', () => {
    const events = [noisyEvent('1', 6), noisyEvent('2', 6), noisyEvent('3', 6), noisyEvent('4', 6)];
    expect(payloadsOf(splitPayload(payload, events, [100, 100, 100, 40], 150)).map(ids)).toEqual([['1'], ['2'], ['3', '4']]);
  });

  it('halves events that fit the target together, so a split always makes progress', () => {
    const events = [noisyEvent('1', 6), noisyEvent('2', 6), noisyEvent('3', 6)];
    expect(payloadsOf(splitPayload(payload, events, [10, 10, 10], 1_000)).map(ids)).toEqual([['1', '2'], ['3']]);
  });

  it('keeps the envelope of the original payload in every piece, one generation later', () => {
    const [first] = payloadsOf(splitPayload(payload, [noisyEvent('1', 6)], [10], 1_000));
    expect(unpack(first as Buffer)).toEqual({ ...envelope, reingestGeneration: 1, logEvents: [expect.objectContaining({ id: '1' })] });
    const [later] = payloadsOf(splitPayload({ ...payload, reingestGeneration: 2 }, [noisyEvent('1', 6)], [10], 1_000));
    expect(unpack(later as Buffer)).toMatchObject({ reingestGeneration: 3 });
  });

  it('halves a group whose gzip is over the limit, first half first, until each piece fits', () => {
    // Events of about 3 KB gzipped each, the first three within the target together: two fit in 7,000 bytes, three do not.
    const events = [noisyEvent('1', 2_400), noisyEvent('2', 2_400), noisyEvent('3', 2_400), noisyEvent('4', 2_400)];
    const payloads = payloadsOf(splitPayload(payload, events, [0, 0, 0, 0], 3 * 3_200, 7_000));
    expect(payloads.map(ids)).toEqual([['1', '2'], ['3'], ['4']]);
    for (const data of payloads) expect(data.length).toBeLessThanOrEqual(7_000);
  });

  it('keeps a group whose gzip is exactly the limit whole', () => {
    // Weights 400, 400 (message characters) and 1,200 (output): groups [1, 2] and [3] within a target of 1,000.
    const events = [noisyEvent('1', 300), noisyEvent('2', 300), noisyEvent('3', 6)];
    const exact = piece(envelope, events.slice(0, 2)).length;
    expect(piece(envelope, events.slice(2)).length).toBeLessThan(exact);
    expect(payloadsOf(splitPayload(payload, events, [0, 0, 1_200], 1_000, exact)).map(ids)).toEqual([['1', '2'], ['3']]);
    expect(payloadsOf(splitPayload(payload, events, [0, 0, 1_200], 1_000, exact - 1)).map(ids)).toEqual([['1'], ['2'], ['3']]);
  });

  it('gives up when a single event cannot fit', () => {
    expect(splitPayload(payload, [noisyEvent('1', 10), noisyEvent('2', 3_000)], [0, 0], 1_000_000, 2_000)).toEqual({ ok: false, reason: 'REINGEST_FAILED' });
  });
});

describe('reingestGenerationOf', () => {
  const payload = subscriptionPayload([]);

  it.each([
    [undefined, 0],
    [0, 0],
    [3, 3],
    [-1, 0],
    [1.5, 0],
    ['3', 0],
  ])('reads a generation of %j as %i: only positive safe integers count', (reingestGeneration, expected) => {
    expect(reingestGenerationOf({ ...payload, reingestGeneration } as typeof payload)).toBe(expected);
  });
});

describe('rejectsPayloads', () => {
  const payload = subscriptionPayload([], { logGroup: '/aws/lambda/billing', subscriptionFilters: ['meters'] });
  const reject = (id: string, bytes: number): Reject => ({ reason: 'INVALID_JSON', detail: 'd', logEvent: noisyEvent(id, bytes) });

  it('writes only the keys a reject has: no index for a single record, no count outside a run', () => {
    const logEvent = noisyEvent('1', 6);
    const rejects: Reject[] = [
      { reason: 'INVALID_JSON', detail: 'single', logEvent },
      { reason: 'UNKNOWN_FIELD', detail: 'in an array', index: 0, logEvent },
      { reason: 'NOT_AN_OBJECT', detail: 'a run', index: 1, count: 2, logEvent },
    ];
    const [data] = payloadsOf(rejectsPayloads(payload, rejects));
    expect(readRejectsPayload(data as Buffer).rejects).toStrictEqual([
      { reason: 'INVALID_JSON', detail: 0, event: 0 },
      { reason: 'UNKNOWN_FIELD', detail: 1, index: 0, event: 0 },
      { reason: 'NOT_AN_OBJECT', detail: 2, index: 1, count: 2, event: 0 },
    ]);
  });

  it('carries the rejects in a versioned envelope naming their origin', () => {
    const [data] = payloadsOf(rejectsPayloads(payload, [reject('1', 6)]));
    const carried = readRejectsPayload(data as Buffer);
    expect(rejectsEnvelope(carried)).toEqual({
      messageType: 'METER_REJECTS',
      version: REJECTS_FORMAT_VERSION,
      owner: payload.owner,
      logGroup: '/aws/lambda/billing',
      logStream: payload.logStream,
      subscriptionFilters: ['meters'],
    });
    expect(rejectsOf(carried)).toEqual([{ reason: 'INVALID_JSON', detail: 'd', logEvent: expect.objectContaining({ id: '1' }) }]);
  });

  it('splits rejects over several payloads when they do not fit one', () => {
    const payloads = payloadsOf(rejectsPayloads(payload, [reject('1', 2_400), reject('2', 2_400), reject('3', 2_400)], 7_000));
    expect(payloads.map((data) => rejectsOf(readRejectsPayload(data)).map((r) => r.logEvent.id))).toEqual([['1', '2'], ['3']]);
  });

  it('gives up when a single reject cannot fit', () => {
    expect(rejectsPayloads(payload, [reject('1', 3_000)], 2_000)).toEqual({ ok: false, reason: 'REINGEST_FAILED' });
  });
});

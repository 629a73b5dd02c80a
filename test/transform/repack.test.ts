/**
 * Packing re-ingest payloads: groups by weight, and gzipped payloads halved until each fits one record.
 */
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { groupByWeight, rejectsPayloads, splitPayload } from '../../transform/repack.ts';
import type { LogEvent, Reject } from '../../transform/types.ts';
import { subscriptionPayload } from '../../tools/lib/cloudwatch/payloads.ts';

/** A log event whose message does not compress, so payload sizes follow message sizes. */
const noisyEvent = (id: string, bytes: number): LogEvent => ({ id, timestamp: 1663094105062, message: randomBytes(bytes).toString('base64') });
const unpack = (data: Buffer) => JSON.parse(gunzipSync(data).toString('utf8'));
const ids = (data: Buffer) => (unpack(data).logEvents as LogEvent[]).map((event) => event.id);

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
  const payload = subscriptionPayload([]);

  it('weighs rejected events, which produce no output, by their message size', () => {
    const events = [noisyEvent('1', 60), noisyEvent('2', 60), noisyEvent('3', 60)];
    const payloads = splitPayload(payload, events, [0, 0, 0], 150);
    expect(payloads?.map(ids)).toEqual([['1'], ['2'], ['3']]);
  });

  it('weighs valid events by their output when it is larger than the message', () => {
    const events = [noisyEvent('1', 6), noisyEvent('2', 6), noisyEvent('3', 6)];
    const payloads = splitPayload(payload, events, [100, 100, 100], 150);
    expect(payloads?.map(ids)).toEqual([['1'], ['2'], ['3']]);
  });

  it('keeps the envelope of the original payload in every piece', () => {
    const [piece] = splitPayload(payload, [noisyEvent('1', 6)], [10], 1_000) ?? [];
    expect(unpack(piece as Buffer)).toEqual({ ...payload, logEvents: [expect.objectContaining({ id: '1' })] });
  });

  it('halves a group whose gzip is over the limit, first half first, until each piece fits', () => {
    // Three events of about 3 KB gzipped each: two fit in 7,000 bytes, three do not.
    const events = [noisyEvent('1', 2_400), noisyEvent('2', 2_400), noisyEvent('3', 2_400)];
    const payloads = splitPayload(payload, events, [0, 0, 0], 1_000_000, 7_000) as Buffer[];
    expect(payloads.map(ids)).toEqual([['1', '2'], ['3']]);
    for (const data of payloads) expect(data.length).toBeLessThanOrEqual(7_000);
  });

  it('keeps a group whose gzip is exactly the limit whole', () => {
    const events = [noisyEvent('1', 300), noisyEvent('2', 300)];
    const exact = gzipSync(JSON.stringify({ ...payload, logEvents: events })).length;
    expect(splitPayload(payload, events, [0, 0], 1_000_000, exact)?.map(ids)).toEqual([['1', '2']]);
  });

  it('gives up when a single event cannot fit', () => {
    expect(splitPayload(payload, [noisyEvent('1', 10), noisyEvent('2', 3_000)], [0, 0], 1_000_000, 2_000)).toBeUndefined();
  });
});

describe('rejectsPayloads', () => {
  const payload = subscriptionPayload([], { logGroup: '/aws/lambda/billing', subscriptionFilters: ['meters'] });
  const reject = (id: string, bytes: number): Reject => ({ reason: 'INVALID_JSON', detail: 'd', logEvent: noisyEvent(id, bytes) });

  it('carries the rejects in a versioned envelope naming their origin', () => {
    const [data] = rejectsPayloads(payload, [reject('1', 6)]) ?? [];
    expect(unpack(data as Buffer)).toEqual({
      messageType: 'METER_REJECTS',
      version: 1,
      owner: payload.owner,
      logGroup: '/aws/lambda/billing',
      logStream: payload.logStream,
      subscriptionFilters: ['meters'],
      rejects: [{ reason: 'INVALID_JSON', detail: 'd', logEvent: expect.objectContaining({ id: '1' }) }],
    });
  });

  it('splits rejects over several payloads when they do not fit one', () => {
    const payloads = rejectsPayloads(payload, [reject('1', 2_400), reject('2', 2_400), reject('3', 2_400)], 7_000) as Buffer[];
    expect(payloads.map((data) => unpack(data).rejects.map((r: Reject) => r.logEvent.id))).toEqual([['1', '2'], ['3']]);
  });

  it('gives up when a single reject cannot fit', () => {
    expect(rejectsPayloads(payload, [reject('1', 3_000)], 2_000)).toBeUndefined();
  });
});

// @ts-nocheck
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeRecordData, inflateRecordData } from '../../transform/decode.ts';
import { controlPayload, gzipPayload, subscriptionPayload } from '../../tools/lib/cloudwatch/payloads.ts';

const CAP = 1024 * 1024;
const events = [{ id: '1', timestamp: 1663094105062, message: 'hello' }];

describe('decodeRecordData', () => {
  it('gunzips a CloudWatch Logs payload', () => {
    const payload = subscriptionPayload(events);
    const decoded = decodeRecordData(gzipPayload(payload).toString('base64'), CAP);
    expect(decoded).toEqual({ kind: 'cloudwatch', payload, decodedBytes: JSON.stringify(payload).length });
  });

  it('accepts a payload Firehose already decompressed', () => {
    const payload = subscriptionPayload(events);
    expect(decodeRecordData(Buffer.from(JSON.stringify(payload)).toString('base64'), CAP)).toMatchObject({ kind: 'cloudwatch', payload });
  });

  it('tolerates unknown envelope fields such as policyLevel', () => {
    const payload = { ...subscriptionPayload(events), policyLevel: 'ACCOUNT_LEVEL_POLICY', futureField: [1] };
    expect(decodeRecordData(gzipPayload(payload).toString('base64'), CAP)).toMatchObject({ kind: 'cloudwatch', payload });
  });

  it('decodes control messages', () => {
    expect(decodeRecordData(gzipPayload(controlPayload()).toString('base64'), CAP)).toMatchObject({
      kind: 'cloudwatch',
      payload: { messageType: 'CONTROL_MESSAGE' },
    });
  });

  it('recognizes a rejects payload coming back from re-ingest', () => {
    const rejects = { messageType: 'METER_REJECTS', version: 1, rejects: [] };
    expect(decodeRecordData(gzipPayload(rejects).toString('base64'), CAP)).toMatchObject({ kind: 'rejects' });
  });

  it('stops a gzip bomb at the cap', () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(100_000);
    expect(decodeRecordData(bomb.toString('base64'), CAP)).toMatchObject({ kind: 'invalid', reason: 'DECOMPRESSED_TOO_LARGE' });
  });

  it('gunzips whatever size the gzip trailer states: true, understated, overstated, several members, at the cap', () => {
    const json = Buffer.from(JSON.stringify(subscriptionPayload(Array.from({ length: 500 }, (_, i) => ({ id: String(i), timestamp: 1663094105062 + i, message: `hello ${i}` })))));
    const gzip = gzipSync(json);
    const stating = (size: number): Buffer => {
      const copy = Buffer.from(gzip);
      copy.writeUInt32LE(size, copy.length - 4);
      return copy;
    };
    const inflate = (data: Buffer, cap = CAP) => inflateRecordData(data.toString('base64'), cap);
    expect(inflate(gzip)).toEqual({ kind: 'json', json });
    // A trailer that misstates the size is corrupt gzip, as before; the chunk size never changes the verdict.
    for (const size of [0, 1, json.length - 1, json.length + 1, 0xffffffff]) {
      expect(inflate(stating(size))).toMatchObject({ kind: 'invalid', reason: 'NOT_GZIP_OR_JSON' });
    }
    const twoMembers = Buffer.concat([gzipSync(json.subarray(0, 1000)), gzipSync(json.subarray(1000))]);
    expect(inflate(twoMembers)).toEqual({ kind: 'json', json });
    expect(inflate(gzip, json.length)).toEqual({ kind: 'json', json });
    expect(inflate(gzip, json.length - 1)).toMatchObject({ kind: 'invalid', reason: 'DECOMPRESSED_TOO_LARGE' });
  });

  it('applies the cap to uncompressed data too', () => {
    const big = Buffer.from(JSON.stringify({ ...subscriptionPayload([]), pad: 'x'.repeat(CAP) }));
    expect(decodeRecordData(big.toString('base64'), CAP)).toMatchObject({ kind: 'invalid', reason: 'DECOMPRESSED_TOO_LARGE' });
  });

  it.each([
    ['corrupt gzip', Buffer.concat([gzipPayload(subscriptionPayload(events)).subarray(0, 20), Buffer.from('garbage')]), 'NOT_GZIP_OR_JSON'],
    ['plain text', Buffer.from('not json at all'), 'NOT_GZIP_OR_JSON'],
    ['empty data', Buffer.alloc(0), 'NOT_GZIP_OR_JSON'],
    ['a JSON array', Buffer.from('[1,2]'), 'INVALID_ENVELOPE'],
    ['an unknown messageType', gzipPayload({ ...subscriptionPayload(events), messageType: 'OTHER' }), 'INVALID_ENVELOPE'],
    ['logEvents not an array', gzipPayload({ ...subscriptionPayload(events), logEvents: {} }), 'INVALID_ENVELOPE'],
    ['a log event without a message', gzipPayload({ ...subscriptionPayload(events), logEvents: [{ id: '1', timestamp: 1 }] }), 'INVALID_ENVELOPE'],
    ['no logGroup', gzipPayload({ ...subscriptionPayload(events), logGroup: undefined }), 'INVALID_ENVELOPE'],
  ])('fails %s with %s', (_name, data, reason) => {
    expect(decodeRecordData(data.toString('base64'), CAP)).toMatchObject({ kind: 'invalid', reason });
  });

  it('fails data that is not base64 as not gzip or JSON', () => {
    expect(decodeRecordData('%%%not-base64%%%', CAP)).toMatchObject({ kind: 'invalid', reason: 'NOT_GZIP_OR_JSON' });
  });
});

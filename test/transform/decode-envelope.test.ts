/**
 * The envelope checks of decodeRecordData, one field at a time, with the exact detail a user reads for a
 * failed record; and where plain data ends and gzip begins.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeRecordData } from '../../transform/decode.ts';
import { controlPayload, subscriptionPayload } from '../../tools/lib/cloudwatch/payloads.ts';

const CAP = 1024 * 1024;
const event = { id: '1', timestamp: 1663094105062, message: 'hello' };
const base64 = (data: Buffer) => data.toString('base64');
const plain = (value: unknown) => Buffer.from(JSON.stringify(value));

function invalid(value: unknown) {
  const data = plain(value);
  return { decoded: decodeRecordData(base64(data), CAP), decodedBytes: data.length };
}

describe('decodeRecordData refuses the envelope', () => {
  it.each([
    [null, 'payload is not a JSON object'],
    [[subscriptionPayload([event])], 'payload is not a JSON object'],
    ['DATA_MESSAGE', 'payload is not a JSON object'],
    [{ ...subscriptionPayload([event]), messageType: undefined }, 'messageType must be DATA_MESSAGE or CONTROL_MESSAGE, got nothing (the field is missing)'],
    [{ ...subscriptionPayload([event]), messageType: 'data_message' }, 'messageType must be DATA_MESSAGE or CONTROL_MESSAGE, got a string'],
    [{ ...subscriptionPayload([event]), messageType: 1 }, 'messageType must be DATA_MESSAGE or CONTROL_MESSAGE, got a number'],
    [{ ...subscriptionPayload([event]), logEvents: undefined }, 'logEvents must be an array'],
    [{ ...subscriptionPayload([event]), logEvents: [null] }, 'logEvents[0] must have a string id, a number timestamp and a string message'],
    [{ ...subscriptionPayload([event]), logEvents: ['text'] }, 'logEvents[0] must have a string id, a number timestamp and a string message'],
    [{ ...subscriptionPayload([]), logEvents: [event, { ...event, timestamp: '1663094105062' }] }, 'logEvents[1] must have a string id, a number timestamp and a string message'],
    [{ ...subscriptionPayload([]), logEvents: [event, { ...event, timestamp: undefined }] }, 'logEvents[1] must have a string id, a number timestamp and a string message'],
    [{ ...subscriptionPayload([]), logEvents: [{ ...event, id: 1 }] }, 'logEvents[0] must have a string id, a number timestamp and a string message'],
    [{ ...subscriptionPayload([]), logEvents: [{ ...event, message: { text: 'hello' } }] }, 'logEvents[0] must have a string id, a number timestamp and a string message'],
    [{ ...subscriptionPayload([event]), logGroup: 7 }, 'logGroup must be a string'],
    [{ ...subscriptionPayload([event]), logStream: undefined }, 'logStream must be a string'],
    [{ ...subscriptionPayload([event]), owner: null }, 'owner must be a string'],
  ])('%j', (value, detail) => {
    const { decoded, decodedBytes } = invalid(value);
    expect(decoded).toEqual({ kind: 'invalid', reason: 'INVALID_ENVELOPE', detail, decodedBytes });
  });
});

describe('decodeRecordData accepts', () => {
  it('a data message whose log events are all well formed, with its decoded size', () => {
    const payload = subscriptionPayload([event, { ...event, id: '2', message: '' }]);
    expect(decodeRecordData(base64(plain(payload)), CAP)).toEqual({ kind: 'cloudwatch', payload, decodedBytes: plain(payload).length });
  });

  it('a control message without the fields only data messages need', () => {
    const { logEvents: _events, logGroup: _group, ...bare } = controlPayload();
    expect(decodeRecordData(base64(plain(bare)), CAP)).toMatchObject({ kind: 'cloudwatch', payload: { messageType: 'CONTROL_MESSAGE' } });
  });

  it('a rejects payload with its decoded size', () => {
    const rejects = { messageType: 'METER_REJECTS', version: 1, rejects: [] };
    expect(decodeRecordData(base64(plain(rejects)), CAP)).toEqual({ kind: 'rejects', payload: rejects, decodedBytes: plain(rejects).length });
  });

  it('uncompressed data of exactly the cap', () => {
    const payload = subscriptionPayload([event]);
    const data = plain(payload);
    expect(decodeRecordData(base64(data), data.length)).toMatchObject({ kind: 'cloudwatch' });
    expect(decodeRecordData(base64(data), data.length - 1)).toEqual({
      kind: 'invalid',
      reason: 'DECOMPRESSED_TOO_LARGE',
      detail: `data exceeds ${data.length - 1} bytes`,
      decodedBytes: 0,
    });
  });
});

describe('decodeRecordData tells gzip from plain data by both magic bytes', () => {
  it('reads data with only the first magic byte as plain, and says it is neither gzip nor JSON', () => {
    const data = Buffer.from([0x1f, 0x7b, 0x7d]);
    expect(decodeRecordData(base64(data), CAP)).toEqual({ kind: 'invalid', reason: 'NOT_GZIP_OR_JSON', detail: 'data is neither gzip nor JSON', decodedBytes: 3 });
  });

  it('reads data with only the second magic byte as plain', () => {
    const data = Buffer.from([0x7b, 0x8b]);
    expect(decodeRecordData(base64(data), CAP)).toEqual({ kind: 'invalid', reason: 'NOT_GZIP_OR_JSON', detail: 'data is neither gzip nor JSON', decodedBytes: 2 });
  });

  it('says gzip data is corrupt, quoting zlib', () => {
    const gzip = gzipSync(plain(subscriptionPayload([event])));
    const decoded = decodeRecordData(base64(gzip.subarray(0, 12)), CAP);
    expect(decoded).toMatchObject({ kind: 'invalid', reason: 'NOT_GZIP_OR_JSON', decodedBytes: 0 });
    expect(decoded.kind === 'invalid' && decoded.detail).toMatch(/^corrupt gzip data: \S/);
  });

  it('names the cap a gzip bomb exceeded', () => {
    const bomb = gzipSync(Buffer.alloc(CAP + 1, 0x20));
    expect(decodeRecordData(base64(bomb), CAP)).toEqual({
      kind: 'invalid',
      reason: 'DECOMPRESSED_TOO_LARGE',
      detail: `gunzipped data exceeds ${CAP} bytes`,
      decodedBytes: 0,
    });
  });
});

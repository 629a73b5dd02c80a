import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DestinationBuffer, takeProcessorBatch } from '../../tools/lib/local-pipeline/buffering.ts';
import { gzipPayload, subscriptionPayload } from '../../tools/lib/cloudwatch/payloads.ts';
import { failedEventsOf } from '../../tools/lib/error-prefix/failures.ts';
import { compileFilterPattern } from '../../tools/lib/cloudwatch/filter-pattern.ts';
import { ERROR_CODES, MAX_LAMBDA_RESPONSE_BYTES, checkTransformationResponse } from '../../tools/lib/local-pipeline/firehose-contract.ts';
import { parseLogInput } from '../../tools/lib/cloudwatch/log-input.ts';
import { encodeErrorRecords, evaluatePrefix, listingPrefixes, objectKey, parseErrorObject } from '../../tools/lib/delivery/object-layout.ts';
import { planReplay } from '../../tools/lib/replay/replay-plan.ts';

const T = Date.UTC(2026, 10, 25, 23, 59, 58);

describe('object layout', () => {
  it('evaluates the default prefixes from the oldest arrival, in UTC', () => {
    expect(evaluatePrefix('ingest/records/!{timestamp:yyyy-MM-dd}/', { arrivalTimestamp: T })).toBe('ingest/records/2026-11-25/');
    expect(evaluatePrefix("e/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/h=!{timestamp:HH'h'}/", { arrivalTimestamp: T, errorOutputType: 'processing-failed' })).toBe(
      'e/processing-failed/2026/11/25/23/h=23h/',
    );
    expect(() => evaluatePrefix('!{firehose:error-output-type}/', { arrivalTimestamp: T })).toThrow('error output prefix');
    expect(() => evaluatePrefix('!{partitionKeyFromQuery:x}/', { arrivalTimestamp: T })).toThrow('unsupported expression');
  });

  it('lists a time range under the prefixes its template evaluates to: a day a prefix, or the static part', () => {
    const day = 86_400_000;
    expect(listingPrefixes('ingest/records/!{timestamp:yyyy-MM-dd}/', T - day, T + 2_000)).toEqual(['ingest/records/2026-11-24/', 'ingest/records/2026-11-25/', 'ingest/records/2026-11-26/']);
    expect(listingPrefixes('b/!{timestamp:yyyy/MM/dd/HH}/', T - 3_600_000, T)).toEqual(['b/2026/11/25/22/', 'b/2026/11/25/23/']);
    // Another expression first: only the part before it narrows.
    expect(listingPrefixes('errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/', T - day, T)).toEqual(['errors/']);
    expect(listingPrefixes('static/', T - day, T)).toEqual(['static/']);
    // Minutes over a week would be 10,080 prefixes: the static part instead.
    expect(listingPrefixes('m/!{timestamp:yyyy-MM-dd-HH-mm}/', T - 7 * day, T)).toEqual(['m/']);
  });

  it('names objects <prefix><stream>-<version>-yyyy-MM-dd-HH-mm-ss-<uuid><extension>', () => {
    expect(objectKey({ prefix: 'p/', deliveryStreamName: 'meter-firehose', deliveryStreamVersion: 1, timestamp: T, uuid: 'u-1', fileExtension: '.gz' })).toBe(
      'p/meter-firehose-1-2026-11-25-23-59-58-u-1.gz',
    );
  });

  it('writes error records one JSON object per line with the lambdaARN key, and reads both spellings', () => {
    const record = { attemptsMade: 1, arrivalTimestamp: T, errorCode: 'Lambda.ProcessingFailedStatus', errorMessage: 'm', attemptEndingTimestamp: T + 5, rawData: 'H4sI', lambdaArn: 'arn:fn' };
    const text = encodeErrorRecords([record, record]);
    expect(text).toBe(
      `{"attemptsMade":1,"arrivalTimestamp":${T},"errorCode":"Lambda.ProcessingFailedStatus","errorMessage":"m","attemptEndingTimestamp":${T + 5},"rawData":"H4sI","lambdaARN":"arn:fn"}\n`.repeat(2),
    );
    expect(parseErrorObject(text)).toEqual([record, record]);
    expect(parseErrorObject(text.replace(/lambdaARN/g, 'lambdaArn').replace('\n', ''))).toEqual([record, record]);
    expect(() => parseErrorObject('{"meterApiName":"x"}', 'obj')).toThrow('obj, record 1: no rawData field');
  });
});

describe('Firehose buffers', () => {
  const record = (arrival: number, size: number) => ({ arrival, size });

  it('closes a processor batch before the record that would overflow the size, or at the interval', () => {
    const pending = [record(0, 100), record(10, 100), record(20, 100), record(5_000, 10)];
    const first = takeProcessorBatch(pending, { sizeBytes: 250, intervalMs: 60_000 }, 0);
    expect(first.records).toHaveLength(2);
    expect(first.flushAt).toBe(20);
    const second = takeProcessorBatch(pending, { sizeBytes: 250, intervalMs: 60_000 }, first.flushAt);
    expect(second.records).toHaveLength(2);
    expect(second.flushAt).toBe(60_020);
    expect(pending).toHaveLength(0);
  });

  it('flushes destination objects on size, on interval, and drains the rest at its deadline', () => {
    const buffer = new DestinationBuffer<number>({ sizeBytes: 10, intervalMs: 300_000 });
    const chunk = (at: number, bytes: number) => ({ at, arrival: at - 1, data: Buffer.alloc(bytes), meta: bytes });
    expect(buffer.add(chunk(1_000, 4))).toEqual([]);
    const [bySize] = buffer.add(chunk(2_000, 6));
    expect(bySize).toMatchObject({ deliveredAt: 2_000, oldestArrival: 999, bytes: 10 });
    expect(buffer.add(chunk(3_000, 1))).toEqual([]);
    const [byInterval] = buffer.add(chunk(400_000, 1));
    expect(byInterval).toMatchObject({ deliveredAt: 303_000, bytes: 1 });
    expect(buffer.drain()).toMatchObject([{ deliveredAt: 700_000, oldestArrival: 399_999 }]);
  });
});

describe('Lambda response contract', () => {
  const ok = (recordId: string) => ({ recordId, result: 'Ok', data: Buffer.from('{"a":1}\n').toString('base64') });

  it('gives each input record its outcome and fails missing and duplicated recordIds', () => {
    const checked = checkTransformationResponse(['a', 'b', 'c', 'd'], JSON.stringify({ records: [ok('a'), ok('b'), ok('b'), { recordId: 'd', result: 'Dropped' }, ok('zz')] }));
    if (checked.kind !== 'checked') throw new Error('expected a checked response');
    expect(checked.outcomes.get('a')).toEqual({ result: 'Ok', data: Buffer.from('{"a":1}\n') });
    expect(checked.outcomes.get('b')).toMatchObject({ result: 'Failed', errorCode: ERROR_CODES.duplicatedRecordId });
    expect(checked.outcomes.get('c')).toMatchObject({ result: 'Failed', errorCode: ERROR_CODES.missingRecordId });
    expect(checked.outcomes.get('d')).toEqual({ result: 'Dropped' });
  });

  it('fails the invocation on a bad status, unparseable JSON, or a response over 6 MiB', () => {
    expect(checkTransformationResponse(['a'], JSON.stringify({ records: [{ recordId: 'a', result: 'OK' }] }))).toMatchObject({ errorCode: ERROR_CODES.functionError });
    expect(checkTransformationResponse(['a'], 'not json')).toMatchObject({ errorCode: ERROR_CODES.jsonProcessing });
    const data = 'A'.repeat(MAX_LAMBDA_RESPONSE_BYTES);
    expect(checkTransformationResponse(['a'], JSON.stringify({ records: [{ recordId: 'a', result: 'Ok', data }] }))).toMatchObject({
      kind: 'invocation-failed',
      errorMessage: expect.stringContaining('exceeded maximum allowed payload size (6291456 bytes)'),
    });
  });
});

describe('inputs', () => {
  it('applies term, phrase, OR and exclusion filter patterns, and refuses JSON patterns', () => {
    expect(compileFilterPattern('"meter_record_for_stream"')('x meter_record_for_stream {}')).toBe(true);
    expect(compileFilterPattern('meter_record_for_stream')('START RequestId')).toBe(false);
    expect(compileFilterPattern('?ERROR ?WARN -health')('WARN disk')).toBe(true);
    expect(compileFilterPattern('?ERROR ?WARN -health')('WARN health')).toBe(false);
    expect(compileFilterPattern('')('anything')).toBe(true);
    expect(() => compileFilterPattern('{ $.level = "INFO" }')).toThrow('term patterns');
    expect(() => compileFilterPattern('"meter_record_for_stream')).toThrow(`the quoted phrase "meter_record_for_stream is never closed`);
    expect(() => compileFilterPattern('ERROR -"health check')).toThrow(`the quoted phrase -"health is never closed`);
    expect(compileFilterPattern('"say \\"hi\\""')('they say "hi"')).toBe(true);
  });

  it('reads filter-log-events JSON and plain lines, joining indented continuation lines', () => {
    const fle = parseLogInput(JSON.stringify({ events: [{ logStreamName: 's1', timestamp: T, message: 'm', eventId: '42' }] }), { logGroup: 'g', logStream: 'x', defaultTimestamp: 0 });
    expect(fle).toEqual({ format: 'filter-log-events', events: [{ id: '42', timestamp: T, message: 'm', logGroup: 'g', logStream: 's1' }] });
    const lines = parseLogInput('START RequestId: r\n2026-11-25T09:00:00.000Z\tr\tINFO\tmeter_record_for_stream {\n  "a": 1\n}\nEND RequestId: r\n', {
      logGroup: 'g',
      logStream: 's',
      defaultTimestamp: 5,
    });
    expect(lines.format).toBe('lines');
    expect(lines.events.map((event) => [event.timestamp, event.message])).toEqual([
      [5, 'START RequestId: r'],
      [Date.UTC(2026, 10, 25, 9), '2026-11-25T09:00:00.000Z\tr\tINFO\tmeter_record_for_stream {\n  "a": 1\n}'],
      [Date.UTC(2026, 10, 25, 9), 'END RequestId: r'],
    ]);
    expect(lines.events[1]?.id).toMatch(/^\d{56}$/);
  });

});

describe('failed records and replay planning', () => {
  const source = { owner: '123456789012', logGroup: '/aws/lambda/api', logStream: 'stream-1', subscriptionFilters: ['meter-records'] };
  const events = [
    { id: '1', timestamp: T, message: 'meter_record_for_stream {"meterValue":"abc"}' },
    { id: '2', timestamp: T + 1, message: 'meter_record_for_stream {"ok":1}' },
  ];
  const failedWhole = {
    record: { attemptsMade: 4, arrivalTimestamp: T, errorCode: 'Lambda.FunctionError', errorMessage: 'boom', attemptEndingTimestamp: T, rawData: gzipPayload(subscriptionPayload(events, source)).toString('base64'), lambdaArn: 'fn' },
    objectKey: 'errors/a',
    recordIndex: 0,
  };
  const rejects = {
    record: {
      ...failedWhole.record,
      errorCode: 'Lambda.ProcessingFailedStatus',
      rawData: gzipSync(JSON.stringify({ messageType: 'METER_REJECTS', version: 1, ...source, rejects: [{ reason: 'INVALID_METER_VALUE', detail: 'd', logEvent: events[0] }] })).toString('base64'),
    },
    objectKey: 'errors/b',
    recordIndex: 0,
  };

  it('decodes CloudWatch payloads, rejects payloads and undecodable raw data into failed events', () => {
    expect(failedEventsOf(failedWhole).map((event) => [event.reason, event.logEvent?.id])).toEqual([
      ['Lambda.FunctionError', '1'],
      ['Lambda.FunctionError', '2'],
    ]);
    expect(failedEventsOf(rejects)).toMatchObject([{ reason: 'INVALID_METER_VALUE', detail: 'd', source, logEvent: events[0] }]);
    expect(failedEventsOf({ ...rejects, record: { ...rejects.record, rawData: 'bm90IGd6aXA=' } })).toMatchObject([{ reason: 'NOT_GZIP_OR_JSON', origin: 'undecodable' }]);
  });

  it('reads version 2 rejects payloads, which carry each log event once and name it by position', () => {
    const payload = {
      messageType: 'METER_REJECTS',
      version: 2,
      ...source,
      logEvents: events,
      rejects: [
        { reason: 'INVALID_METER_VALUE', detail: 'd', index: 0, event: 0 },
        { reason: 'UNKNOWN_FIELD', detail: 'u', index: 1, event: 0 },
        { reason: 'UNKNOWN_FIELD', detail: 'u', event: 1 },
      ],
    };
    const v2 = { ...rejects, record: { ...rejects.record, rawData: gzipSync(JSON.stringify(payload)).toString('base64') } };
    expect(failedEventsOf(v2).map((event) => [event.reason, event.index, event.logEvent])).toEqual([
      ['INVALID_METER_VALUE', 0, events[0]],
      ['UNKNOWN_FIELD', 1, events[0]],
      ['UNKNOWN_FIELD', undefined, events[1]],
    ]);
  });

  it('replays the same event id of two accounts once each, every rebuilt payload keeping its account', () => {
    // Rejects of every format version carry the owner in their envelope; replay rebuilds DATA_MESSAGEs with it.
    const senderSource = { ...source, owner: '111111111111' };
    const rejectsOf = (owner: typeof source) => ({
      ...rejects,
      record: {
        ...rejects.record,
        rawData: gzipSync(JSON.stringify({ messageType: 'METER_REJECTS', version: 3, ...owner, logEvents: [events[0]], details: ['d'], rejects: [{ reason: 'INVALID_METER_VALUE', detail: 0, event: 0 }] })).toString('base64'),
      },
    });
    const plan = planReplay([rejectsOf(source), rejectsOf(senderSource)], {});
    expect(plan.duplicateEvents).toBe(0);
    const owners = plan.payloads.map((payload) => (JSON.parse(gunzipSync(payload.data).toString('utf8')) as { owner: string; logEvents: { id: string }[] }));
    expect(owners.map((payload) => [payload.owner, payload.logEvents.map((event) => event.id)])).toEqual([
      ['123456789012', ['1']],
      ['111111111111', ['1']],
    ]);
  });

  it('re-sends a whole failed payload unchanged and each log event once', () => {
    const plan = planReplay([rejects, failedWhole], {});
    expect(plan.payloads).toHaveLength(1);
    expect(plan.payloads[0]).toMatchObject({ kind: 'original', partitionKey: expect.any(String) });
    expect(plan.payloads[0]?.data.toString('base64')).toBe(failedWhole.record.rawData);
    expect(plan.duplicateEvents).toBe(1);
  });

  it('rebuilds payloads with the same source and event ids when a filter takes part of them', () => {
    const plan = planReplay([failedWhole], { since: T + 1 });
    expect(plan.payloads).toHaveLength(1);
    const payload = plan.payloads[0];
    expect(payload?.kind).toBe('rebuilt');
    expect(failedEventsOf({ ...failedWhole, record: { ...failedWhole.record, rawData: payload?.data.toString('base64') ?? '' } })).toMatchObject([
      { source, logEvent: events[1] },
    ]);
    expect(planReplay([rejects], { reasons: ['INVALID_JSON'] }).payloads).toEqual([]);
  });
});

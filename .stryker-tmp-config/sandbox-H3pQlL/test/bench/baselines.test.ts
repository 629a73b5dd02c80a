// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { firehoseEvent, gzipPayload, subscriptionPayload } from '../../tools/lib/cloudwatch/payloads.ts';
import { floorRead } from '../../bench/lib/floor.ts';
import { naiveExtract } from '../../bench/lib/naive.ts';
import { meterRecordsIn } from '../../bench/lib/output.ts';
import { invocationOfEvents, singleBatchInvocation } from '../../bench/lib/workload.ts';

describe('floor', () => {
  it('reads every log event of every record', () => {
    const invocation = invocationOfEvents(2_500);
    expect(invocation.event.records).toHaveLength(2);
    expect(floorRead(invocation.event)).toBe(2_500);
  });
});

describe('naive extractor', () => {
  it('delivers one NDJSON line per meter record, from Lambda TEXT and JSON log lines alike', () => {
    const invocation = singleBatchInvocation(40);
    const result = naiveExtract(invocation.event);
    expect(meterRecordsIn(result)).toBe(40);
    const [record] = result.records;
    const lines = Buffer.from(record?.data ?? '', 'base64').toString('utf8').split('\n');
    expect(lines.map((line) => Object.keys(JSON.parse(line) as object))).toEqual(
      Array.from({ length: 40 }, () => ['meterApiName', 'customerId', 'meterTimeInMillis', 'meterValue', 'dimensions']),
    );
  });

  it('skips log events without the prefix or without JSON after it, and drops records left empty', () => {
    const logEvents = ['START RequestId: 1', 'meter_record_for_stream not json', 'meter_record_for_stream {"a":'].map(
      (message, i) => ({ id: String(i), timestamp: 0, message }),
    );
    const result = naiveExtract(firehoseEvent([gzipPayload(subscriptionPayload(logEvents))]));
    expect(result.records.map((record) => record.result)).toEqual(['Dropped']);
  });
});

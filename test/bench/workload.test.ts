import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CloudWatchLogsPayload } from '../../transform/types.ts';
import {
  BATCH_EVENTS,
  PROCESSOR_BUFFER_BYTES,
  invocationOfEvents,
  summarize,
  throughputWorkload,
} from '../../bench/lib/workload.ts';

const payloadOf = (data: string): CloudWatchLogsPayload =>
  JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as CloudWatchLogsPayload;

describe('throughput workload', () => {
  const invocations = throughputWorkload(2);

  const payloads = invocations.flatMap((invocation) => invocation.event.records.map((record) => payloadOf(record.data)));

  it('fills each invocation with whole batches up to the processor buffer', () => {
    for (const invocation of invocations) {
      expect(invocation.gzippedBytes).toBeLessThanOrEqual(PROCESSOR_BUFFER_BYTES);
      expect(invocation.gzippedBytes).toBeGreaterThan(PROCESSOR_BUFFER_BYTES / 2);
    }
    expect(payloads.map((payload) => payload.logEvents.length)).toEqual(
      payloads.map((_, i) => BATCH_EVENTS[i % BATCH_EVENTS.length]),
    );
  });

  it('alternates Lambda TEXT and Lambda JSON batches, each from its own log stream', () => {
    const textBatches = payloads.map((payload) => !payload.logEvents[0]?.message.startsWith('{'));
    expect(textBatches).toEqual(payloads.map((_, i) => i % 2 === 0));
    expect(new Set(payloads.map((payload) => payload.logStream)).size).toBe(payloads.length);
  });

  it('summarizes what it holds', () => {
    const summary = summarize(invocations);
    expect(summary.invocations).toBe(2);
    expect(summary.meterRecords).toBe(invocations[0]!.events + invocations[1]!.events);
    expect(summary.decompressedBytes).toBeGreaterThan(10 * summary.gzippedBytes);
  });
});

describe('invocationOfEvents', () => {
  it('holds exactly the events asked for, the last batch cut short', () => {
    const invocation = invocationOfEvents(2_345);
    expect(invocation.events).toBe(2_345);
    expect(invocation.event.records.map((record) => payloadOf(record.data).logEvents.length)).toEqual([2_000, 345]);
  });
});

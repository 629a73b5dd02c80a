import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CloudWatchLogsPayload } from '../../transform/types.ts';
import { transformBatch } from '../../transform/batch.ts';
import { DEFAULT_CONFIG } from '../../transform/config.ts';
import { recordingTarget } from '../support/recording-target.ts';
import {
  BATCH_SHAPES,
  PROCESSOR_BUFFER_BYTES,
  THROUGHPUT_FORMS,
  invocationOfEvents,
  shapedWorkload,
  summarize,
} from '../../bench/lib/workload.ts';

const payloadOf = (data: string): CloudWatchLogsPayload =>
  JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as CloudWatchLogsPayload;

describe('shaped workload', () => {
  const invocations = shapedWorkload('small', 'python-text', 2);
  const payloads = invocations.flatMap((invocation) => invocation.event.records.map((record) => payloadOf(record.data)));

  it('fills each invocation with whole batches up to the processor buffer', () => {
    for (const invocation of invocations) {
      expect(invocation.gzippedBytes).toBeLessThanOrEqual(PROCESSOR_BUFFER_BYTES);
      expect(invocation.gzippedBytes).toBeGreaterThan(PROCESSOR_BUFFER_BYTES * 0.9);
    }
  });

  it('draws every batch size from the shape, and varies it', () => {
    const sizes = payloads.map((payload) => payload.logEvents.length);
    const { minEvents, maxEvents } = BATCH_SHAPES.small;
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(minEvents);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(maxEvents);
    expect(new Set(sizes).size).toBeGreaterThan(sizes.length / 4);
  });

  it('logs every event in the one form, each batch from its own log stream', () => {
    const messages = payloads.flatMap((payload) => payload.logEvents.map((event) => event.message));
    expect(messages.every((message) => message.startsWith('[INFO]\t'))).toBe(true);
    expect(new Set(payloads.map((payload) => payload.logStream)).size).toBe(payloads.length);
  });

  it('generates the same log lines on every run', () => {
    const messagesOf = (of: typeof invocations): string[] =>
      of.flatMap((invocation) => invocation.event.records.flatMap((record) => payloadOf(record.data).logEvents.map((event) => event.message)));
    expect(messagesOf(shapedWorkload('small', 'python-text', 2))).toEqual(messagesOf(invocations));
  });

  it('summarizes what it holds', () => {
    const summary = summarize('small', 'python-text', invocations);
    expect(summary).toMatchObject({ shape: 'small', form: 'python-text', invocations: 2, ...BATCH_SHAPES.small });
    expect(summary.kinesisRecords).toBe(payloads.length);
    expect(summary.meterRecords).toBe(payloads.reduce((total, payload) => total + payload.logEvents.length, 0));
    expect(summary.decompressedBytes).toBeGreaterThan(10 * summary.gzippedBytes);
  });

  it('covers the fast forms: Node.js and Python TEXT, Lambda JSON, a record field', () => {
    expect(THROUGHPUT_FORMS).toEqual(['node-text', 'python-text', 'lambda-json', 'powertools']);
  });
});

describe('every shaped workload', () => {
  it.each(THROUGHPUT_FORMS)('is delivered whole by the transform, its meter times inside the window (%s, small batches)', async (form) => {
    const invocations = shapedWorkload('small', form, 2);
    let delivered = 0;
    for (const { event } of invocations) {
      const { result } = await transformBatch(event, DEFAULT_CONFIG, {
        reingestTarget: async () => recordingTarget().target,
        sleep: async () => {},
      });
      for (const record of result.records) {
        if (record.result === 'Ok') delivered += Buffer.from(record.data ?? '', 'base64').toString('utf8').split('\n').filter(Boolean).length;
      }
    }
    expect(delivered).toBe(summarize('small', form, invocations).meterRecords);
  });
});

describe('invocationOfEvents', () => {
  it('holds exactly the events asked for, the last batch cut short', () => {
    const invocation = invocationOfEvents(2_345);
    expect(invocation.events).toBe(2_345);
    expect(invocation.event.records.map((record) => payloadOf(record.data).logEvents.length)).toEqual([2_000, 345]);
  });
});

import { existsSync, statSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, largestSplitTarget, loadConfig } from '../../transform/config.ts';
import { createHandler } from '../../transform/handler.ts';
import { METRICS } from '../../transform/metrics.ts';
import { firehoseEvent, formatLogLine, gzipPayload, meterLogEvents, subscriptionPayload } from '../../tools/lib/cloudwatch/payloads.ts';

const BUNDLE = new URL('../../dist/transform/index.mjs', import.meta.url);

function mixedEvent() {
  const bad = { id: 'bad-1', timestamp: 1663094105062, message: formatLogLine('node-text', { meterApiName: 'a', customerId: 'c', meterValue: 'abc' }, { prefix: DEFAULT_CONFIG.prefix, timestamp: 1 }) };
  return firehoseEvent([gzipPayload(subscriptionPayload([...meterLogEvents(20), bad])), Buffer.from('garbage')]);
}

const acceptAll = {
  reingestTarget: async () => ({ description: 'accept', maxBatchRecords: 500, maxBatchBytes: 5_000_000, send: async (e: readonly unknown[]) => e.map(() => undefined) }),
};

describe('handler', () => {
  it('logs one summary that is an EMF document whose counts reconcile, and one EMF line per rejection reason', async () => {
    const lines: string[] = [];
    const handler = createHandler({ ...DEFAULT_CONFIG, pipelineName: 'billing-prod' }, acceptAll, (line) => lines.push(line));
    const event = mixedEvent();
    await handler(event);
    expect(lines).toHaveLength(2);
    const summary = JSON.parse(lines[0] as string);
    expect(summary._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: 'MeterFirehose',
      Dimensions: [['Pipeline']],
      Metrics: METRICS.map(([Name, , Unit]) => ({ Name, Unit })),
    });
    expect(summary).toMatchObject({
      Pipeline: 'billing-prod',
      invocationId: event.invocationId,
      RecordsIn: 2,
      RecordsOk: 1,
      RecordsFailed: 1,
      MeterRecordsOut: 20,
      RejectedMeterRecords: 1,
      rejectedByReason: { INVALID_METER_VALUE: 1 },
      failedByReason: { NOT_GZIP_OR_JSON: 1 },
    });
    expect(summary.RecordsIn).toBe(summary.RecordsOk + summary.RecordsDropped + summary.RecordsFailed + summary.RecordsReingested);
    expect(JSON.parse(lines[1] as string)).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Dimensions: [['Pipeline', 'Reason']], Metrics: [{ Name: 'RejectedMeterRecords', Unit: 'Count' }] }] },
      Reason: 'INVALID_METER_VALUE',
      RejectedMeterRecords: 1,
    });
  });

  it('never writes the record prefix to its own log, so its log group cannot feed the pipeline', async () => {
    const lines: string[] = [];
    await createHandler(DEFAULT_CONFIG, acceptAll, (line) => lines.push(line))(mixedEvent());
    expect(lines.join('\n')).not.toContain(DEFAULT_CONFIG.prefix);
  });
});

describe('loadConfig', () => {
  it('uses the defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual(DEFAULT_CONFIG);
  });

  it('reads every setting from the environment', () => {
    expect(
      loadConfig({
        METER_RECORD_PREFIX: 'usage_record',
        MAX_DECOMPRESSED_BYTES: '1048576',
        RESPONSE_BUDGET_BYTES: '5000000',
        SPLIT_TARGET_BYTES: '500000',
        UNKNOWN_FIELDS: 'drop',
        REINGEST_MAX_ATTEMPTS: '3',
        REINGEST_BASE_DELAY_MS: '50',
        MAX_REINGEST_GENERATIONS: '4',
        DEADLINE_MARGIN_MS: '5000',
        MAX_METER_AGE_DAYS: '0',
        MAX_FUTURE_SKEW_SECONDS: '60',
        METRICS_NAMESPACE: 'Billing',
        PIPELINE_NAME: 'prod',
        HOME_ACCOUNT_ID: '999999999999',
      }),
    ).toEqual({
      prefix: 'usage_record',
      maxDecompressedBytes: 1048576,
      responseBudgetBytes: 5000000,
      splitTargetBytes: 500000,
      unknownFields: 'drop',
      reingestMaxAttempts: 3,
      reingestBaseDelayMs: 50,
      maxReingestGenerations: 4,
      deadlineMarginMs: 5000,
      maxMeterAgeDays: 0,
      maxFutureSkewSeconds: 60,
      metricsNamespace: 'Billing',
      pipelineName: 'prod',
      homeAccountId: '999999999999',
    });
  });

  it.each([
    [{ RESPONSE_BUDGET_BYTES: '7000000' }, 'RESPONSE_BUDGET_BYTES must be an integer from 1024 to 6291456, got "7000000"'],
    [{ REINGEST_MAX_ATTEMPTS: 'many' }, 'REINGEST_MAX_ATTEMPTS must be an integer from 1 to 20, got "many"'],
    [{ UNKNOWN_FIELDS: 'keep' }, 'UNKNOWN_FIELDS must be "reject" or "drop", got "keep"'],
    [{ METER_RECORD_PREFIX: 'meter record' }, 'METER_RECORD_PREFIX must be one token'],
    [{ PIPELINE_NAME: 'x-meter_record_for_stream' }, 'PIPELINE_NAME must not contain the record prefix'],
    [{ HOME_ACCOUNT_ID: '12345' }, 'HOME_ACCOUNT_ID must be a 12-digit AWS account id (or unset), got "12345"'],
    [{ RESPONSE_BUDGET_BYTES: '100000' }, 'SPLIT_TARGET_BYTES (1000000) is too large for RESPONSE_BUDGET_BYTES (100000)'],
    [{ RESPONSE_BUDGET_BYTES: '100000', SPLIT_TARGET_BYTES: '74770' }, 'set SPLIT_TARGET_BYTES to at most 74766 or raise RESPONSE_BUDGET_BYTES'],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('largestSplitTarget', () => {
  it('is the largest SPLIT_TARGET_BYTES a budget accepts', () => {
    const largest = largestSplitTarget(100_000);
    expect(loadConfig({ RESPONSE_BUDGET_BYTES: '100000', SPLIT_TARGET_BYTES: String(largest) }).splitTargetBytes).toBe(largest);
    expect(() => loadConfig({ RESPONSE_BUDGET_BYTES: '100000', SPLIT_TARGET_BYTES: String(largest + 1) })).toThrow(ConfigError);
  });
});

describe('the bundle', () => {
  it('is built, loads, and transforms a batch with the default configuration', async () => {
    expect(existsSync(BUNDLE), 'run `npm run build` first: dist/transform/index.mjs is missing').toBe(true);
    const { handler } = (await import(BUNDLE.href)) as { handler: ReturnType<typeof createHandler> };
    const event = firehoseEvent([gzipPayload(subscriptionPayload(meterLogEvents(10)))]);
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const result = await handler(event);
      expect(result.records.map((r) => r.result)).toEqual(['Ok']);
      expect(Buffer.from(result.records[0]?.data ?? '', 'base64').toString().split('\n')).toHaveLength(11);
    } finally {
      write.mockRestore();
    }
    // The summary goes to stdout as a bare JSON line, so CloudWatch can extract its metrics.
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^\{"level":"INFO".*\}\n$/);
    expect(JSON.parse(written[0] as string)).toMatchObject({ RecordsIn: 1, MeterRecordsOut: 10 });
  });

  it('keeps the AWS SDK out of the hot path', () => {
    expect(statSync(BUNDLE).size).toBeLessThan(60 * 1024);
  });
});

/**
 * What one invocation of the reconciling function reconciles: a generated window of arrival time
 * (`--records-per-second`, default 1000, for `--hours`, default 1) written like the buckets (bench/lib/
 * reconcile-fixture.ts), then the function's handler reconciles the window in a fresh process, with the transform
 * in-process as deployed, and reports its time and peak RSS. The ceiling of a window is what fits the function's
 * timeout and memory (infra/pipeline/reconcile.ts). Prints figures; writes nothing tracked.
 *
 *   npm run build && node dist/bench/reconcile-function.mjs [--records-per-second 1000] [--hours 1] [--dir .local/bench/reconcile-function]
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createReconcileHandler } from '../reconcile-function/handler.ts';
import { InProcessTransform } from '../reconcile-function/in-process-transform.ts';
import type { WindowReport } from '../reconcile-function/report.ts';
import { DirectoryStore } from '../tools/lib/delivery/object-store.ts';
import { writeReconcileFixture } from './lib/reconcile-fixture.ts';

const { values } = parseArgs({
  options: {
    'records-per-second': { type: 'string', default: '1000' },
    hours: { type: 'string', default: '1' },
    dir: { type: 'string', default: '.local/bench/reconcile-function' },
    child: { type: 'boolean', default: false },
  },
});
const rate = Number(values['records-per-second']);
const hours = Number(values.hours);
const directory = resolve(values.dir as string);
const START = Date.UTC(2026, 10, 25);

if (values.child) {
  const store = new DirectoryStore(directory);
  const handler = createReconcileHandler(() => ({
    config: {
      pipelineName: 'bench',
      pipelineAccount: '123456789012',
      metricsNamespace: 'MeterFirehose',
      delivery: 'direct',
      pipelineBucket: 'bench',
      backupPrefix: 'source-backup/',
      reportPrefix: 'reconcile/',
      amberfloBucket: 'bench',
      amberfloRegion: 'us-east-1',
      dataPrefix: 'ingest/records/',
      errorPrefix: 'errors/',
      windowMs: hours * 3_600_000,
      settleMs: 1_500_000,
      objectSpanMs: 480_000,
      forwardedCount: true,
      transformEnvironment: {},
    },
    pipelineStore: store,
    amberfloStore: store,
    transformer: new InProcessTransform({}, 'us-east-1'),
    // The independent count reads a few CloudWatch series; the bench measures the reconcile itself.
    forwardedCounts: { read: async () => new Map() },
    invokeWindow: async () => {},
    now: () => START + hours * 3_600_000 + 1_800_000,
    log: () => {},
  }));
  const started = Date.now();
  const report = (await handler({ window: new Date(START).toISOString() }, { getRemainingTimeInMillis: () => 3_600_000 })) as WindowReport;
  process.stdout.write(JSON.stringify({ status: report.status, reason: report.reason, total: report.total, seconds: (Date.now() - started) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
} else {
  const records = await writeReconcileFixture(directory, { rate, start: START, hours });
  const output = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', '--hours', String(hours), '--dir', directory], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const result = JSON.parse(output) as { status: string; reason?: string; total?: { expected: number; delivered: number; missing: number }; seconds: number; maxRssMiB: number };
  const expected = result.total?.expected ?? 0;
  process.stdout.write(
    `${JSON.stringify(
      {
        recordsPerSecond: rate,
        hours,
        records,
        window: { status: result.status, ...(result.reason === undefined ? {} : { reason: result.reason }), expected, delivered: result.total?.delivered, missing: result.total?.missing },
        seconds: result.seconds,
        recordsReconciledPerSecond: Math.round(expected / result.seconds),
        peakRssMiB: Math.round(result.maxRssMiB * 10) / 10,
      },
      null,
      2,
    )}\n`,
  );
}

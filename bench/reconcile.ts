/**
 * Peak RSS and throughput of `reconcile` over a generated day: `--records-per-second` (default 50) for `--hours`
 * (default 24) of meter log events, written as a local directory laid out like the buckets: the source backup
 * (gzipped CloudWatch payloads of 25 events, objects of 300 s as Firehose buffers them) and the data objects the
 * transform would deliver for them (the same NDJSON lines, uniqueIds derived from the event ids). Then the built
 * CLI reconciles the day in a fresh process, which reports its peak RSS (process.resourceUsage().maxRSS, the
 * transform's worker thread included) and how long it took. Prints figures; writes nothing tracked.
 *
 *   npm run build && node dist/bench/reconcile.mjs [--records-per-second 50] [--hours 24] [--dir .local/bench/reconcile]
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeReconcileFixture } from './lib/reconcile-fixture.ts';

const { values } = parseArgs({
  options: {
    'records-per-second': { type: 'string', default: '50' },
    hours: { type: 'string', default: '24' },
    dir: { type: 'string', default: '.local/bench/reconcile' },
  },
});
const rate = Number(values['records-per-second']);
const hours = Number(values.hours);
const directory = resolve(values.dir as string);
const DAY = Date.UTC(2026, 10, 25);
const started = Date.now();
const records = await writeReconcileFixture(directory, { rate, start: DAY, hours });
const generatedSeconds = (Date.now() - started) / 1000;

const cli = resolve('dist/tools/cli.mjs');
const args = ['reconcile', directory, '--since', new Date(DAY).toISOString(), '--until', new Date(DAY + hours * 3_600_000).toISOString(), '--json'];
const child = `
const { main } = await import(${JSON.stringify(new URL(`file://${cli}`).href)});
let out = '';
const started = Date.now();
const code = await main(${JSON.stringify(args)}, { stdout: (text) => (out += text), stderr: (text) => process.stderr.write(text) });
const report = JSON.parse(out);
process.stdout.write(JSON.stringify({ code, seconds: (Date.now() - started) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024, total: report.total }));
`;
// A file, not `--input-type=module -e`: that flag would pass on to the transform's worker thread.
const childPath = resolve(directory, 'reconcile-child.mjs');
writeFileSync(childPath, child);
const result = JSON.parse(execFileSync(process.execPath, [childPath], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] })) as {
  code: number;
  seconds: number;
  maxRssMiB: number;
  total: { expected: number; delivered: number; missing: number };
};
process.stdout.write(
  `${JSON.stringify(
    {
      recordsPerSecond: rate,
      hours,
      records,
      generatedSeconds,
      reconcile: {
        exit: result.code,
        expected: result.total.expected,
        delivered: result.total.delivered,
        missing: result.total.missing,
        seconds: result.seconds,
        recordsPerSecond: Math.round(result.total.expected / result.seconds),
        peakRssMiB: Math.round(result.maxRssMiB * 10) / 10,
      },
    },
    null,
    2,
  )}\n`,
);

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
import { rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { encodeMeterRecord } from '../transform/encode.ts';
import { formatLogLine, logEventId, seededRandom, subscriptionPayload } from '../tools/lib/cloudwatch/payloads.ts';
import { objectKey } from '../tools/lib/delivery/object-layout.ts';
import { DirectoryStore } from '../tools/lib/delivery/object-store.ts';
import type { LogEvent } from '../transform/types.ts';

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
const EVENTS_PER_PAYLOAD = 25;
const OBJECT_SECONDS = 300;
const DAY = Date.UTC(2026, 10, 25);
const METERS = ['api-calls', 'storage-gb-hours', 'compute-seconds', 'emails-sent', 'tokens'] as const;

rmSync(directory, { recursive: true, force: true });
const store = new DirectoryStore(directory);
const random = seededRandom(7);
const started = Date.now();
let records = 0;
let sequence = 0;
let uuid = 0;
const name = (): string => `00000000-0000-4000-8000-${String(uuid++).padStart(12, '0')}`;
for (let objectStart = DAY; objectStart < DAY + hours * 3_600_000; objectStart += OBJECT_SECONDS * 1000) {
  const backup: Buffer[] = [];
  const lines: string[] = [];
  const count = Math.round(rate * OBJECT_SECONDS);
  for (let first = 0; first < count; first += EVENTS_PER_PAYLOAD) {
    const events: LogEvent[] = [];
    for (let i = first; i < Math.min(count, first + EVENTS_PER_PAYLOAD); i++) {
      const timestamp = objectStart + Math.floor((i * 1000) / rate);
      const record = {
        meterApiName: METERS[Math.floor(random() * METERS.length)] as string,
        customerId: `cust-${String(Math.floor(random() * 5000)).padStart(6, '0')}`,
        meterTimeInMillis: timestamp - Math.floor(random() * 50),
        meterValue: random() < 0.7 ? 1 : Math.round(random() * 10_000) / 100,
      };
      const id = logEventId(timestamp, ++sequence);
      events.push({ id, timestamp, message: formatLogLine('node-text', record, { prefix: 'meter_record_for_stream', timestamp }) });
      lines.push(encodeMeterRecord({ ...record, uniqueId: id }));
    }
    backup.push(gzipSync(JSON.stringify(subscriptionPayload(events))));
  }
  records += lines.length;
  const keyOf = (prefix: string, extension: string): string =>
    objectKey({ prefix, deliveryStreamName: 'meter-firehose', deliveryStreamVersion: 1, timestamp: objectStart, uuid: name(), fileExtension: extension });
  const day = new Date(objectStart).toISOString().slice(0, 10);
  await store.put(keyOf(`source-backup/${day}/`, ''), Buffer.concat(backup));
  await store.put(keyOf(`ingest/records/${day}/`, '.gz'), gzipSync(lines.join('')));
}
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

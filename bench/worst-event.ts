/**
 * `node dist/bench/worst-event.mjs`: time and peak RSS of the built transform on the worst legal log event
 * (bench/lib/worst-event.ts), each shape in a fresh process, re-ingesting its rejects into a local Kinesis API
 * (kinesalite on loopback); `npm run bench` measures the same. Prints the figures as JSON; exits 1 when a target
 * is missed.
 */
import { TARGETS } from './lib/targets.ts';
import { MIB } from './lib/units.ts';
import { measureWorstEvents } from './lib/worst-event-bench.ts';

const figures = (await measureWorstEvents()).map((run) => ({
  ...run,
  handlerMs: Math.round(run.handlerMs),
  baselineRssMiB: Math.round((run.baselineRssBytes / MIB) * 10) / 10,
  peakRssMiB: Math.round((run.peakRssBytes / MIB) * 10) / 10,
  verdict: run.error === undefined && run.peakRssBytes <= TARGETS.maxPeakRssBytes && run.handlerMs <= TARGETS.maxWorstEventMs ? 'PASS' : 'MISS',
}));
console.log(JSON.stringify({ targets: { peakRssMiB: TARGETS.maxPeakRssBytes / MIB, handlerMs: TARGETS.maxWorstEventMs }, figures }, null, 2));
process.exitCode = figures.every((figure) => figure.verdict === 'PASS') ? 0 : 1;

/** Throughput of the transform, the floor and the naive extractor on the throughput workload. */
import { reportResult } from './lib/child.ts';
import { contenders, measureThroughput } from './lib/throughput.ts';
import { loadTransform } from './lib/transform-bundle.ts';
import { throughputWorkload } from './lib/workload.ts';

const INVOCATIONS = 8;

const transform = await loadTransform();
await reportResult(
  await measureThroughput(contenders(transform), throughputWorkload(INVOCATIONS), { warmupRounds: 2, rounds: 9 }),
);

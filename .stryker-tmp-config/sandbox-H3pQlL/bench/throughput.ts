/**
 * Throughput of the transform, the floor, the pass-through and the naive extractor on batches of one shape
 * (the argument: small, medium or large), one table cell per log form. Every form's invocations are run by
 * every contender before any is timed, so the code of all forms is warm, as in a Lambda that reads them all.
 */
// @ts-nocheck

import { reportResult } from './lib/child.ts';
import { contenders, measureThroughput, warmUp, type ThroughputCell } from './lib/throughput.ts';
import { loadTransform } from './lib/transform-bundle.ts';
import { BATCH_SHAPES, shapedWorkload, summarize, THROUGHPUT_FORMS, type BatchShape } from './lib/workload.ts';

const INVOCATIONS = 2;
const ROUNDS = { warmupRounds: 2, rounds: 9 };

const [shape] = process.argv.slice(2);
if (shape === undefined || !Object.hasOwn(BATCH_SHAPES, shape)) {
  throw new Error(`usage: throughput.mjs <${Object.keys(BATCH_SHAPES).join('|')}>`);
}
const candidates = contenders(await loadTransform());
const workloads = THROUGHPUT_FORMS.map((form) => ({ form, invocations: shapedWorkload(shape as BatchShape, form, INVOCATIONS) }));
for (const { invocations } of workloads) await warmUp(candidates, invocations);
const cells: ThroughputCell[] = [];
for (const { form, invocations } of workloads) {
  cells.push(await measureThroughput(candidates, invocations, summarize(shape as BatchShape, form, invocations), ROUNDS));
}
await reportResult(cells);

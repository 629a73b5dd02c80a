/**
 * `npm run bench`: measures the built transform (dist/transform/) against the floor, the pass-through and a
 * naive extractor on every batch shape and log form, its bundle, cold start, memory, scaling and the worst legal
 * event; prints a
 * report and writes it to .local/bench/results.json (git-ignored). `npm run bench -- --record` writes
 * bench/results.json instead, with the commit measured, and rewrites the figures the READMEs quote from it.
 * It measures on the Lambda's Node.js (build/lambda-node.ts) unless `--node <binary>` names another, running
 * itself again on that binary, so every process it forks runs there too.
 */
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLambdaNode, probeNode, type NodeBinary } from '../build/lambda-node.ts';
import { analyzeBundle } from './lib/bundle.ts';
import { runEntry, TRANSFORM_ENV } from './lib/child.ts';
import { measureColdStart } from './lib/cold-start.ts';
import { FIGURE_FILES, renderFigures } from './lib/figures.ts';
import { currentLoadAverage, describeMachine } from './lib/machine.ts';
import { writeInvocation, type BudgetInvocation, type PeakMemory } from './lib/memory.ts';
import { formatReport } from './lib/report.ts';
import { scalePoint, targetFigures, type BenchResults, type Measurements, type ScalePoint } from './lib/results.ts';
import { currentRevision } from './lib/revision.ts';
import type { ScaleTiming } from './lib/scale.ts';
import { evaluateTargets } from './lib/targets.ts';
import type { ThroughputCell } from './lib/throughput.ts';
import { measureWorstEvents } from './lib/worst-event-bench.ts';
import { TRANSFORM_BUNDLE, TRANSFORM_DIR } from './lib/transform-bundle.ts';
import { SCALE_BATCH_EVENTS, SHAPE_NAMES, shapedWorkload, singleBatchInvocation } from './lib/workload.ts';

const COLD_START_RUNS = 15;
// Resolved against the bundled benchmark, dist/bench/bench.mjs.
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RECORDED_FILE = join(PROJECT_ROOT, 'bench/results.json');
const LOCAL_FILE = join(PROJECT_ROOT, '.local/bench/results.json');

const progress = (step: string): boolean => process.stderr.write(`bench: ${step}\n`);

/** Fractions beyond three decimals are noise; rounding keeps results.json readable and its diffs small. */
const roundFractions = (_key: string, value: unknown): unknown =>
  typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1000) / 1000 : value;

const USAGE = 'usage: npm run bench [-- [--record] [--node <binary>]]';

function parseArguments(args: readonly string[]): { readonly record: boolean; readonly node: string | undefined } {
  let record = false;
  let node: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === '--record') record = true;
    else if (arg === '--node' && args[index + 1] !== undefined) node = args[++index];
    else throw new Error(`unexpected argument ${arg}; ${USAGE}`);
  }
  return { record, node };
}

/** The binary named by `--node`, else the Lambda's Node.js, else (saying so) the one running now. */
function measuredNode(requested: string | undefined): NodeBinary {
  if (requested !== undefined) return probeNode(requested);
  try {
    return findLambdaNode(PROJECT_ROOT);
  } catch (error) {
    progress(`${(error as Error).message}`);
    progress(`measuring on the Node.js running the benchmark, ${process.version}, not the Lambda's`);
    return { path: realpathSync(process.execPath), version: process.version };
  }
}

async function measureScale(workDir: string): Promise<ScalePoint[]> {
  const timings = await runEntry<ScaleTiming[]>('scale');
  const points: ScalePoint[] = [];
  for (const [index, events] of SCALE_BATCH_EVENTS.entries()) {
    const file = join(workDir, `scale-${events}.json`);
    await writeInvocation(singleBatchInvocation(events), file);
    const memory = await runEntry<PeakMemory>('peak-memory', [file]);
    if (memory.meterRecords !== events) {
      throw new Error(`scale at ${events} events: ${memory.meterRecords} meter records delivered`);
    }
    const timing = timings[index];
    if (timing?.events !== events) throw new Error(`scale: no timing for ${events} events`);
    points.push(scalePoint(timing, memory));
  }
  return points;
}

async function measureBudgetMemory(workDir: string): Promise<Measurements['memory']> {
  const file = join(workDir, 'budget.json');
  const invocation = await runEntry<BudgetInvocation>('budget-invocation', [file]);
  const peak = await runEntry<PeakMemory>('peak-memory', [file]);
  if (peak.meterRecords !== invocation.events) {
    throw new Error(`budget invocation: ${peak.meterRecords} of ${invocation.events} meter records delivered`);
  }
  return { invocation, peak };
}

async function measureThroughput(): Promise<ThroughputCell[]> {
  const cells: ThroughputCell[] = [];
  for (const shape of SHAPE_NAMES) {
    progress(`throughput, ${shape} batches`);
    cells.push(...(await runEntry<ThroughputCell[]>('throughput', [shape])));
  }
  return cells;
}

async function measure(workDir: string): Promise<Measurements> {
  const machine = describeMachine();
  progress('bundle');
  const bundle = analyzeBundle(TRANSFORM_DIR);
  progress(`cold start (${COLD_START_RUNS} processes)`);
  const [firstInvocation] = shapedWorkload('small', 'node-text', 1);
  if (firstInvocation === undefined) throw new Error('no invocation for the cold start');
  const firstInvocationFile = join(workDir, 'first-invocation.json');
  const invocation = await writeInvocation(firstInvocation, firstInvocationFile);
  const coldStart = measureColdStart(TRANSFORM_BUNDLE, firstInvocationFile, invocation, COLD_START_RUNS, TRANSFORM_ENV);
  const throughput = await measureThroughput();
  progress('scale');
  const scale = await measureScale(workDir);
  progress('memory at the response budget');
  const memory = await measureBudgetMemory(workDir);
  progress('the worst legal event');
  const worstEvent = await measureWorstEvents();
  return { machine, throughput, bundle, coldStart, memory, scale, worstEvent };
}

async function bench(record: boolean): Promise<void> {
  const revision = currentRevision(PROJECT_ROOT);
  if (record && revision.uncommittedChanges.length > 0) {
    throw new Error(`--record measures a commit; commit or stash first: ${revision.uncommittedChanges.join(', ')}`);
  }
  const workDir = await mkdtemp(join(tmpdir(), 'meter-firehose-bench-'));
  try {
    const measurements = await measure(workDir);
    const loadAverage1mAtEnd = currentLoadAverage();
    const targets = evaluateTargets(targetFigures(measurements));
    const results: BenchResults = { revision, ...measurements, loadAverage1mAtEnd, targets, pass: targets.every((target) => target.pass) };
    const file = record ? RECORDED_FILE : LOCAL_FILE;
    const serialized = `${JSON.stringify(results, roundFractions, 2)}\n`;
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, serialized);
    console.log(formatReport(results));
    console.log(`\nWrote ${file}`);
    if (record) {
      for (const doc of FIGURE_FILES) {
        const path = join(PROJECT_ROOT, doc);
        // From the figures as written, rounded, so the READMEs match the file.
        await writeFile(path, renderFigures(await readFile(path, 'utf8'), JSON.parse(serialized) as BenchResults));
        console.log(`Rewrote the recorded figures in ${doc}`);
      }
    }
    if (!results.pass) process.exitCode = 1;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

const { record, node: requestedNode } = parseArguments(process.argv.slice(2));
const node = measuredNode(requestedNode);
if (node.path === realpathSync(process.execPath)) {
  progress(`measuring on Node.js ${process.version} (${node.path})`);
  await bench(record);
} else {
  const rerun = spawnSync(node.path, ['--expose-gc', fileURLToPath(import.meta.url), ...(record ? ['--record'] : []), '--node', node.path], {
    stdio: 'inherit',
  });
  if (rerun.error !== undefined) throw rerun.error;
  process.exitCode = rerun.status ?? 1;
}

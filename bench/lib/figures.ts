/**
 * The figures the READMEs quote, rendered from a recorded run (bench/results.json) between marker comments:
 * `npm run bench -- --record` rewrites them, and a test holds the READMEs to the recorded results.
 *
 *     <!-- bench figures: summary -->
 *     …
 *     <!-- /bench figures -->
 */
import { fixed, integer, ratio } from './report.ts';
import type { BenchResults } from './results.ts';
import { TARGETS } from './targets.ts';
import { KIB, MIB } from './units.ts';

export const FIGURE_FILES = ['README.md', 'bench/README.md'] as const;

const SECTION = /<!-- bench figures: (\w+) -->\n[\s\S]*?<!-- \/bench figures -->/g;

const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;

function table(header: readonly string[], align: string, rows: readonly (readonly string[])[]): string {
  return [row(header), row(align.split('').map((side) => (side === 'r' ? '---:' : '---'))), ...rows.map(row)].join('\n');
}

function provenance(results: BenchResults): string {
  const { machine, revision } = results;
  return (
    `Recorded by \`npm run bench -- --record\` at commit \`${revision.commit.slice(0, 12)}\` on ${machine.cpuModel}, ` +
    `${machine.cores} cores, ${fixed(machine.memoryMiB / KIB, 0)} GiB, Node.js ${machine.node}, ${machine.platform}, ` +
    `${machine.date.slice(0, 10)} (load average ${machine.loadAverage1m} at the start, ${results.loadAverage1mAtEnd} at the end).`
  );
}

function throughputTable(results: BenchResults, contenderColumns: boolean): string {
  const shapeLabel = (cell: BenchResults['throughput'][number]): string =>
    `${cell.workload.shape} (${integer(cell.workload.minEvents)}–${integer(cell.workload.maxEvents)})`;
  const contenders = contenderColumns ? ['floor', 'pass-through', 'naive'] : [];
  return table(
    ['Batches (events each)', 'Form', ...contenders.map((name) => `${name} MB/s`), 'transform MB/s', '÷ floor', '÷ pass-through', '÷ naive'],
    `ll${'r'.repeat(contenders.length + 4)}`,
    results.throughput.map((cell) => [
      shapeLabel(cell),
      cell.workload.form,
      ...contenders.map((name) => fixed(cell.contenders[name as 'floor'].decompressedMBPerS, 0)),
      fixed(cell.contenders.transform.decompressedMBPerS, 0),
      ratio(cell.transformTo.floor),
      ratio(cell.transformTo.passThrough),
      ratio(cell.transformTo.naive),
    ]),
  );
}

/** How many cells meet each throughput goal. */
function goalsMet(results: BenchResults): string {
  const cells = results.throughput;
  const met = (contender: keyof typeof TARGETS.minTransformTo): number =>
    cells.filter((cell) => cell.transformTo[contender] >= TARGETS.minTransformTo[contender]).length;
  const goal = (contender: keyof typeof TARGETS.minTransformTo, label: string): string =>
    `${label} ≥ ${ratio(TARGETS.minTransformTo[contender])} in ${met(contender)} of ${cells.length} cells`;
  return `Throughput goals met: ${goal('floor', 'floor')}, ${goal('passThrough', 'pass-through')}, ${goal('naive', 'naive')}.`;
}

function otherFigures(results: BenchResults): string {
  const { bundle, coldStart, memory } = results;
  const spread = (figures: { median: number; p90: number }): string => `median ${fixed(figures.median, 1)} ms, p90 ${fixed(figures.p90, 1)} ms`;
  return table(['Figure', 'Value'], 'll', [
    ['Hot-path bundle (AWS SDK in lazy chunks only)', `${integer(bundle.hotPathBytes)} bytes (${fixed(bundle.hotPathBytes / KIB, 1)} KiB)${bundle.sdkInHotPath ? ', SDK ON THE HOT PATH' : ''}`],
    ['Cold start: import of the bundle in a fresh process', spread(coldStart.importMs)],
    [
      `Cold start: first invocation (${coldStart.invocation.kinesisRecords} records, ${integer(coldStart.invocation.events)} events)`,
      spread(coldStart.firstInvocationMs),
    ],
    ['Process wall time, import + first invocation vs bare `node`', `${fixed(coldStart.processMs.median, 1)} ms vs ${fixed(coldStart.bareProcessMs.median, 1)} ms (median)`],
    [
      `Peak RSS at the response budget (${integer(memory.invocation.events)} events → ${integer(memory.peak.responseBytes)}-byte response)`,
      `${fixed(memory.peak.peakRssBytes / MIB, 1)} MiB (${fixed(memory.peak.baselineRssBytes / MIB, 1)} MiB before)`,
    ],
  ]);
}

function scaleTable(results: BenchResults): string {
  return table(
    ['Events in one record', 'ms per invocation', 'µs per event', 'peak RSS growth'],
    'rrrr',
    results.scale.map((point) => [
      integer(point.events),
      fixed(point.medianInvocationMs, 3),
      fixed(point.microsPerEvent, 2),
      `${fixed(point.rssGrowthBytes / MIB, 1)} MiB`,
    ]),
  );
}

function worstEventTable(results: BenchResults): string {
  return table(
    ['Worst legal event (1 MiB, every record rejected)', 'Records', 'Handler', 'Peak RSS'],
    'lrrr',
    results.worstEvent.map((run) => [
      `\`${run.shape}\``,
      integer(run.records),
      run.error === undefined ? `${integer(run.handlerMs)} ms` : run.error,
      `${fixed(run.peakRssBytes / MIB, 1)} MiB (${fixed(run.baselineRssBytes / MIB, 1)} MiB before)`,
    ]),
  );
}

function targetsTable(results: BenchResults): string {
  return table(
    ['Target', 'Goal', 'Actual', ''],
    'llll',
    results.targets.map((target) => [target.name, target.target, target.actual, target.pass ? 'PASS' : 'FAIL']),
  );
}

const SECTIONS: Readonly<Record<string, (results: BenchResults) => string>> = {
  summary: (results) =>
    [
      provenance(results),
      '',
      throughputTable(results, false),
      '',
      `MB/s of decompressed input (MB = 10^6 bytes), invocations filled with whole CloudWatch payloads up to ` +
        `${(results.throughput[0]?.workload.processorBufferBytes ?? 0) / KIB} KiB gzipped. ${goalsMet(results)}`,
      '',
      otherFigures(results),
    ].join('\n'),
  full: (results) =>
    [
      provenance(results),
      '',
      throughputTable(results, true),
      '',
      otherFigures(results),
      '',
      scaleTable(results),
      '',
      worstEventTable(results),
      '',
      targetsTable(results),
    ].join('\n'),
};

/** `markdown` with every marked section rendered from `results`; throws on a section it does not know. */
export function renderFigures(markdown: string, results: BenchResults): string {
  return markdown.replace(SECTION, (_section, name: string) => {
    const render = SECTIONS[name];
    if (render === undefined) throw new Error(`unknown bench figures section "${name}"`);
    return `<!-- bench figures: ${name} -->\n${render(results)}\n<!-- /bench figures -->`;
  });
}

/** The names of the marked sections in `markdown`, in order. */
export function figureSections(markdown: string): string[] {
  return [...markdown.matchAll(SECTION)].map((match) => match[1] as string);
}

/** The human-readable report of a benchmark run. */
import type { BenchResults } from './results.ts';
import { CONTENDER_NAMES } from './throughput.ts';
import { KIB, MB, MIB } from './units.ts';

type Row = readonly string[];

/** Columns padded to their widest cell: numbers right-aligned, text left-aligned. */
export function formatTable(header: Row, rows: readonly Row[]): string {
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => (row[column] ?? '').length)));
  const numeric = header.map((_, column) => rows.every((row) => /^[\d.,-]+$/.test(row[column] ?? '')));
  const line = (row: Row): string =>
    row
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return numeric[column] ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].map((text) => `  ${text}`).join('\n');
}

export const integer = (value: number): string => Math.round(value).toLocaleString('en-US');
export const fixed = (value: number, digits: number): string => value.toFixed(digits);
export const ratio = (value: number): string => `${fixed(value, 2)}×`;
const mib = (bytes: number): string => fixed(bytes / MIB, 1);

/** The throughput table: one row per batch shape and log form, MB/s of each contender and the ratios. */
function formatThroughput(cells: BenchResults['throughput']): string {
  const [first] = cells;
  if (first === undefined) throw new Error('no throughput cells');
  return [
    `Throughput, MB/s of decompressed input (MB = 10^6 bytes): median of ${first.rounds} interleaved rounds after ` +
      `${first.warmupRounds} warm-up rounds; invocations filled to ${first.workload.processorBufferBytes / KIB} KiB gzipped`,
    formatTable(
      ['shape', 'events/batch', 'form', 'records', 'MB', 'floor', 'pass-through', 'naive', 'transform', '÷floor', '÷pass', '÷naive'],
      cells.map(({ workload, contenders, transformTo }) => [
        workload.shape,
        `${integer(workload.minEvents)}–${integer(workload.maxEvents)}`,
        workload.form,
        integer(workload.kinesisRecords),
        fixed(workload.decompressedBytes / MB, 1),
        ...CONTENDER_NAMES.map((name) => fixed(contenders[name].decompressedMBPerS, 0)),
        ratio(transformTo.floor),
        ratio(transformTo.passThrough),
        ratio(transformTo.naive),
      ]),
    ),
  ].join('\n');
}

export function formatReport(results: BenchResults): string {
  const { revision, machine, throughput, bundle, coldStart, memory, scale, worstEvent, targets } = results;
  const changes = revision.uncommittedChanges.length;
  return [
    `meter-firehose benchmark: ${machine.cpuModel}, ${machine.cores} cores, Node.js ${machine.node}, ${machine.date}` +
      ` (load average ${machine.loadAverage1m} at the start, ${results.loadAverage1mAtEnd} at the end)`,
    `Commit ${revision.commit.slice(0, 12)}${changes > 0 ? ` with ${changes} changed file${changes > 1 ? 's' : ''}` : ''}`,
    '',
    formatThroughput(throughput),
    '',
    `Bundle: hot path ${integer(bundle.hotPathBytes)} bytes (${fixed(bundle.hotPathBytes / KIB, 1)} KiB), ` +
      `lazy ${integer(bundle.lazyBytes)} bytes`,
    formatTable(
      ['file', 'bytes', 'loaded', 'SDK strings'],
      bundle.files.map((file) => [
        file.file,
        integer(file.bytes),
        file.hotPath ? 'at import' : 'lazily',
        file.sdkMarkers.join(', ') || 'none',
      ]),
    ),
    '',
    `Cold start: ${coldStart.runs} fresh processes, each importing the bundle and handling one invocation ` +
      `(${coldStart.invocation.kinesisRecords} records, ${integer(coldStart.invocation.events)} events)`,
    formatTable(
      ['', 'median ms', 'p90 ms'],
      [
        ['import of the bundle', fixed(coldStart.importMs.median, 1), fixed(coldStart.importMs.p90, 1)],
        ['first invocation', fixed(coldStart.firstInvocationMs.median, 1), fixed(coldStart.firstInvocationMs.p90, 1)],
        ['process, spawn to exit', fixed(coldStart.processMs.median, 1), fixed(coldStart.processMs.p90, 1)],
        ['bare node process', fixed(coldStart.bareProcessMs.median, 1), fixed(coldStart.bareProcessMs.p90, 1)],
      ],
    ),
    '',
    `Memory at the response budget: ${integer(memory.invocation.events)} events in ` +
      `${memory.invocation.kinesisRecords} records, ${fixed(memory.invocation.gzippedBytes / MB, 2)} MB gzipped → ` +
      `${integer(memory.peak.responseBytes)} response bytes`,
    `  RSS before the invocation ${mib(memory.peak.baselineRssBytes)} MiB, peak ${mib(memory.peak.peakRssBytes)} MiB`,
    '',
    'Scale: one Kinesis record of N events, each size timed in one process, RSS in a fresh one',
    formatTable(
      ['events', 'gzipped KiB', 'ms/invocation', 'µs/event', 'peak RSS growth MiB', 'bytes/event'],
      scale.map((point) => [
        integer(point.events),
        fixed(point.gzippedBytes / KIB, 1),
        fixed(point.medianInvocationMs, 3),
        fixed(point.microsPerEvent, 2),
        mib(point.rssGrowthBytes),
        integer(point.rssGrowthBytes / point.events),
      ]),
    ),
    '',
    'The worst legal event: one 1 MiB log event of rejected meter records, each shape in a fresh process',
    formatTable(
      ['shape', 'records', 'handler ms', 'RSS before MiB', 'peak RSS MiB'],
      worstEvent.map((run) => [run.shape, integer(run.records), run.error ?? integer(run.handlerMs), mib(run.baselineRssBytes), mib(run.peakRssBytes)]),
    ),
    '',
    'Targets',
    formatTable(
      ['', 'target', 'actual', ''],
      targets.map((target) => [target.name, target.target, target.actual, target.pass ? 'PASS' : 'FAIL']),
    ),
  ].join('\n');
}

/** `amberflo-failures`: list what Amberflo reported refusing, from the reason objects it writes to its bucket. */
import { type CommandSpec, UsageError, booleanOption, formatHelp, parseCommandArgs } from '../lib/cli/args.ts';
import { FAILED_REQUESTS_PREFIX, readAmberfloFailures, summarizeReason } from '../lib/amberflo/failed-requests.ts';
import { createProgress } from '../lib/cli/progress.ts';
import { formatTable } from '../lib/cli/table.ts';
import { LOCATION_OPTIONS, errorSourceFrom } from './error-source.ts';
import { EXIT, type CommandIO, printJson } from './io.ts';

export const AMBERFLO_FAILURES_SPEC: CommandSpec = {
  name: 'amberflo-failures',
  summary:
    "List what Amberflo refused after delivery: the reason objects it writes to its bucket under failed-requests/ " +
    '(failed-requests/DATE/ORIGINAL-KEY.reason.txt), each with the ingest object it names and its reason.',
  usage: 'meter-firehose amberflo-failures [options] (s3://BUCKET[/PREFIX] | DIRECTORY)',
  options: {
    ...LOCATION_OPTIONS,
    prefix: { ...LOCATION_OPTIONS.prefix, description: 'Key prefix of the reason objects in a directory', default: `"${FAILED_REQUESTS_PREFIX}" when present` },
    json: { type: 'boolean', description: 'Print every reason, whole, as JSON' },
    progress: { type: 'boolean', description: 'Report progress on stderr even when it is not a terminal' },
  },
  examples: [
    'meter-firehose amberflo-failures s3://my-amberflo-bucket                       # everything under failed-requests/',
    'meter-firehose amberflo-failures s3://my-amberflo-bucket/failed-requests/2026-11-25/',
    'aws s3 sync s3://my-amberflo-bucket/failed-requests/ ./amberflo/failed-requests && cli amberflo-failures ./amberflo',
  ],
};

export async function amberfloFailuresCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(AMBERFLO_FAILURES_SPEC, argv);
  if (booleanOption(values, 'help')) {
    io.stdout(formatHelp(AMBERFLO_FAILURES_SPEC));
    return EXIT.ok;
  }
  const [location, ...extra] = positionals;
  if (location === undefined) {
    throw new UsageError('amberflo-failures needs a location: s3://BUCKET (Amberflo\'s bucket) or a directory synced from it');
  }
  if (extra.length > 0) throw new UsageError(`amberflo-failures takes one location, got ${positionals.length}`);
  const source = errorSourceFrom(location, values, FAILED_REQUESTS_PREFIX, "Amberflo's reason objects");
  const progress = createProgress({ forced: booleanOption(values, 'progress'), ...(io.progressStream ? { stream: io.progressStream } : {}) });
  let failures;
  try {
    failures = await readAmberfloFailures(source.store, source.prefix, (done, total) => progress.update(`reason objects read ${done}/${total}`));
  } finally {
    progress.done();
  }

  if (booleanOption(values, 'json')) {
    printJson(io, { location: source.description, failures: failures.length, reasons: failures });
  } else {
    io.stdout(`Amberflo's reason objects at ${source.description}: ${failures.length}\n`);
    if (failures.length > 0) {
      io.stdout('\n');
      io.stdout(
        formatTable(
          ['date', 'ingest object', 'reason'],
          failures.map((failure) => [failure.date ?? '-', failure.ingestKey ?? failure.key, summarizeReason(failure.reason)]),
        ),
      );
    }
  }
  return failures.length > 0 ? EXIT.failures : EXIT.ok;
}

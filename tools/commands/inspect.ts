/** `inspect`: decode the error prefix and report failed events grouped by reason. */
import { type CommandSpec, UsageError, booleanOption, formatHelp, numberOption, parseCommandArgs } from '../lib/cli/args.ts';
import { type FailedEvent, eventTime, failedEventsOf, groupFailures, matchesFilter } from '../lib/error-prefix/failures.ts';
import { createProgress } from '../lib/cli/progress.ts';
import { formatTable, plural } from '../lib/cli/table.ts';
import { ERROR_SOURCE_OPTIONS, errorSourceFrom, failureFilterFrom, loadErrorRecords } from './error-source.ts';
import { EXIT, type CommandIO, printJson } from './io.ts';

export const INSPECT_SPEC: CommandSpec = {
  name: 'inspect',
  summary:
    "Inspect the error prefix: decode each failed record's raw data (base64 → gzip → CloudWatch or rejects payload) " +
    'and report the failed log events by reason, with counts, first and last time, and examples.',
  usage: 'meter-firehose inspect [options] [DIRECTORY | s3://BUCKET/PREFIX]',
  options: {
    ...ERROR_SOURCE_OPTIONS,
    examples: { type: 'string', value: 'N', description: 'Examples shown per reason', default: '2' },
    json: { type: 'boolean', description: 'Print every failed event as JSON' },
    progress: { type: 'boolean', description: 'Report progress on stderr even when it is not a terminal' },
  },
  examples: [
    'meter-firehose inspect                                   # the local pipeline output (.local/bucket)',
    'aws s3 sync s3://my-amberflo-bucket/errors/ ./errors && cli inspect ./errors',
    'meter-firehose inspect s3://my-amberflo-bucket/errors/processing-failed/2026-11-25/ --reason INVALID_METER_VALUE',
  ],
};

export async function inspectCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(INSPECT_SPEC, argv);
  if (booleanOption(values, 'help')) {
    io.stdout(formatHelp(INSPECT_SPEC));
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`inspect takes one location, got ${positionals.length}`);
  const source = errorSourceFrom(positionals[0], values);
  const filter = failureFilterFrom(values);
  const examplesPerReason = numberOption(values, 'examples', 2, { min: 0, max: 100, integer: true });
  const progress = createProgress({ forced: booleanOption(values, 'progress'), ...(io.progressStream ? { stream: io.progressStream } : {}) });
  const records = await loadErrorRecords(source, progress);
  const objects = new Set(records.map((record) => record.objectKey)).size;
  const events = records.flatMap(failedEventsOf).filter((event) => matchesFilter(event, filter));
  const groups = groupFailures(events, examplesPerReason);

  if (booleanOption(values, 'json')) {
    printJson(io, {
      location: source.description,
      objects,
      errorRecords: records.length,
      failedEvents: events.length,
      reasons: groups.map(({ reason, count, firstTime, lastTime }) => ({ reason, count, first: iso(firstTime), last: iso(lastTime) })),
      events: events.map(describeEvent),
    });
  } else {
    io.stdout(`Error prefix ${source.description}: ${plural(objects, 'object')}, ${plural(records.length, 'error record')}, ${plural(events.length, 'failed log event')}\n\n`);
    if (groups.length > 0) {
      io.stdout(
        formatTable(
          ['reason', 'events', 'first', 'last'],
          groups.map((group) => [group.reason, group.count, iso(group.firstTime), iso(group.lastTime)]),
        ),
      );
      for (const group of groups.filter((candidate) => candidate.examples.length > 0)) {
        io.stdout(`\n${group.reason} (${group.count})\n`);
        for (const example of group.examples) io.stdout(formatExample(example));
      }
    }
  }
  return events.length > 0 ? EXIT.failures : EXIT.ok;
}

export function describeEvent(event: FailedEvent): Record<string, unknown> {
  return {
    reason: event.reason,
    detail: event.detail,
    time: iso(eventTime(event)),
    owner: event.source?.owner,
    logGroup: event.source?.logGroup,
    logStream: event.source?.logStream,
    eventId: event.logEvent?.id,
    timestamp: event.logEvent?.timestamp,
    message: event.logEvent?.message,
    ...(event.index === undefined ? {} : { index: event.index }),
    errorCode: event.errorCode,
    errorMessage: event.errorMessage,
    arrivalTimestamp: event.arrivalTimestamp,
    object: event.objectKey,
  };
}

function formatExample(event: FailedEvent): string {
  const where = event.source === undefined ? event.objectKey : `${event.source.logGroup} ${event.source.logStream}`;
  const message = (event.logEvent?.message ?? '').trimEnd();
  const shown = message.length > 300 ? `${message.slice(0, 299)}…` : message;
  return [`  ${iso(eventTime(event))}  ${where}`, `    ${event.detail}`, ...(shown === '' ? [] : [`    > ${shown.replace(/\n/g, '\n    > ')}`])].join('\n') + '\n';
}

function iso(time: number): string {
  return Number.isFinite(time) && time > 0 ? new Date(time).toISOString() : '-';
}

/** Flags shared by `inspect` and `replay`: where the error objects are, and which failed events to take. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type OptionSpec, type OptionValues, UsageError, listOption, stringOption, timeOption } from '../lib/cli/args.ts';
import { REJECT_REASONS } from '../../transform/types.ts';
import { closestName } from '../lib/cli/closest.ts';
import { type ErrorRecordAt, type FailureFilter, UNDECODABLE_REASON, readErrorRecords } from '../lib/error-prefix/failures.ts';
import { ErrorObjectFormatError } from '../lib/delivery/object-layout.ts';
import { DirectoryStore, type ObjectStore, S3Store, parseS3Url } from '../lib/delivery/object-store.ts';
import { DEFAULT_OUTPUT_DIRECTORY } from '../lib/cli/paths.ts';
import type { Progress } from '../lib/cli/progress.ts';
import { TIMEOUT_OPTION, regionOption, timeoutOption, urlOption } from './pipeline-options.ts';

/** Where the objects are: read by errorSourceFrom. */
export const LOCATION_OPTIONS = {
  prefix: { type: 'string', value: 'PREFIX', description: 'Key prefix of the error objects in a directory', default: '"errors/" when present' },
  's3-endpoint': { type: 'string', value: 'URL', description: 'S3-compatible endpoint for s3:// locations (default: AWS)' },
  region: { type: 'string', value: 'REGION', description: 'AWS Region', default: '$AWS_REGION or us-east-1' },
  timeout: TIMEOUT_OPTION,
} as const satisfies Readonly<Record<string, OptionSpec>>;

export const ERROR_SOURCE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  prefix: LOCATION_OPTIONS.prefix,
  's3-endpoint': LOCATION_OPTIONS['s3-endpoint'],
  region: LOCATION_OPTIONS.region,
  reason: { type: 'string', multiple: true, value: 'REASON', description: 'Only failed events with this reason (e.g. INVALID_METER_VALUE, Lambda.FunctionError)' },
  'log-group': { type: 'string', multiple: true, value: 'NAME', description: 'Only events of this log group' },
  since: { type: 'string', value: 'TIME', description: 'Only events at or after this time (ISO-8601 or epoch ms)' },
  until: { type: 'string', value: 'TIME', description: 'Only events before this time' },
  timeout: LOCATION_OPTIONS.timeout,
};

export interface ErrorSource {
  readonly store: ObjectStore;
  readonly prefix: string;
  readonly description: string;
}

/**
 * LOCATION is a directory (default: the local pipeline's) or `s3://bucket/prefix`; `folder` is the default prefix
 * and `holds` what is under it, for messages.
 */
export function errorSourceFrom(location: string | undefined, values: OptionValues, folder = 'errors/', holds = 'the error objects'): ErrorSource {
  // Checked even when no AWS API is called, so a bad value is never silently ignored.
  const timeoutMs = timeoutOption(values);
  const region = regionOption(values);
  const s3 = location === undefined ? undefined : parseS3Url(location);
  if (s3 === undefined && location !== undefined && /^s3:/i.test(location)) {
    throw new UsageError(`"${location}" names no bucket: give s3://BUCKET/PREFIX, e.g. s3://my-amberflo-bucket/errors/`);
  }
  if (s3 !== undefined) {
    const endpoint = stringOption(values, 's3-endpoint');
    const store = new S3Store({
      bucket: s3.bucket,
      region,
      timeoutMs,
      ...(endpoint === undefined ? {} : { endpoint: urlOption('s3-endpoint', endpoint) }),
    });
    const prefix = s3.prefix === '' ? folder : s3.prefix;
    return { store, prefix, description: `s3://${s3.bucket}/${prefix}` };
  }
  const directory = location ?? DEFAULT_OUTPUT_DIRECTORY;
  if (!existsSync(directory)) throw new UsageError(`no such directory: ${directory}`);
  if (!statSync(directory).isDirectory()) {
    throw new UsageError(`${directory} is a file: give the directory that holds ${holds} (e.g. after aws s3 sync), or s3://BUCKET/PREFIX`);
  }
  const prefix = stringOption(values, 'prefix') ?? (existsSync(join(directory, folder)) ? folder : '');
  return { store: new DirectoryStore(directory), prefix, description: join(directory, prefix) };
}

export function failureFilterFrom(values: OptionValues): FailureFilter {
  const since = timeOption(values, 'since');
  const until = timeOption(values, 'until');
  if (since !== undefined && until !== undefined && since >= until) throw new UsageError('--since must be earlier than --until');
  return {
    reasons: listOption(values, 'reason').map(checkedReason),
    logGroups: listOption(values, 'log-group'),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
  };
}

const KNOWN_REASONS: readonly string[] = [...REJECT_REASONS, UNDECODABLE_REASON];
/** Firehose's error codes for whole failed records: `Lambda.FunctionError`, `Lambda.ProcessingFailedStatus`, … */
const FIREHOSE_ERROR_CODE = /^[A-Z][A-Za-z0-9]*\.[A-Z][A-Za-z0-9]*$/;

/** A reason `--reason` can match: a reject reason, or a Firehose error code; anything else is a usage error. */
function checkedReason(reason: string): string {
  if (KNOWN_REASONS.includes(reason) || FIREHOSE_ERROR_CODE.test(reason)) return reason;
  const nearest = closestName(reason, KNOWN_REASONS);
  throw new UsageError(
    `--reason ${JSON.stringify(reason)} is not a reason a failed event can have${nearest === undefined ? '' : ` (did you mean ${nearest}?)`}; ` +
      `give one of ${KNOWN_REASONS.join(', ')}, or a Firehose error code such as Lambda.FunctionError`,
  );
}

export async function loadErrorRecords(source: ErrorSource, progress: Progress): Promise<ErrorRecordAt[]> {
  try {
    return await readErrorRecords(source.store, source.prefix, (done, total) => progress.update(`error objects read ${done}/${total}`));
  } catch (error) {
    if (error instanceof ErrorObjectFormatError) {
      throw new UsageError(`${error.message}\n(is ${source.description} the error prefix? data objects are not error objects)`);
    }
    throw error;
  } finally {
    progress.done();
  }
}

/**
 * Where Firehose puts objects in S3 and what error objects contain: custom prefix evaluation, object names
 * and the processing-failed record format. Pure, so the local pipeline lays out a directory or a bucket
 * exactly as the deployed stream does.
 */

/** What `!{firehose:error-output-type}` evaluates to for records that failed the Lambda transformation. */
export const PROCESSING_FAILED_OUTPUT_TYPE = 'processing-failed';

export class PrefixError extends Error {
  override readonly name = 'PrefixError';
}

export interface PrefixContext {
  /** Approximate arrival time of the oldest record in the object (Firehose's rule for `!{timestamp:…}`). */
  readonly arrivalTimestamp: number;
  /** Only for error output; a data prefix must not use `!{firehose:error-output-type}`. */
  readonly errorOutputType?: string;
  readonly randomString?: () => string;
}

const EXPRESSION = /!\{([a-zA-Z]+):([^}]*)\}/g;

/** Evaluates `!{timestamp:…}` (UTC) and `!{firehose:…}` expressions in a custom S3 prefix. */
export function evaluatePrefix(template: string, context: PrefixContext): string {
  return template.replace(EXPRESSION, (_, namespace: string, value: string) => {
    if (namespace === 'timestamp') return formatTimestamp(value, context.arrivalTimestamp);
    if (namespace === 'firehose') {
      if (value === 'error-output-type') {
        if (context.errorOutputType === undefined) {
          throw new PrefixError('!{firehose:error-output-type} may only appear in the error output prefix');
        }
        return context.errorOutputType;
      }
      if (value === 'random-string') return (context.randomString ?? defaultRandomString)();
      throw new PrefixError(`unknown expression !{firehose:${value}}: use error-output-type or random-string`);
    }
    throw new PrefixError(
      `unsupported expression !{${namespace}:${value}}: the local pipeline evaluates the timestamp and firehose namespaces`,
    );
  });
}

/** Checks a prefix template up front so a bad flag fails before any work is done. */
export function validatePrefix(template: string, kind: 'data' | 'error'): void {
  const context: PrefixContext = kind === 'error' ? { arrivalTimestamp: 0, errorOutputType: PROCESSING_FAILED_OUTPUT_TYPE } : { arrivalTimestamp: 0 };
  evaluatePrefix(template, context);
  if (kind === 'error' && !template.includes('!{firehose:error-output-type}') && template.includes('!{')) {
    throw new PrefixError('an error output prefix with expressions must include !{firehose:error-output-type}');
  }
}

const PATTERN_TOKEN = /'([^']*)'|([a-zA-Z])\2*|[^a-zA-Z']+/g;

/** The subset of Java's DateTimeFormatter patterns that S3 prefixes use, in UTC. */
export function formatTimestamp(pattern: string, epochMillis: number): string {
  const date = new Date(epochMillis);
  const fields: Record<string, number> = {
    y: date.getUTCFullYear(),
    M: date.getUTCMonth() + 1,
    d: date.getUTCDate(),
    H: date.getUTCHours(),
    m: date.getUTCMinutes(),
    s: date.getUTCSeconds(),
  };
  return pattern.replace(PATTERN_TOKEN, (token: string, quoted: string | undefined, letter: string | undefined) => {
    if (quoted !== undefined) return quoted;
    if (letter === undefined) return token;
    const value = fields[letter];
    if (value === undefined) throw new PrefixError(`unsupported timestamp pattern letter "${letter}" in "${pattern}"`);
    if (letter === 'y' && token.length === 2) return String(value % 100).padStart(2, '0');
    return String(value).padStart(token.length, '0');
  });
}

export interface ObjectNameParts {
  readonly prefix: string;
  readonly deliveryStreamName: string;
  readonly deliveryStreamVersion: number;
  /** Time written into the name (the oldest record's arrival, like the prefix). */
  readonly timestamp: number;
  readonly uuid: string;
  /** Including the leading dot, or empty. */
  readonly fileExtension: string;
}

/** `<evaluated prefix><stream>-<version>-yyyy-MM-dd-HH-mm-ss-<uuid><extension>`. */
export function objectKey(parts: ObjectNameParts): string {
  const time = formatTimestamp('yyyy-MM-dd-HH-mm-ss', parts.timestamp);
  return `${parts.prefix}${parts.deliveryStreamName}-${parts.deliveryStreamVersion}-${time}-${parts.uuid}${parts.fileExtension}`;
}

const OBJECT_NAME = /(?:^|\/)[\w.-]+-\d+-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:\.[\w.-]+)?$/;

/** Whether a key ends in a name `objectKey` gives (stream, version, time, uuid, extension). */
export function isObjectName(key: string): boolean {
  return OBJECT_NAME.test(key);
}

const NAME_TIME = /-\d+-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:\.[\w.-]+)?$/;

/** The time `objectKey` wrote into a key's name (UTC, to the second), or undefined when it is not such a name. */
export function objectNameTime(key: string): number | undefined {
  if (!isObjectName(key)) return undefined;
  const match = NAME_TIME.exec(key);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  return Date.UTC(year as number, (month as number) - 1, day, hour, minute, second);
}

/** The part of a prefix template before its first expression: every key it evaluates to starts with it. */
export function staticPrefix(template: string): string {
  const expression = template.indexOf('!{');
  return expression < 0 ? template : template.slice(0, expression);
}

/** More key prefixes than this for one listing and it lists the static prefix instead. */
const MAX_LISTING_PREFIXES = 400;
const MINUTE_MS = 60_000;

/**
 * The key prefixes that hold every object a template names for arrivals from..until: the template's leading
 * literals and `!{timestamp:…}` expressions evaluated minute by minute (so `…/!{timestamp:yyyy-MM-dd}/` lists one
 * prefix a day); the static prefix when another expression comes first or the range needs too many.
 */
export function listingPrefixes(template: string, from: number, until: number): string[] {
  const other = /!\{(?!timestamp:)/.exec(template);
  const timed = other === null ? template : template.slice(0, other.index);
  if (!timed.includes('!{')) return [staticPrefix(template)];
  const prefixes = new Set<string>();
  for (let time = Math.floor(from / MINUTE_MS) * MINUTE_MS; time <= until; time += MINUTE_MS) {
    prefixes.add(evaluatePrefix(timed, { arrivalTimestamp: time }));
    if (prefixes.size > MAX_LISTING_PREFIXES) return [staticPrefix(template)];
  }
  return [...prefixes].sort();
}

/** One line of a processing-failed error object, keys in the order Firehose writes them. */
export interface ErrorRecord {
  readonly attemptsMade: number;
  readonly arrivalTimestamp: number;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attemptEndingTimestamp: number;
  /** Base64 of the original record data. */
  readonly rawData: string;
  readonly lambdaArn: string;
}

/** Serializes error records as Firehose does: one JSON object per line, the ARN under `lambdaARN`. */
export function encodeErrorRecords(records: readonly ErrorRecord[]): string {
  return records
    .map((record) =>
      JSON.stringify({
        attemptsMade: record.attemptsMade,
        arrivalTimestamp: record.arrivalTimestamp,
        errorCode: record.errorCode,
        errorMessage: record.errorMessage,
        attemptEndingTimestamp: record.attemptEndingTimestamp,
        rawData: record.rawData,
        lambdaARN: record.lambdaArn,
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

export class ErrorObjectFormatError extends Error {
  override readonly name = 'ErrorObjectFormatError';
}

/**
 * Parses an error object written by Firehose (or by the local pipeline). Accepts `lambdaARN` and `lambdaArn`,
 * numbers given as strings, and objects concatenated with or without newlines.
 */
export function parseErrorObject(text: string, source = 'error object'): ErrorRecord[] {
  return splitJsonObjects(text, source).map((value, index) => {
    const where = `${source}, record ${index + 1}`;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ErrorObjectFormatError(`${where}: not a JSON object`);
    }
    const fields = value as Record<string, unknown>;
    const rawData = fields['rawData'];
    if (typeof rawData !== 'string') throw new ErrorObjectFormatError(`${where}: no rawData field`);
    return {
      attemptsMade: Number(fields['attemptsMade'] ?? 0),
      arrivalTimestamp: Number(fields['arrivalTimestamp'] ?? 0),
      errorCode: String(fields['errorCode'] ?? fields['ErrorCode'] ?? ''),
      errorMessage: String(fields['errorMessage'] ?? fields['ErrorMessage'] ?? ''),
      attemptEndingTimestamp: Number(fields['attemptEndingTimestamp'] ?? 0),
      rawData,
      lambdaArn: String(fields['lambdaARN'] ?? fields['lambdaArn'] ?? ''),
    };
  });
}

/** Splits a stream of JSON objects (`{..}{..}` or one per line) without requiring a separator. */
export function splitJsonObjects(text: string, source: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (char === '}') {
      depth -= 1;
      if (depth === 0) values.push(parseJson(text.slice(start, i + 1), source));
      if (depth < 0) throw new ErrorObjectFormatError(`${source}: unbalanced "}" at offset ${i}`);
    } else if (depth === 0 && !/\s/.test(char ?? '')) {
      throw new ErrorObjectFormatError(`${source}: unexpected "${char}" at offset ${i}; expected JSON objects`);
    }
  }
  if (depth !== 0) throw new ErrorObjectFormatError(`${source}: truncated JSON object at the end`);
  return values;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ErrorObjectFormatError(`${source}: ${(error as Error).message}`);
  }
}

function defaultRandomString(): string {
  return Math.random().toString(36).slice(2, 13).padEnd(11, '0');
}

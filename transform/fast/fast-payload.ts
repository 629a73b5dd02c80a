/**
 * The hot path over a whole CloudWatch Logs payload: reads a DATA_MESSAGE laid out as CloudWatch Logs writes it
 * straight from its gunzipped bytes, without materializing its log events, and writes the meter records of Lambda
 * TEXT and Lambda JSON log lines where they lie, in the WebAssembly scanner (transform/fast/assembly/). A log event
 * the scanner cannot read exactly is decoded alone and takes the general path (transformLogEvent); a payload laid
 * out in any other way returns undefined, and the caller parses it whole. Differential tests hold both paths to the
 * same result.
 */
import { BACKSLASH, CLOSE_BRACE, COMMA, OPEN_BRACE, QUOTE } from './char-codes.ts';
import type { TransformConfig } from '../config.ts';
import { continuesToken } from '../extract.ts';
import { PayloadOutput, transformLogEvent, transformPayload, type PayloadResult } from '../payload.ts';
import { PayloadScan } from './scanner.ts';
import type { CloudWatchLogsPayload, LogEvent } from '../types.ts';
import { uniqueIdPrefix, WHOLE_METER_TIME_RANGE, type MeterTimeWindow } from '../validate.ts';

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const LOG_EVENTS_KEY = ascii('"logEvents":[');
/** The header of a payload is parsed alone, closed as if it had no log events. */
const HEADER_CLOSE = '"logEvents":[]}';
/** What closes a log event after its message: `"}`. */
const EVENT_CLOSE_LENGTH = 2;

export interface FastPayload {
  /** The payload's fields other than its log events (logEvents is empty). */
  readonly payload: CloudWatchLogsPayload;
  readonly result: PayloadResult;
}

/**
 * Transforms the DATA_MESSAGE whose JSON text is `json`, or returns undefined when it is laid out otherwise
 * (the caller then parses it and takes the general path, which also decides what is invalid).
 */
export function transformDataMessage(
  json: Buffer,
  config: TransformConfig,
  timeWindow: MeterTimeWindow = WHOLE_METER_TIME_RANGE,
): FastPayload | undefined {
  const prefix = prefixBytes(config.prefix);
  if (prefix === undefined) return undefined;
  const header = readHeader(json);
  if (header === undefined) return undefined;
  const idPrefix = uniqueIdPrefix(header.payload.owner, config.homeAccountId);
  // The scanner writes a derived uniqueId's JSON text: the prefix goes in escaped as JSON.stringify escapes it.
  // The home account's (none) costs no buffer per payload.
  const escapedIdPrefix = idPrefix === '' ? undefined : Buffer.from(JSON.stringify(idPrefix).slice(1, -1));
  const scan = new PayloadScan(json, prefix, timeWindow, escapedIdPrefix);
  try {
    return readPayload(scan, json, header, config, timeWindow, idPrefix);
  } finally {
    scan.close();
  }
}

function readPayload(
  scan: PayloadScan,
  json: Buffer,
  header: PayloadHeader,
  config: TransformConfig,
  timeWindow: MeterTimeWindow,
  idPrefix: string,
): FastPayload | undefined {
  // The events the scanner leaves to the general rules, their lines and rejects, in log order; made only for
  // a payload that has such an event.
  let ruled: PayloadOutput | undefined;
  let stop = scan.readEvents(header.eventsStart, false);
  while (stop === 'needs-rules') {
    ruled ??= new PayloadOutput(256);
    const next = transformDecoded(json, scan.stoppedEvent(), scan.stoppedMessage(), config, ruled, timeWindow, idPrefix);
    if (next === undefined) return undefined;
    scan.append(ruled.ndjson.written());
    ruled.ndjson.truncate(0);
    stop = scan.readEvents(next, true);
  }
  if (stop === 'unreadable') return undefined;
  const result: PayloadResult = {
    ndjson: scan.output(),
    meterRecords: scan.recordsWritten() + (ruled?.meterRecords ?? 0),
    rejects: ruled?.rejects ?? [],
    // Rarely needed (a payload too large for one response): the general path yields the same events.
    meterEvents: () => transformPayload(JSON.parse(json.toString('utf8')) as CloudWatchLogsPayload, config, timeWindow).meterEvents(),
  };
  return { payload: header.payload, result };
}

let cachedPrefix: { readonly text: string; readonly bytes: Buffer | undefined } | undefined;

/**
 * The prefix as bytes when it is made of token characters only, so no JSON escape can spell part of it and
 * its occurrences in escaped text are exactly its byte occurrences outside escapes; else undefined.
 */
function prefixBytes(prefix: string): Buffer | undefined {
  if (cachedPrefix?.text !== prefix) {
    let plain = prefix.length > 0;
    for (let i = 0; i < prefix.length; i++) plain &&= continuesToken(prefix.charCodeAt(i));
    cachedPrefix = { text: prefix, bytes: plain ? ascii(prefix) : undefined };
  }
  return cachedPrefix.bytes;
}

/**
 * The envelope fields before `"logEvents":[`, parsed alone, when they make a DATA_MESSAGE. The key must follow
 * `{` or `,`: then it is not inside a string (an inner quote would follow a backslash), and the header parsing
 * with `"logEvents":[]}` after it makes it a top-level key.
 */
interface PayloadHeader {
  readonly payload: CloudWatchLogsPayload;
  /** Index just past `"logEvents":[`. */
  readonly eventsStart: number;
}

function readHeader(json: Buffer): PayloadHeader | undefined {
  if (json[0] !== OPEN_BRACE) return undefined;
  const at = json.indexOf(LOG_EVENTS_KEY);
  if (at < 1 || (json[at - 1] !== OPEN_BRACE && json[at - 1] !== COMMA)) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(`${json.toString('utf8', 0, at)}${HEADER_CLOSE}`);
  } catch {
    return undefined;
  }
  return isDataMessageHeader(header) ? { payload: header, eventsStart: at + LOG_EVENTS_KEY.length } : undefined;
}

/** The envelope checks decode.ts makes of a DATA_MESSAGE, but for its log events. */
function isDataMessageHeader(header: unknown): header is CloudWatchLogsPayload {
  const fields = header as Record<string, unknown>;
  return (
    fields.messageType === 'DATA_MESSAGE' &&
    typeof fields.owner === 'string' &&
    typeof fields.logGroup === 'string' &&
    typeof fields.logStream === 'string'
  );
}

/** Index of the closing quote of the JSON string whose content starts at `from` (escapes not checked), or -1. */
function stringEnd(json: Buffer, from: number): number {
  for (let at = json.indexOf(QUOTE, from); at !== -1; at = json.indexOf(QUOTE, at + 1)) {
    let backslashes = 0;
    while (json[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/**
 * Decodes the event at `start` (its message's content at `messageStart`) and transforms it by the general rules
 * into `output`; returns the index just past the event, or undefined when it is not valid JSON or not closed as
 * CloudWatch Logs closes an event.
 */
function transformDecoded(
  json: Buffer,
  start: number,
  messageStart: number,
  config: TransformConfig,
  output: PayloadOutput,
  timeWindow: MeterTimeWindow,
  idPrefix: string,
): number | undefined {
  const messageEnd = stringEnd(json, messageStart);
  if (messageEnd === -1 || json[messageEnd + 1] !== CLOSE_BRACE) return undefined;
  let logEvent: LogEvent;
  try {
    logEvent = JSON.parse(json.toString('utf8', start, messageEnd + EVENT_CLOSE_LENGTH)) as LogEvent;
  } catch {
    return undefined;
  }
  transformLogEvent(logEvent, config, output, timeWindow, idPrefix);
  return messageEnd + EVENT_CLOSE_LENGTH;
}

/**
 * The hot path over a whole CloudWatch Logs payload: reads a DATA_MESSAGE laid out as CloudWatch Logs writes it
 * straight from its gunzipped bytes, without materializing its log events, and encodes the meter records of
 * Lambda TEXT and Lambda JSON log lines where they lie (encodeRecordAt). A log event it cannot read exactly is
 * decoded alone and takes the general path (transformLogEvent); a payload laid out in any other way returns
 * undefined, and the caller parses it whole. Differential tests hold both paths to the same result.
 *
 * Quoted strings are read in their escaped form: a log event message is depth 1 (its quotes are `\"`), the
 * message field of a Lambda JSON log line inside it depth 2 (`\\\"`).
 */
// @ts-nocheck

import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  EQUALS,
  LAST_PRINTABLE,
  OPEN_BRACE,
  QUOTE,
  SPACE,
} from './char-codes.ts';
import type { TransformConfig } from '../config.ts';
import { continuesToken, RECORD_FIELD } from '../extract.ts';
import {
  encodeRecordAt,
  isDigit,
  isQuoteAt,
  numberEnd,
  regionEquals,
  whitespaceAt,
  type EventDefaults,
} from './fast-encode.ts';
import { PayloadOutput, transformLogEvent, transformPayload, type PayloadResult } from '../payload.ts';
import type { CloudWatchLogsPayload, LogEvent } from '../types.ts';
import { WHOLE_METER_TIME_RANGE, type MeterTimeWindow } from '../validate.ts';
import { fixedAt, fixedText, isPlainWord, isPlainWordWithout, isPrintableWord, repeatedByte, viewOf } from './words.ts';

/** Bytes in a word (see words.ts). */
const WORD = 4;

/** Result of a read that could not be done exactly on the bytes: the general path decides. */
const UNREAD = -1;

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const LOG_EVENTS_KEY = ascii('"logEvents":[');
/** The header of a payload is parsed alone, closed as if it had no log events. */
const HEADER_CLOSE = '"logEvents":[]}';
/** A log event as CloudWatch Logs writes it: `{"id":"…","timestamp":…,"message":"…"}`. */
const EVENT_OPEN = fixedText('{"id":"');
const EVENT_TIMESTAMP = fixedText('","timestamp":');
const EVENT_MESSAGE = fixedText(',"message":"');
const EVENT_CLOSE = fixedText('"}');
/** The field of a Lambda JSON log line that holds the logged text (and so the record, or the prefix alone). */
const MESSAGE_KEY = ascii('message');
/** The field of a structured log line whose message is the prefix alone that holds the record (extract.ts). */
const RECORD_FIELD_KEY = ascii(RECORD_FIELD);
const LITERALS = ['true', 'false', 'null'].map(ascii);
/** Room for one line beyond the payload's size (see encodeRecordAt's reserve). */
const OUTPUT_SLACK = 4096;
/** Integers this long always round-trip, so a timestamp's digits are what String(timestamp) writes. */
const MAX_EXACT_DIGITS = 15;

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
  const reader = new EventReader(json, prefix, config, timeWindow);
  if (!reader.readEvents(header.eventsStart)) return undefined;
  const { output } = reader;
  const result: PayloadResult = {
    ndjson: output.ndjson.written(),
    meterRecords: output.meterRecords,
    rejects: output.rejects,
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
function readHeader(json: Buffer): { readonly payload: CloudWatchLogsPayload; readonly eventsStart: number } | undefined {
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

/**
 * The index of the first byte from `from` that cannot be plain string content at any depth: a quote, a
 * backslash or a control character.
 */
function plainEnd(json: Buffer, from: number): number {
  const view = viewOf(json);
  let i = from;
  for (const last = json.length - WORD; i <= last && isPlainWord(view.getInt32(i, true)); i += WORD);
  for (let code = json[i] as number; code >= SPACE && code !== QUOTE && code !== BACKSLASH; code = json[++i] as number);
  return i;
}

/**
 * The index of the first byte from `from` that is not printable ASCII or is a quote or a backslash: the end of
 * a string JSON.stringify writes as it is.
 */
function printableEnd(json: Buffer, from: number): number {
  const view = viewOf(json);
  let i = from;
  for (const last = json.length - WORD; i <= last && isPrintableWord(view.getInt32(i, true)); i += WORD);
  for (let code = json[i] as number; code >= SPACE && code <= LAST_PRINTABLE && code !== QUOTE && code !== BACKSLASH; code = json[++i] as number);
  return i;
}

/** Escapes of characters that never continue a token, so never spell part of the prefix: `\" \\ \/ \b \f \n \r \t`. */
function isShortEscape(code: number): boolean {
  return code === QUOTE || code === BACKSLASH || code === 0x2f || code === 0x62 || code === 0x66 || code === 0x6e || code === 0x72 || code === 0x74;
}

/**
 * Reads a message (depth-1 string content) from `from` to its closing quote and returns that quote's index;
 * UNREAD at a control character, a `\u` or invalid escape, or the end of the payload.
 */
function scanMessageText(json: Buffer, from: number): number {
  let i = from;
  for (;;) {
    i = plainEnd(json, i);
    const code = json[i];
    if (code === QUOTE) return i;
    if (code !== BACKSLASH || !isShortEscape(json[i + 1] as number)) return UNREAD;
    i += 2;
  }
}

/**
 * Reads a message (depth-1 string content) from `from` up to the first occurrence of `prefix` and returns its
 * index, or the index of the message's closing quote when the prefix is not in it; UNREAD as scanMessageText.
 * The prefix is made of token characters (see prefixBytes): no escape spells part of it, so its occurrences in
 * the message are its byte occurrences outside escapes, which is where this looks. `firstBytes` is the
 * prefix's first byte repeated in a word (see isPlainWordWithout).
 */
function scanToPrefix(json: Buffer, from: number, prefix: Buffer, firstBytes: number): number {
  const view = viewOf(json);
  const first = prefix[0];
  let i = from;
  for (;;) {
    for (const last = json.length - WORD; i <= last && isPlainWordWithout(view.getInt32(i, true), firstBytes); i += WORD);
    const code = json[i] as number;
    if (code === first && regionEquals(json, i, prefix)) return i;
    if (code >= SPACE && code !== QUOTE && code !== BACKSLASH) i++;
    else if (code === QUOTE) return i;
    else if (code === BACKSLASH && isShortEscape(json[i + 1] as number)) i += 2;
    else return UNREAD;
  }
}

/** Separators between the prefix and the record (extract.ts), escaped for `depth`: returns the index after them. */
function skipSeparators(json: Buffer, from: number, depth: number): number {
  let i = from;
  for (;;) {
    const code = json[i];
    if (code === COLON || code === EQUALS) i++;
    else {
      const whitespace = whitespaceAt(json, i, depth);
      if (whitespace === 0) return i;
      i += whitespace;
    }
  }
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

/** Walks the log events of one payload, writing their NDJSON into `output`. */
class EventReader {
  readonly output: PayloadOutput;
  /** Where the event being read takes its default uniqueId and time from. */
  private readonly defaults: EventDefaults;
  /** The prefix's first byte repeated in a word, for scanToPrefix. */
  private readonly prefixFirstBytes: number;
  /** Whether the message readLineMessage read last held the record (else it was the prefix alone). */
  private messageHeldRecord = false;

  constructor(
    private readonly json: Buffer,
    private readonly prefix: Buffer,
    private readonly config: TransformConfig,
    private readonly timeWindow: MeterTimeWindow,
  ) {
    // Lines are shorter than their events, so room for the payload plus one line is rarely outgrown.
    this.output = new PayloadOutput(json.length + OUTPUT_SLACK);
    this.defaults = { bytes: json, idStart: 0, idEnd: 0, timeStart: 0, timeEnd: 0, timeWindow };
    this.prefixFirstBytes = repeatedByte(prefix[0] as number);
  }

  /** Reads the log events from `from` (just past `[`) to the end of the payload; false if laid out otherwise. */
  readEvents(from: number): boolean {
    const { json } = this;
    let i = from;
    if (json[i] !== CLOSE_BRACKET) {
      for (;;) {
        i = this.readEvent(i);
        if (i === UNREAD) return false;
        if (json[i] !== COMMA) break;
        i++;
      }
    }
    return json[i] === CLOSE_BRACKET && json[i + 1] === CLOSE_BRACE && i + 2 === json.length;
  }

  /** Reads the event at `start`; returns the index just past it, or UNREAD. */
  private readEvent(start: number): number {
    const { json, defaults } = this;
    if (!fixedAt(json, start, EVENT_OPEN)) return UNREAD;
    const idEnd = printableEnd(json, start + EVENT_OPEN.bytes.length);
    if (!fixedAt(json, idEnd, EVENT_TIMESTAMP)) return UNREAD;
    const timeStart = idEnd + EVENT_TIMESTAMP.bytes.length;
    const timeEnd = exactIntegerEnd(json, timeStart);
    if (timeEnd === UNREAD || !fixedAt(json, timeEnd, EVENT_MESSAGE)) return UNREAD;
    defaults.idStart = start + EVENT_OPEN.bytes.length - 1;
    defaults.idEnd = idEnd + 1;
    defaults.timeStart = timeStart;
    defaults.timeEnd = timeEnd;
    const messageStart = timeEnd + EVENT_MESSAGE.bytes.length;
    const mark = this.output.ndjson.length;
    let messageEnd = this.readMessage(messageStart);
    if (messageEnd === UNREAD) {
      this.output.ndjson.truncate(mark);
      messageEnd = this.transformDecoded(start, messageStart);
    }
    return messageEnd !== UNREAD && fixedAt(json, messageEnd, EVENT_CLOSE) ? messageEnd + EVENT_CLOSE.bytes.length : UNREAD;
  }

  /**
   * Decodes the event at `start` and transforms it by the general rules; returns the index of its message's
   * closing quote, or UNREAD when it is not valid JSON.
   */
  private transformDecoded(start: number, messageStart: number): number {
    const messageEnd = stringEnd(this.json, messageStart);
    if (messageEnd === -1) return UNREAD;
    let logEvent: LogEvent;
    try {
      logEvent = JSON.parse(this.json.toString('utf8', start, messageEnd + EVENT_CLOSE.bytes.length)) as LogEvent;
    } catch {
      return UNREAD;
    }
    transformLogEvent(logEvent, this.config, this.output, this.timeWindow);
    return messageEnd;
  }

  /**
   * Reads the message whose content starts at `start`, encoding its record; returns the index of its closing
   * quote, or UNREAD. As locateRecord does, a line that starts with `{` is a structured one.
   */
  private readMessage(start: number): number {
    const { json } = this;
    let first = start;
    for (let step = whitespaceAt(json, first, 1); step !== 0; step = whitespaceAt(json, first, 1)) first += step;
    if (json[first] === OPEN_BRACE) return this.readStructuredLine(first);
    const at = scanToPrefix(json, start, this.prefix, this.prefixFirstBytes);
    // The prefix starts with a token character, never a quote.
    if (at === UNREAD || json[at] === QUOTE) return at;
    return this.readTextRecord(at + this.prefix.length);
  }

  /**
   * Reads the record after the prefix of a TEXT line (`after` is just past the prefix) and the rest of the line.
   * The prefix needs no whole-token check here or in readLineMessage: a record opens with `{`, which does not
   * continue a token, so a longer token (`meter_record_for_stream_v2`) never reads as a record and falls back.
   */
  private readTextRecord(after: number): number {
    const { json } = this;
    const recordEnd = encodeRecordAt(json, skipSeparators(json, after, 1), 1, this.defaults, this.output.ndjson);
    if (recordEnd === -1) return UNREAD;
    const end = scanMessageText(json, recordEnd);
    if (end === UNREAD) return UNREAD;
    this.output.meterRecords++;
    return end;
  }

  /**
   * Reads a structured log line (an object of plain strings, numbers and literals, one `message` string with
   * the prefix) from its `{` at `open`, and encodes its one record: the one after the prefix in the message (the
   * Lambda JSON log format), or, when the message is the prefix alone, the one in the record field (Powertools
   * Logger). Returns the index of the log event message's closing quote.
   */
  private readStructuredLine(open: number): number {
    const { json } = this;
    let i = open + 1;
    let messages = 0;
    let recordFields = 0;
    let recordInMessage = false;
    for (;;) {
      if (!isQuoteAt(json, i, 1)) return UNREAD;
      const keyStart = i + 2;
      const keyEnd = plainEnd(json, keyStart);
      if (!isQuoteAt(json, keyEnd, 1) || json[keyEnd + 2] !== COLON) return UNREAD;
      i = keyEnd + 3;
      const keyLength = keyEnd - keyStart;
      if (keyLength === MESSAGE_KEY.length && regionEquals(json, keyStart, MESSAGE_KEY)) {
        // A second message would override the first: the general path decides.
        if (messages++ > 0) return UNREAD;
        i = this.readLineMessage(i);
        recordInMessage = this.messageHeldRecord;
      } else if (keyLength === RECORD_FIELD_KEY.length && regionEquals(json, keyStart, RECORD_FIELD_KEY)) {
        if (recordFields++ > 0) return UNREAD;
        i = encodeRecordAt(json, i, 1, this.defaults, this.output.ndjson);
      } else {
        i = lineValueEnd(json, i);
      }
      if (i === UNREAD) return UNREAD;
      const next = json[i++];
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) return UNREAD;
    }
    // One record, where the general path takes it from: a record field beside a record in the message is
    // ignored there, and a prefix alone without one is rejected there.
    if (messages === 0 || recordInMessage === recordFields > 0 || json[i] !== QUOTE) return UNREAD;
    this.output.meterRecords++;
    return i;
  }

  /**
   * Reads the `message` value of a structured line from its opening quote at `start`: plain text, the prefix,
   * then either the record (written out) and plain text, or nothing but separators (messageHeldRecord says
   * which). Returns the index just past its closing quote, or UNREAD.
   */
  private readLineMessage(start: number): number {
    const { json, prefix } = this;
    if (!isQuoteAt(json, start, 1)) return UNREAD;
    let at = start + 2;
    const textEnd = plainEnd(json, at);
    while (at < textEnd && !regionEquals(json, at, prefix)) at++;
    if (at === textEnd) return UNREAD;
    const recordStart = skipSeparators(json, at + prefix.length, 2);
    this.messageHeldRecord = !isQuoteAt(json, recordStart, 1);
    if (!this.messageHeldRecord) return recordStart + 2;
    const recordEnd = encodeRecordAt(json, recordStart, 2, this.defaults, this.output.ndjson);
    if (recordEnd === -1) return UNREAD;
    const end = plainEnd(json, recordEnd);
    return isQuoteAt(json, end, 1) ? end + 2 : UNREAD;
  }
}

/** The end of a non-negative integer at `start` written as String() writes it, or UNREAD. */
function exactIntegerEnd(json: Buffer, start: number): number {
  let i = start;
  while (isDigit(json[i] as number)) i++;
  const digits = i - start;
  if (digits === 0 || digits > MAX_EXACT_DIGITS || (digits > 1 && json[start] === 0x30)) return UNREAD;
  return i;
}

/** The end of a value other than `message` in a Lambda JSON line: a plain string, a number or a literal. */
function lineValueEnd(json: Buffer, start: number): number {
  if (isQuoteAt(json, start, 1)) {
    const end = plainEnd(json, start + 2);
    return isQuoteAt(json, end, 1) ? end + 2 : UNREAD;
  }
  const literal = LITERALS.find((word) => regionEquals(json, start, word));
  if (literal !== undefined) return start + literal.length;
  const end = numberEnd(json, start);
  return end === -1 ? UNREAD : end;
}

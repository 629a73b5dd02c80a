/**
 * Reads CloudWatch log events from what users have at hand: the JSON that `aws logs filter-log-events`
 * prints, or plain log lines (one event per line; indented lines and lines starting with `}` or `]`
 * continue the previous event, as a pretty-printed record does).
 */
// @ts-nocheck

import type { LogEvent } from '../../../transform/types.ts';
import { logEventId } from './payloads.ts';

export interface SourceLogEvent extends LogEvent {
  readonly logGroup: string;
  readonly logStream: string;
}

export interface LogInputOptions {
  /** `filter-log-events` output names the stream of each event but not the group. */
  readonly logGroup: string;
  /** Log stream for plain lines. */
  readonly logStream: string;
  /** Timestamp for plain lines before the first one that carries a time of its own. */
  readonly defaultTimestamp: number;
}

export class LogInputError extends Error {
  override readonly name = 'LogInputError';
}

export type LogInputFormat = 'filter-log-events' | 'lines';

export interface ParsedLogInput {
  readonly format: LogInputFormat;
  readonly events: SourceLogEvent[];
}

const EXPECTED = 'expected plain log lines or the JSON that `aws logs filter-log-events` prints';

/** The input file as text; binary data (a gzip file, an image, anything not UTF-8) is refused by name. */
export function decodeLogInput(bytes: Uint8Array, source = 'input'): string {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) throw new LogInputError(`${source} is gzip-compressed, not text: gunzip it first (${EXPECTED})`);
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new LogInputError(`${source} is binary, not text (a NUL byte at offset ${nul}): ${EXPECTED}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new LogInputError(`${source} is not UTF-8 text: ${EXPECTED}`);
  }
}

export function parseLogInput(text: string, options: LogInputOptions, source = 'input'): ParsedLogInput {
  const trimmed = text.trim();
  if (trimmed === '') throw new LogInputError(`${source} is empty: ${EXPECTED}`);
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const whole = parseJson(trimmed);
    if ('value' in whole && isObject(whole.value) && 'events' in whole.value) {
      return { format: 'filter-log-events', events: fromFilterLogEvents(whole.value, options, source) };
    }
    // One JSON value per line is a log in the Lambda JSON format; one document over several lines is not a log.
    const newline = trimmed.indexOf('\n');
    if ('error' in whole && (newline < 0 || 'error' in parseJson(trimmed.slice(0, newline)))) {
      throw new LogInputError(`${source} starts like JSON but does not parse (${whole.error}): it is neither log lines nor filter-log-events JSON`);
    }
    if ('value' in whole && newline >= 0) {
      throw new LogInputError(`${source} is a JSON document without an "events" array: it is neither log lines nor filter-log-events JSON`);
    }
  }
  return { format: 'lines', events: fromLines(text, options) };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): { readonly value: unknown } | { readonly error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function fromFilterLogEvents(document: object, options: LogInputOptions, source: string): SourceLogEvent[] {
  const events = (document as { events: unknown }).events;
  if (!Array.isArray(events)) throw new LogInputError(`${source}: "events" must be an array (aws logs filter-log-events output)`);
  return events.map((event: unknown, index) => {
    const fields = (event ?? {}) as Record<string, unknown>;
    const { timestamp, message } = fields;
    if (typeof timestamp !== 'number' || typeof message !== 'string') {
      throw new LogInputError(`${source}: events[${index}] needs a numeric "timestamp" and a string "message"`);
    }
    const eventId = typeof fields['eventId'] === 'string' ? fields['eventId'] : logEventId(timestamp, index + 1);
    const logStream = typeof fields['logStreamName'] === 'string' ? fields['logStreamName'] : options.logStream;
    return { id: eventId, timestamp, message, logGroup: options.logGroup, logStream };
  });
}

function fromLines(text: string, options: LogInputOptions): SourceLogEvent[] {
  const messages: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const continues = /^(\s|\}|\])/.test(line) && messages.length > 0;
    if (continues) messages[messages.length - 1] += `\n${line}`;
    else if (line.trim() !== '') messages.push(line);
  }
  let timestamp = options.defaultTimestamp;
  return messages.map((message, index) => {
    timestamp = lineTimestamp(message) ?? timestamp;
    return { id: logEventId(timestamp, index + 1), timestamp, message, logGroup: options.logGroup, logStream: options.logStream };
  });
}

const ISO_TIME = /^(?:\[[A-Z]+\]\t)?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)/;
const JSON_TIME = /^\{.*?"(?:timestamp|time)"\s*:\s*"(\d{4}-\d{2}-\d{2}T[^"]+)"/;

/** The time a Lambda log line carries: leading ISO time (Node.js, Python) or a JSON `timestamp` field. */
export function lineTimestamp(line: string): number | undefined {
  const iso = ISO_TIME.exec(line)?.[1] ?? JSON_TIME.exec(line)?.[1];
  if (iso === undefined) return undefined;
  const value = Date.parse(iso);
  return Number.isFinite(value) ? value : undefined;
}

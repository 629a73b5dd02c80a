/**
 * Reads CloudWatch log events from what users have at hand: the JSON that `aws logs filter-log-events`
 * prints, or plain log lines (one event per line; indented lines and lines starting with `}` or `]`
 * continue the previous event, as a pretty-printed record does).
 */
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

export function parseLogInput(text: string, options: LogInputOptions, source = 'input'): ParsedLogInput {
  const document = tryParseJson(text);
  if (document !== undefined && typeof document === 'object' && document !== null && !Array.isArray(document)) {
    if ('events' in document) return { format: 'filter-log-events', events: fromFilterLogEvents(document, options, source) };
  }
  return { format: 'lines', events: fromLines(text, options) };
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

function tryParseJson(text: string): unknown {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

/**
 * Finds the meter record that follows the prefix in a log event message, in every form a function can log it:
 * Lambda TEXT lines (Node.js and Python), the Lambda JSON log format, Powertools Logger output, pretty-printed
 * JSON, a JSON array of records, any separator after the prefix and any trailing text after the record.
 */
// @ts-nocheck

import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  CR,
  EQUALS,
  LF,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  SPACE,
  TAB,
} from './fast/char-codes.ts';
import type { RejectReason } from './types.ts';

/** In a structured (JSON) log line whose message is the prefix alone, the record sits in this field. */
export const RECORD_FIELD = 'meterRecord';
const MESSAGE_FIELDS = ['message', 'msg'] as const;

/** A record found after the prefix: its parsed value, or why it cannot be one. */
export type Found =
  | { readonly kind: 'record'; readonly value: unknown }
  | { readonly kind: 'error'; readonly reason: RejectReason; readonly detail: string };

export type Extraction = { readonly kind: 'none' } | Found;

/** Where a record's JSON text begins (`start`, after the prefix and its separators), not yet parsed. */
export interface RecordText {
  readonly kind: 'text';
  readonly text: string;
  readonly start: number;
}

const NONE: Extraction = { kind: 'none' };

function isSeparator(code: number): boolean {
  return code === SPACE || code === TAB || code === COLON || code === CR || code === LF || code === EQUALS;
}

function isWhitespace(code: number): boolean {
  return code === SPACE || code === TAB || code === CR || code === LF;
}

/** Letters, digits, `_`, `-` and `.` continue a token: `meter_record_for_stream_v2` is not our prefix. */
export function continuesToken(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f ||
    code === 0x2d ||
    code === 0x2e
  );
}

/** Index of the first occurrence of `prefix` as a whole token in `text` from `from`, or -1. */
function findPrefix(text: string, prefix: string, from = 0): number {
  let at = text.indexOf(prefix, from);
  while (at !== -1 && at + prefix.length < text.length && continuesToken(text.charCodeAt(at + prefix.length))) {
    at = text.indexOf(prefix, at + 1);
  }
  return at;
}

function firstNonWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/** Extracts the meter record (an object, or an array of objects) that `message` carries after `prefix`. */
export function extractRecord(message: string, prefix: string): Extraction {
  const located = locateRecord(message, prefix);
  return located.kind === 'text' ? parseRecordText(located.text, located.start) : located;
}

/**
 * Finds the record in `message`: its text when it follows the prefix in a string (the caller may encode it
 * without parsing), or the parsed value a structured line holds in its record field.
 */
export function locateRecord(message: string, prefix: string): Extraction | RecordText {
  const at = findPrefix(message, prefix);
  if (at === -1) return NONE;
  if (at > 0) {
    const start = firstNonWhitespace(message, 0);
    if (start < at && message.charCodeAt(start) === OPEN_BRACE) {
      const structured = locateInStructuredLine(message, prefix);
      if (structured !== undefined) return structured;
    }
  }
  return textAfterPrefix(message, at + prefix.length);
}

function textAfterPrefix(text: string, from: number): Extraction | RecordText {
  const start = skipSeparators(text, from);
  if (start >= text.length) return { kind: 'error', reason: 'MISSING_RECORD', detail: 'nothing follows the prefix' };
  return { kind: 'text', text, start };
}

function locateInStructuredLine(line: string, prefix: string): Extraction | RecordText | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  return locateInStructured(parsed, prefix, 0);
}

const MAX_NESTED_MESSAGES = 2;

function locateInStructured(value: unknown, prefix: string, depth: number): Extraction | RecordText | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entry = value as Record<string, unknown>;
  for (const field of MESSAGE_FIELDS) {
    const message = entry[field];
    if (typeof message === 'string') {
      const at = findPrefix(message, prefix);
      if (at === -1) continue;
      const after = skipSeparators(message, at + prefix.length);
      if (after < message.length) return { kind: 'text', text: message, start: after };
      if (Object.hasOwn(entry, RECORD_FIELD)) return { kind: 'record', value: entry[RECORD_FIELD] };
      return {
        kind: 'error',
        reason: 'MISSING_RECORD',
        detail: `structured log line has the prefix as its ${field} but no "${RECORD_FIELD}" field`,
      };
    }
    if (depth < MAX_NESTED_MESSAGES && typeof message === 'object') {
      const nested = locateInStructured(message, prefix, depth + 1);
      if (nested !== undefined) return nested;
    }
  }
  return undefined;
}

function skipSeparators(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSeparator(text.charCodeAt(i))) i++;
  return i;
}

/** util.inspect output (`{ meterApiName: 'x' }`): the object was logged instead of its JSON. */
const INSPECT_OUTPUT = /^\[?\s*\{\s*(?:[A-Za-z_$][\w$]*|'[^']*')\s*:/;

/** Parses the record whose JSON text begins at `start`, ignoring any text after it. */
export function parseRecordText(text: string, start: number): Found {
  const open = text.charCodeAt(start);
  if (open !== OPEN_BRACE && open !== OPEN_BRACKET) {
    return parseScalarOrFail(text.slice(start).trim());
  }
  // Fast path: the record runs to the last closing bracket of its kind (trailing text has none).
  const last = text.lastIndexOf(open === OPEN_BRACE ? '}' : ']');
  if (last > start) {
    const parsed = tryParse(text.slice(start, last + 1));
    if (parsed.ok) return { kind: 'record', value: parsed.value };
  }
  const end = findJsonEnd(text, start);
  if (end !== -1 && end !== last) {
    const parsed = tryParse(text.slice(start, end + 1));
    if (parsed.ok) return { kind: 'record', value: parsed.value };
  }
  const candidate = text.slice(start, end === -1 ? undefined : end + 1);
  if (INSPECT_OUTPUT.test(candidate)) {
    return {
      kind: 'error',
      reason: 'UTIL_INSPECT_OUTPUT',
      detail: 'the record was logged as an object (util.inspect text), not as JSON: log JSON.stringify(record)',
    };
  }
  const failure = tryParse(candidate);
  return {
    kind: 'error',
    reason: 'INVALID_JSON',
    detail: end === -1 ? 'the JSON after the prefix is not closed' : `the text after the prefix is not valid JSON: ${failure.ok ? '' : failure.error}`,
  };
}

function parseScalarOrFail(text: string): Found {
  const parsed = tryParse(text);
  if (parsed.ok) {
    return { kind: 'error', reason: 'NOT_AN_OBJECT', detail: `expected a JSON object or array after the prefix, got ${typeof parsed.value}` };
  }
  return { kind: 'error', reason: 'INVALID_JSON', detail: 'expected a JSON object or array after the prefix' };
}

type ParseResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

function tryParse(text: string): ParseResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** Index of the bracket that closes the JSON value opening at `start` (strings skipped), or -1. */
export function findJsonEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

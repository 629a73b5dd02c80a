/**
 * The log events of a DATA_MESSAGE laid out as CloudWatch Logs writes it (`{"id":"…","timestamp":…,"message":"…"}`,
 * comma-separated, the array closing the payload), each message read for the prefix and its record: after the
 * prefix in a TEXT line, or in a structured line's `message` or record field.
 */
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, DIGIT_0, EQUALS, OPEN_BRACE, QUOTE, SPACE } from '../char-codes';
import { derivedIdLength, setDefaults, timeEnd, timeStart } from './defaults';
import { MAX_DIMENSIONS } from './dimensions';
import { byteAt, fixedAt, inputEndsAt, isDigit, isQuoteAt, isShortEscape, plainEnd, printableEnd, regionEquals, textEquals, unplainBytes, whitespaceAt } from './input';
import { MAX_EXACT_DIGITS, numberEnd } from './numbers';
import { hasRoomFor, outputPosition, rewindOutput } from './output';
import { encodeRecordAt } from './record';
import { EVENT_CLOSE, EVENT_MESSAGE, EVENT_OPEN, EVENT_TIMESTAMP, FALSE, MESSAGE_KEY, NULL, RECORD_FIELD_KEY, TRUE, textLength } from './texts';

// Results of readEvents.
export const DONE: i32 = 0;
export const NEEDS_RULES: i32 = 1;
export const NEEDS_ROOM: i32 = 2;
export const UNREADABLE: i32 = 3;

/** Result of a read that could not be done exactly on the bytes: the general rules decide. */
const UNREAD: i32 = -1;
/** Room for the fixed text of a line and the quotes and commas around the dimensions. */
const LINE_OVERHEAD: i32 = 128 + MAX_DIMENSIONS * 6;

let prefixStart: i32 = 0;
let prefixLength: i32 = 0;
let meterRecords: i32 = 0;
/** The event readEvents stopped at, and where its message's content starts. */
let eventStart: i32 = 0;
let messageStart: i32 = 0;
/** Whether the message readLineMessage read last held the record (else it was the prefix alone). */
let messageHeldRecord: bool = false;

/** Where the prefix is (its bytes, token characters only); resets the count of records written. */
export function setPrefix(start: i32, length: i32): void {
  prefixStart = start;
  prefixLength = length;
  meterRecords = 0;
}

export function recordsWritten(): i32 {
  return meterRecords;
}

export function stoppedEvent(): i32 {
  return eventStart;
}

export function stoppedMessage(): i32 {
  return messageStart;
}

/**
 * Reads a message (depth-1 string content) from `from` to its closing quote and returns that quote's index; UNREAD
 * at a control character, a `\u` or invalid escape, or the end of the payload.
 */
function scanMessageText(from: i32): i32 {
  let i = from;
  for (;;) {
    i = plainEnd(i);
    const code = byteAt(i);
    if (code == QUOTE) return i;
    if (code != BACKSLASH || !isShortEscape(byteAt(i + 1))) return UNREAD;
    i += 2;
  }
  return unreachable();
}

/**
 * Reads a message (depth-1 string content) from `from` up to the first occurrence of the prefix and returns its
 * index, or the index of the message's closing quote when the prefix is not in it; UNREAD as scanMessageText. The
 * prefix is made of token characters: no escape spells part of it, so its occurrences in the message are its byte
 * occurrences outside escapes, which is where this looks.
 */
function scanToPrefix(from: i32): i32 {
  const first = byteAt(prefixStart);
  const firsts = i8x16.splat(<i8>first);
  let i = from;
  for (;;) {
    for (;; i += 16) {
      const v = v128.load(<usize>i);
      const mask = i8x16.bitmask(v128.or(unplainBytes(v), i8x16.eq(v, firsts)));
      if (mask != 0) {
        i += ctz(mask);
        break;
      }
    }
    const code = byteAt(i);
    if (code == first && regionEquals(i, prefixStart, prefixLength)) return i;
    if (code >= SPACE && code != QUOTE && code != BACKSLASH) i++;
    else if (code == QUOTE) return i;
    else if (code == BACKSLASH && isShortEscape(byteAt(i + 1))) i += 2;
    else return UNREAD;
  }
  return unreachable();
}

/** Separators between the prefix and the record (extract.ts), escaped for `depth`: returns the index after them. */
function skipSeparators(from: i32, depth: i32): i32 {
  let i = from;
  for (let step = separatorAt(i, depth); step != 0; step = separatorAt(i, depth)) i += step;
  return i;
}

/** Length of the separator, escaped for `depth`, at `i` (0 for none). */
function separatorAt(i: i32, depth: i32): i32 {
  const code = byteAt(i);
  return code == COLON || code == EQUALS ? 1 : whitespaceAt(i, depth);
}

/** The end of a non-negative integer at `start` written as String() writes it, or UNREAD. */
function exactIntegerEnd(start: i32): i32 {
  let i = start;
  while (isDigit(byteAt(i))) i++;
  const digits = i - start;
  if (digits == 0 || digits > MAX_EXACT_DIGITS || (digits > 1 && byteAt(start) == DIGIT_0)) return UNREAD;
  return i;
}

/** The end of a value other than `message` in a Lambda JSON line: a plain string, a number or a literal. */
function lineValueEnd(start: i32): i32 {
  if (isQuoteAt(start, 1)) {
    const end = plainEnd(start + 2);
    return isQuoteAt(end, 1) ? end + 2 : UNREAD;
  }
  if (textEquals(start, TRUE)) return start + textLength(TRUE);
  if (textEquals(start, FALSE)) return start + textLength(FALSE);
  if (textEquals(start, NULL)) return start + textLength(NULL);
  const end = numberEnd(start);
  return end == -1 ? UNREAD : end;
}

/**
 * Reads the record after the prefix of a TEXT line (`after` is just past the prefix) and the rest of the line. The
 * prefix needs no whole-token check here or in readLineMessage: a record opens with `{`, which does not continue a
 * token, so a longer token (`meter_record_for_stream_v2`) never reads as a record and falls back.
 */
function readTextRecord(after: i32): i32 {
  const recordEnd = encodeRecordAt(skipSeparators(after, 1), 1);
  if (recordEnd == -1) return UNREAD;
  const end = scanMessageText(recordEnd);
  if (end == UNREAD) return UNREAD;
  meterRecords++;
  return end;
}

/**
 * Reads the `message` value of a structured line from its opening quote at `start`: plain text, the prefix, then
 * either the record (written out) and plain text, or nothing but separators (messageHeldRecord says which).
 * Returns the index just past its closing quote, or UNREAD.
 */
function readLineMessage(start: i32): i32 {
  if (!isQuoteAt(start, 1)) return UNREAD;
  let at = start + 2;
  const textEnd = plainEnd(at);
  while (at < textEnd && !regionEquals(at, prefixStart, prefixLength)) at++;
  if (at == textEnd) return UNREAD;
  const recordStart = skipSeparators(at + prefixLength, 2);
  messageHeldRecord = !isQuoteAt(recordStart, 1);
  if (!messageHeldRecord) return recordStart + 2;
  const recordEnd = encodeRecordAt(recordStart, 2);
  if (recordEnd == -1) return UNREAD;
  const end = plainEnd(recordEnd);
  return isQuoteAt(end, 1) ? end + 2 : UNREAD;
}

/**
 * Reads a structured log line (an object of plain strings, numbers and literals, one `message` string with the
 * prefix) from its `{` at `open`, and encodes its one record: the one after the prefix in the message (the Lambda
 * JSON log format), or, when the message is the prefix alone, the one in the record field (Powertools Logger).
 * Returns the index of the log event message's closing quote.
 */
function readStructuredLine(open: i32): i32 {
  let i = open + 1;
  let messages = 0;
  let recordFields = 0;
  let recordInMessage = false;
  const messageKeyLength = textLength(MESSAGE_KEY);
  const recordKeyLength = textLength(RECORD_FIELD_KEY);
  for (;;) {
    if (!isQuoteAt(i, 1)) return UNREAD;
    const keyStart = i + 2;
    const keyEnd = plainEnd(keyStart);
    if (!isQuoteAt(keyEnd, 1) || byteAt(keyEnd + 2) != COLON) return UNREAD;
    i = keyEnd + 3;
    const keyLength = keyEnd - keyStart;
    if (keyLength == messageKeyLength && textEquals(keyStart, MESSAGE_KEY)) {
      // A second message would override the first: the general rules decide.
      if (messages++ > 0) return UNREAD;
      i = readLineMessage(i);
      recordInMessage = messageHeldRecord;
    } else if (keyLength == recordKeyLength && textEquals(keyStart, RECORD_FIELD_KEY)) {
      if (recordFields++ > 0) return UNREAD;
      i = encodeRecordAt(i, 1);
    } else {
      i = lineValueEnd(i);
    }
    if (i == UNREAD) return UNREAD;
    const next = byteAt(i++);
    if (next == CLOSE_BRACE) break;
    if (next != COMMA) return UNREAD;
  }
  // One record, where the general rules take it from: a record field beside a record in the message is ignored
  // there, and a prefix alone without one is rejected there.
  if (messages == 0 || recordInMessage == recordFields > 0 || byteAt(i) != QUOTE) return UNREAD;
  meterRecords++;
  return i;
}

/**
 * Reads the message whose content starts at `start`, encoding its record; returns the index of its closing quote,
 * or UNREAD. As the general rules do, a line that starts with `{` is a structured one.
 */
function readMessage(start: i32): i32 {
  let first = start;
  for (let step = whitespaceAt(first, 1); step != 0; step = whitespaceAt(first, 1)) first += step;
  if (byteAt(first) == OPEN_BRACE) return readStructuredLine(first);
  const at = scanToPrefix(start);
  // The prefix starts with a token character, never a quote.
  if (at == UNREAD || byteAt(at) == QUOTE) return at;
  return readTextRecord(at + prefixLength);
}

/** Reads the event at `start`; returns the index just past it, or minus the result readEvents returns. */
function readEvent(start: i32): i32 {
  if (!fixedAt(start, EVENT_OPEN)) return -UNREADABLE;
  const idEndAt = printableEnd(start + textLength(EVENT_OPEN));
  if (!fixedAt(idEndAt, EVENT_TIMESTAMP)) return -UNREADABLE;
  const timeStartAt = idEndAt + textLength(EVENT_TIMESTAMP);
  const timeEndAt = exactIntegerEnd(timeStartAt);
  if (timeEndAt == UNREAD || !fixedAt(timeEndAt, EVENT_MESSAGE)) return -UNREADABLE;
  setDefaults(start + textLength(EVENT_OPEN) - 1, idEndAt + 1, timeStartAt, timeEndAt);
  messageStart = timeEndAt + textLength(EVENT_MESSAGE);
  // A line is never longer than the rest of the input plus the derived uniqueId and time.
  if (!hasRoomFor(inputEndsAt() - messageStart + derivedIdLength() + (timeEnd - timeStart) + LINE_OVERHEAD)) return -NEEDS_ROOM;
  const messageEnd = readMessage(messageStart);
  if (messageEnd == UNREAD) return -NEEDS_RULES;
  return fixedAt(messageEnd, EVENT_CLOSE) ? messageEnd + textLength(EVENT_CLOSE) : -UNREADABLE;
}

/**
 * Reads log events from `from`: the first one of the array (just past its `[`), or, `afterEvent`, the separator
 * after an event. Returns DONE past the array's end (which ends the payload), NEEDS_RULES or NEEDS_ROOM with the
 * event at stoppedEvent() (its output dropped), or UNREADABLE.
 */
export function readEvents(from: i32, afterEvent: bool): i32 {
  let i = from;
  if (!afterEvent && byteAt(i) == CLOSE_BRACKET) return closes(i);
  for (;;) {
    if (afterEvent) {
      if (byteAt(i) != COMMA) return closes(i);
      i++;
    }
    afterEvent = true;
    eventStart = i;
    const mark = outputPosition();
    const records = meterRecords;
    const end = readEvent(i);
    if (end < 0) {
      rewindOutput(mark);
      meterRecords = records;
      return -end;
    }
    i = end;
  }
  return unreachable();
}

function closes(i: i32): i32 {
  return byteAt(i) == CLOSE_BRACKET && byteAt(i + 1) == CLOSE_BRACE && i + 2 == inputEndsAt() ? DONE : UNREADABLE;
}

/**
 * The fixed texts the scanner matches and writes, each in a 64-byte slot (zero-padded, so 16-byte loads of a slot
 * stay inside it); those of the compact record once per depth (id + depth), their quotes escaped for it.
 */
import { BACKSLASH, QUOTE } from '../char-codes';

const SLOT: i32 = 64;
const TEXT_SLOTS: i32 = 64;
const TEXTS: usize = memory.data(SLOT * TEXT_SLOTS, 16);
const TEXT_LENGTHS: usize = memory.data(TEXT_SLOTS);

export const EVENT_OPEN: i32 = 0;
export const EVENT_TIMESTAMP: i32 = 1;
export const EVENT_MESSAGE: i32 = 2;
export const EVENT_CLOSE: i32 = 3;
export const MESSAGE_KEY: i32 = 4;
export const RECORD_FIELD_KEY: i32 = 5;
export const TRUE: i32 = 6;
export const FALSE: i32 = 7;
export const NULL: i32 = 8;
export const METER_API_NAME: i32 = 9;
export const CUSTOMER_ID: i32 = 10;
export const METER_VALUE: i32 = 11;
export const DIMENSIONS: i32 = 12;
export const METER_TIME: i32 = 13;
export const UNIQUE_ID: i32 = 14;
export const PROTO: i32 = 15;
export const PROTOTYPE: i32 = 16;
export const CONSTRUCTOR: i32 = 17;
export const FIVE_ZEROS: i32 = 18;
export const OPEN_NAME: i32 = 19;
export const THEN_CUSTOMER: i32 = 20;
export const THEN_TIME: i32 = 21;
export const THEN_VALUE: i32 = 22;
export const THEN_UNIQUE_ID: i32 = 23;
export const THEN_DIMENSIONS: i32 = 24;
export const DIMENSION_SEPARATOR: i32 = 25;
export const CLOSE_LINE: i32 = 26;
export const OUT_DIMENSIONS: i32 = 27;
export const OUT_DIMENSION_NEXT: i32 = 28;
export const OUT_DIMENSIONS_END: i32 = 29;
// The record in its most common form, escaped for each depth: compact, every field there but the uniqueId (which
// may be) in the order they are written in, dimensions of strings. Its line is the record unescaped.
export const COMPACT_OPEN: i32 = 30;
export const COMPACT_CUSTOMER: i32 = 33;
export const COMPACT_TIME: i32 = 36;
export const COMPACT_VALUE: i32 = 39;
export const COMPACT_UNIQUE_ID: i32 = 42;
export const COMPACT_DIMENSIONS: i32 = 45;
export const COMPACT_STRING_END: i32 = 48;
export const COMPACT_DIMENSION_COLON: i32 = 51;
export const COMPACT_DIMENSION_NEXT: i32 = 54;
export const COMPACT_DIMENSIONS_END: i32 = 57;

@inline export function textAt(id: i32): usize {
  return TEXTS + <usize>(id * SLOT);
}

@inline export function textLength(id: i32): i32 {
  return <i32>load<u8>(TEXT_LENGTHS + <usize>id);
}

/** Writes `text` into slot `id` with its quotes escaped for `depth` (`"`, `\"`, `\\\"`). */
function define(id: i32, text: string, depth: i32 = 0): void {
  const slot = textAt(id);
  let length = 0;
  for (let k = 0; k < text.length; k++) {
    const code = text.charCodeAt(k);
    if (code == QUOTE) {
      for (let b = 0; b < (1 << depth) - 1; b++) {
        store<u8>(slot + <usize>length, <u8>BACKSLASH);
        length++;
      }
    }
    store<u8>(slot + <usize>length, <u8>code);
    length++;
  }
  store<u8>(TEXT_LENGTHS + <usize>id, <u8>length);
}

function defineForDepths(id: i32, text: string): void {
  for (let depth = 0; depth < 3; depth++) define(id + depth, text, depth);
}

/** Fills the fixed texts: once, before anything else. */
export function defineTexts(): void {
  define(EVENT_OPEN, '{"id":"');
  define(EVENT_TIMESTAMP, '","timestamp":');
  define(EVENT_MESSAGE, ',"message":"');
  define(EVENT_CLOSE, '"}');
  define(MESSAGE_KEY, 'message');
  define(RECORD_FIELD_KEY, 'meterRecord');
  define(TRUE, 'true');
  define(FALSE, 'false');
  define(NULL, 'null');
  define(METER_API_NAME, 'meterApiName');
  define(CUSTOMER_ID, 'customerId');
  define(METER_VALUE, 'meterValue');
  define(DIMENSIONS, 'dimensions');
  define(METER_TIME, 'meterTimeInMillis');
  define(UNIQUE_ID, 'uniqueId');
  define(PROTO, '__proto__');
  define(PROTOTYPE, 'prototype');
  define(CONSTRUCTOR, 'constructor');
  define(FIVE_ZEROS, '00000');
  define(OPEN_NAME, '{"meterApiName":"');
  define(THEN_CUSTOMER, '","customerId":"');
  define(THEN_TIME, '","meterTimeInMillis":');
  define(THEN_VALUE, ',"meterValue":');
  define(THEN_UNIQUE_ID, ',"uniqueId":');
  define(THEN_DIMENSIONS, ',"dimensions":{');
  define(DIMENSION_SEPARATOR, '":"');
  define(CLOSE_LINE, '}\n');
  define(OUT_DIMENSIONS, ',"dimensions":{"');
  define(OUT_DIMENSION_NEXT, '","');
  define(OUT_DIMENSIONS_END, '"}');
  defineForDepths(COMPACT_OPEN, '{"meterApiName":"');
  defineForDepths(COMPACT_CUSTOMER, '","customerId":"');
  defineForDepths(COMPACT_TIME, '","meterTimeInMillis":');
  defineForDepths(COMPACT_VALUE, ',"meterValue":');
  defineForDepths(COMPACT_UNIQUE_ID, ',"uniqueId":"');
  defineForDepths(COMPACT_DIMENSIONS, ',"dimensions":{"');
  defineForDepths(COMPACT_STRING_END, '"');
  defineForDepths(COMPACT_DIMENSION_COLON, '":"');
  defineForDepths(COMPACT_DIMENSION_NEXT, '","');
  defineForDepths(COMPACT_DIMENSIONS_END, '"}');
}

/**
 * What a record without uniqueId or meterTimeInMillis takes from its log event: the id's JSON string literal (quotes
 * included) and the timestamp's digits, as absolute byte ranges; and the text (escaped) its uniqueId starts with.
 */
import { copy } from './output';

export let idStart: i32 = 0;
export let idEnd: i32 = 0;
export let timeStart: i32 = 0;
export let timeEnd: i32 = 0;

export function setDefaults(defaultIdStart: i32, defaultIdEnd: i32, defaultTimeStart: i32, defaultTimeEnd: i32): void {
  idStart = defaultIdStart;
  idEnd = defaultIdEnd;
  timeStart = defaultTimeStart;
  timeEnd = defaultTimeEnd;
}

let idPrefixStart: i32 = 0;
let idPrefixEnd: i32 = 0;

export function setIdPrefix(start: i32, length: i32): void {
  idPrefixStart = start;
  idPrefixEnd = start + length;
}

/** Length of the derived uniqueId's JSON string literal. */
export function derivedIdLength(): i32 {
  return idEnd - idStart + idPrefixEnd - idPrefixStart;
}

/** Writes the derived uniqueId's JSON string literal: its opening quote, the prefix, then the rest of the id. */
export function writeDerivedId(): void {
  if (idPrefixEnd == idPrefixStart) {
    copy(idStart, idEnd);
    return;
  }
  copy(idStart, idStart + 1);
  copy(idPrefixStart, idPrefixEnd);
  copy(idStart + 1, idEnd);
}

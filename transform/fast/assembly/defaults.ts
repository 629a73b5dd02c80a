/**
 * What a record without uniqueId or meterTimeInMillis takes from its log event: the id's JSON string literal (quotes
 * included) and the timestamp's digits, as absolute byte ranges.
 */
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

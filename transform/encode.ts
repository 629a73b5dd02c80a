/** Amberflo ingest records → newline-delimited JSON, in one fixed key order. */
import type { MeterRecord } from './types.ts';

/**
 * One NDJSON line ending in `\n`. Keys always come in the same order (dimensions sorted by name), so the same
 * record always encodes to the same bytes.
 */
export function encodeMeterRecord(record: MeterRecord): string {
  let line =
    `{"meterApiName":${JSON.stringify(record.meterApiName)}` +
    `,"customerId":${JSON.stringify(record.customerId)}` +
    `,"meterTimeInMillis":${record.meterTimeInMillis}` +
    `,"meterValue":${record.meterValue}` +
    `,"uniqueId":${JSON.stringify(record.uniqueId)}`;
  const { dimensions } = record;
  if (dimensions !== undefined) {
    let separator = '{';
    line += ',"dimensions":';
    for (const key in dimensions) {
      line += `${separator}${JSON.stringify(key)}:${JSON.stringify(dimensions[key])}`;
      separator = ',';
    }
    line += '}';
  }
  return `${line}}\n`;
}

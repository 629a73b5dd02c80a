/** Amberflo ingest records → newline-delimited JSON, in one fixed key order. */
// @ts-nocheck

import type { MeterRecord } from './types.ts';

/**
 * One NDJSON line ending in `\n`. Keys always come in the same order, so the same record always encodes to
 * the same bytes. One native JSON.stringify of a fresh object literal is the fastest way V8 offers to do it.
 */
export function encodeMeterRecord(record: MeterRecord): string {
  const { dimensions } = record;
  const canonical =
    dimensions === undefined
      ? {
          meterApiName: record.meterApiName,
          customerId: record.customerId,
          meterTimeInMillis: record.meterTimeInMillis,
          meterValue: record.meterValue,
          uniqueId: record.uniqueId,
        }
      : {
          meterApiName: record.meterApiName,
          customerId: record.customerId,
          meterTimeInMillis: record.meterTimeInMillis,
          meterValue: record.meterValue,
          uniqueId: record.uniqueId,
          dimensions,
        };
  return `${JSON.stringify(canonical)}\n`;
}

// @ts-nocheck
import type { FirehoseTransformationResult } from 'aws-lambda';

const NEWLINE = 0x0a;

/** Meter records a transformation result delivers: NDJSON lines across its `Ok` records. */
export function meterRecordsIn(result: FirehoseTransformationResult): number {
  let records = 0;
  for (const { result: status, data } of result.records) {
    if (status !== 'Ok' || data === undefined) continue;
    records += ndjsonLines(Buffer.from(data, 'base64'));
  }
  return records;
}

/** Lines in NDJSON text, with or without a newline after the last one. */
export function ndjsonLines(ndjson: Buffer): number {
  if (ndjson.length === 0) return 0;
  let lines = ndjson[ndjson.length - 1] === NEWLINE ? 0 : 1;
  for (let at = ndjson.indexOf(NEWLINE); at !== -1; at = ndjson.indexOf(NEWLINE, at + 1)) lines++;
  return lines;
}

/** Bytes of the response as the Lambda runtime serializes it, the figure held to the 6 MB budget. */
export function responseBytes(result: FirehoseTransformationResult): number {
  return Buffer.byteLength(JSON.stringify(result));
}

/** Occurrences of `text` across the data of a result's `Ok` records: the log lines a pass-through delivered. */
export function occurrencesIn(result: FirehoseTransformationResult, text: string): number {
  const needle = Buffer.from(text);
  let count = 0;
  for (const { result: status, data } of result.records) {
    if (status !== 'Ok' || data === undefined) continue;
    const bytes = Buffer.from(data, 'base64');
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + needle.length)) count++;
  }
  return count;
}

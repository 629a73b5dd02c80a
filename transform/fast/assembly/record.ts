/** A meter record's NDJSON line, from its bytes: the compact form first, then any plain form. */
import { writeCompactRecord } from './compact-record';
import { outputPosition, rewindOutput } from './output';
import { encodePlainRecord } from './plain-record';

/**
 * Writes the NDJSON line for the record whose JSON object starts at `start`, `depth` strings deep, and returns the
 * index just past the object; returns -1, having written nothing, when the record is not in a plain form.
 */
export function encodeRecordAt(start: i32, depth: i32): i32 {
  const mark = outputPosition();
  const compactEnd = writeCompactRecord(start, depth);
  if (compactEnd != -1) return compactEnd;
  rewindOutput(mark);
  const end = encodePlainRecord(start, depth);
  if (end == -1) rewindOutput(mark);
  return end;
}

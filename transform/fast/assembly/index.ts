/**
 * The hot path, compiled to WebAssembly with 128-bit SIMD (AssemblyScript): reads the log events of a CloudWatch
 * Logs DATA_MESSAGE straight from its gunzipped bytes and writes the NDJSON line of every meter record in the plain
 * form nearly every record takes, where it lies (transform/fast/scanner.ts and fast-payload.ts are the host side).
 * A log event it cannot read exactly stops the scan with NEEDS_RULES, and the host transforms that event by the
 * general rules (transform/payload.ts), which define them; a payload laid out otherwise stops it with UNREADABLE.
 * Differential tests hold both paths to the same result.
 *
 * Quoted strings are read in their escaped form: a log event message is depth 1 (its quotes are `\"`), the message
 * field of a Lambda JSON log line inside it depth 2 (`\\\"`); a record the host decoded itself is depth 0.
 *
 * Memory: past the static data (staticEnd()), the host places the input, the prefix and the output where
 * `configure` says: the input and the prefix followed by 64 zero bytes (input.ts), the output by slack for
 * 16-byte stores (output.ts).
 */
import { setDefaults, setIdPrefix } from './defaults';
import { setPrefix } from './events';
import { setInputEnd } from './input';
import { setTimeWindow } from './numbers';
import { setOutput } from './output';
import { encodeRecordAt } from './record';
import { defineTexts } from './texts';

export { DONE, NEEDS_ROOM, NEEDS_RULES, UNREADABLE, readEvents, recordsWritten, stoppedEvent, stoppedMessage } from './events';
export { advanceOutput, outputPosition, setOutputEnd } from './output';

/** Fills the fixed texts; the host calls it once, before anything else. */
export function init(): void {
  defineTexts();
}

/**
 * Sets where the input, the prefix, the text derived uniqueIds start with (escaped JSON string content, after the
 * opening quote) and the output are, and the meter times accepted; resets the counts.
 */
export function configure(
  input: i32,
  length: i32,
  prefix: i32,
  prefixLength: i32,
  idPrefix: i32,
  idPrefixLength: i32,
  output: i32,
  outputCapacity: i32,
  earliestTime: f64,
  latestTime: f64,
): void {
  setInputEnd(input + length);
  setPrefix(prefix, prefixLength);
  setIdPrefix(idPrefix, idPrefixLength);
  setOutput(output, output + outputCapacity);
  setTimeWindow(earliestTime, latestTime);
}

/**
 * The line of one record the host decoded (depth 0) from `start`, its defaults at the given ranges; returns the
 * index past the record, or -1 when it is not in a plain form. The output region must have room for the
 * record's length, the defaults' and 512 bytes.
 */
export function encodeRecord(start: i32, defaultIdStart: i32, defaultIdEnd: i32, defaultTimeStart: i32, defaultTimeEnd: i32): i32 {
  setDefaults(defaultIdStart, defaultIdEnd, defaultTimeStart, defaultTimeEnd);
  return encodeRecordAt(start, 0);
}

/** Where the host may place its regions: past the static data. */
export function staticEnd(): i32 {
  return <i32>__heap_base;
}

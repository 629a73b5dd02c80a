/**
 * The host side of the WebAssembly scanner (transform/fast/assembly/): instances made on first use, their memory
 * reused payload after payload. Memory holds, past the scanner's own static data, the inputs (a payload and the
 * prefix, or a record and its defaults) and the output, each region 16-byte aligned; the inputs are followed by
 * zero bytes, where every scan stops, and the output by slack for the scanner's 16-byte stores.
 */
import scannerWasm from './assembly/scanner.wasm';
import { MAX_METER_TIME, MIN_METER_TIME, WHOLE_METER_TIME_RANGE, type MeterTimeWindow } from '../validate.ts';

interface ScannerExports {
  readonly memory: WebAssembly.Memory;
  readonly DONE: WebAssembly.Global;
  readonly NEEDS_RULES: WebAssembly.Global;
  readonly NEEDS_ROOM: WebAssembly.Global;
  readonly UNREADABLE: WebAssembly.Global;
  init(): void;
  configure(input: number, length: number, prefix: number, prefixLength: number, idPrefix: number, idPrefixLength: number, output: number, capacity: number, earliest: number, latest: number): void;
  setOutputEnd(end: number): void;
  advanceOutput(count: number): void;
  outputPosition(): number;
  recordsWritten(): number;
  stoppedEvent(): number;
  stoppedMessage(): number;
  staticEnd(): number;
  readEvents(from: number, afterEvent: number): number;
  encodeRecord(start: number, idStart: number, idEnd: number, timeStart: number, timeEnd: number): number;
}

/** Where readEvents stopped. */
export type ScanStop = 'done' | 'needs-rules' | 'unreadable';

/** Zero bytes after the input and the prefix: longer than any read past a byte the scanner has checked. */
const PADDING = 64;
/** Bytes past the output region the scanner may store into (whole 16-byte vectors, a fixed text's 64-byte slot). */
const OUTPUT_SLACK = 128;
/** Room for one line beyond the input's size: lines are shorter than their events. */
const OUTPUT_ROOM = 4096;
const PAGE_BYTES = 65_536;
/**
 * Memory an instance keeps for the next payload. WebAssembly memory never shrinks: an instance a larger payload
 * grew past this is dropped once done with, and the next payload gets a fresh one (the module stays compiled).
 */
const RETAINED_MEMORY_BYTES = 16 * 1024 * 1024;

const align = (offset: number): number => Math.ceil(offset / 16) * 16;
const EMPTY = new Uint8Array(0);

let compiled: WebAssembly.Module | undefined;
let statuses: ReadonlyMap<number, ScanStop | 'needs-room'>;

function instantiate(): ScannerExports {
  compiled ??= new WebAssembly.Module(scannerWasm);
  const exports = new WebAssembly.Instance(compiled, {}).exports as unknown as ScannerExports;
  exports.init();
  statuses ??= new Map([
    [exports.DONE.value as number, 'done'],
    [exports.NEEDS_RULES.value as number, 'needs-rules'],
    [exports.NEEDS_ROOM.value as number, 'needs-room'],
    [exports.UNREADABLE.value as number, 'unreadable'],
  ]);
  return exports;
}

/**
 * Two instances, each with its own memory: one reads payloads, the other single records, which the general rules
 * encode for events the payload scanner left to them, while it holds its payload.
 */
let payloadScanner: ScannerExports | undefined;
let recordEncoder: ScannerExports | undefined;

/** The memory the payload scanner holds between payloads (0 before the first). */
export function scannerMemoryBytes(): number {
  return payloadScanner?.memory.buffer.byteLength ?? 0;
}

function keptForNext(exports: ScannerExports): ScannerExports | undefined {
  return exports.memory.buffer.byteLength > RETAINED_MEMORY_BYTES ? undefined : exports;
}

/** Grows the scanner's memory to at least `bytes`. */
function ensureMemory(exports: ScannerExports, bytes: number): void {
  const { memory } = exports;
  if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE_BYTES));
}

/**
 * Copies `inputs` into the instance's memory, each followed by PADDING zero bytes, with room for `outputCapacity`
 * bytes of output and its slack after them; returns where each input starts, and the output.
 */
function place(exports: ScannerExports, inputs: readonly Uint8Array[], outputCapacity: number): { readonly inputs: number[]; readonly output: number } {
  const starts: number[] = [];
  let end = exports.staticEnd();
  for (const input of inputs) {
    const start = align(end);
    starts.push(start);
    end = start + input.length + PADDING;
  }
  const output = align(end);
  ensureMemory(exports, output + outputCapacity + OUTPUT_SLACK);
  const memory = new Uint8Array(exports.memory.buffer);
  inputs.forEach((input, k) => {
    const start = starts[k] as number;
    memory.set(input, start);
    memory.fill(0, start + input.length, start + input.length + PADDING);
  });
  return { inputs: starts, output };
}

/** The meter times the scanner accepts: the window, within the times the rules accept at all. */
function timeBounds(window: MeterTimeWindow): readonly [number, number] {
  return [Math.max(window.earliest, MIN_METER_TIME), Math.min(window.latest, MAX_METER_TIME)];
}

/** One payload in the scanner's memory, read event by event (transform/fast/fast-payload.ts drives it). */
export class PayloadScan {
  /** Where the input starts in memory: the scanner's positions are `inputStart` + the index in the payload. */
  private readonly inputStart: number;
  private readonly exports: ScannerExports;
  private readonly outputStart: number;
  private outputCapacity: number;

  /**
   * @param idPrefix the JSON string content (escaped) that derived uniqueIds start with: empty for the home account,
   * `<owner>-` for a sender account (transform/validate.ts, uniqueIdPrefix)
   */
  constructor(json: Uint8Array, prefix: Uint8Array, window: MeterTimeWindow, idPrefix: Uint8Array = EMPTY) {
    payloadScanner ??= instantiate();
    this.exports = payloadScanner;
    this.outputCapacity = json.length + OUTPUT_ROOM;
    const { inputs, output } = place(this.exports, [json, prefix, idPrefix], this.outputCapacity);
    const [inputStart, prefixStart, idPrefixStart] = inputs as [number, number, number];
    this.inputStart = inputStart;
    this.outputStart = output;
    const [earliest, latest] = timeBounds(window);
    this.exports.configure(inputStart, json.length, prefixStart, prefix.length, idPrefixStart, idPrefix.length, output, this.outputCapacity, earliest, latest);
  }

  /**
   * Reads log events from `from` (an index in the payload): the first one, or after an event. Grows the output
   * region whenever a line needs more room.
   */
  readEvents(from: number, afterEvent: boolean): ScanStop {
    const { exports } = this;
    let status = statuses.get(exports.readEvents(this.inputStart + from, afterEvent ? 1 : 0));
    while (status === 'needs-room') {
      this.growOutput(this.outputCapacity);
      status = statuses.get(exports.readEvents(exports.stoppedEvent(), 0));
    }
    if (status === undefined) throw new Error('The scanner returned an unknown result');
    return status;
  }

  /** The index in the payload of the event readEvents stopped at, and of its message's content. */
  stoppedEvent(): number {
    return this.exports.stoppedEvent() - this.inputStart;
  }

  stoppedMessage(): number {
    return this.exports.stoppedMessage() - this.inputStart;
  }

  /** Appends lines the host wrote for an event the scanner left to the rules. */
  append(lines: Uint8Array): void {
    if (lines.length === 0) return;
    const { exports } = this;
    const position = exports.outputPosition();
    const used = position - this.outputStart;
    if (used + lines.length > this.outputCapacity) this.growOutput(used + lines.length);
    new Uint8Array(exports.memory.buffer).set(lines, position);
    exports.advanceOutput(lines.length);
  }

  recordsWritten(): number {
    return this.exports.recordsWritten();
  }

  /** A copy of the output written so far. */
  output(): Buffer {
    const { exports } = this;
    const written = new Uint8Array(exports.memory.buffer, this.outputStart, exports.outputPosition() - this.outputStart);
    const copy = Buffer.allocUnsafe(written.length);
    copy.set(written);
    return copy;
  }

  /** Done with the payload: an instance grown past what is retained is dropped. */
  close(): void {
    payloadScanner = keptForNext(this.exports);
  }

  private growOutput(atLeast: number): void {
    this.outputCapacity = Math.max(this.outputCapacity * 2, atLeast + OUTPUT_ROOM);
    ensureMemory(this.exports, this.outputStart + this.outputCapacity + OUTPUT_SLACK);
    this.exports.setOutputEnd(this.outputStart + this.outputCapacity);
  }
}

/**
 * The NDJSON line for the record whose JSON object starts at `start` in `text` (a decoded message), or undefined
 * when the record is not in a plain form (the general rules then decide, and may still accept it).
 *
 * @param derivedUniqueIdJson JSON string literal of the uniqueId to use when the record has none
 * @param defaultTimeInMillis the time to use when the record has no meterTimeInMillis
 * @param timeWindow the meter times accepted
 */
export function fastEncodeRecord(
  text: string,
  start: number,
  derivedUniqueIdJson: string,
  defaultTimeInMillis: number,
  timeWindow: MeterTimeWindow = WHOLE_METER_TIME_RANGE,
): string | undefined {
  const record = Buffer.from(text.slice(start));
  const defaults = Buffer.from(`${derivedUniqueIdJson}${defaultTimeInMillis}`);
  const idJsonLength = Buffer.byteLength(derivedUniqueIdJson);
  recordEncoder ??= instantiate();
  const exports = recordEncoder;
  // A line holds the record's text (unescaped, never longer), the defaults and the fixed text around them.
  const capacity = record.length + defaults.length + 512;
  const { inputs, output } = place(exports, [record, defaults], capacity);
  const [recordStart, defaultsStart] = inputs as [number, number];
  const [earliest, latest] = timeBounds(timeWindow);
  // The derived uniqueId comes whole in `defaults`: no prefix is added to it.
  exports.configure(recordStart, record.length, recordStart, 0, recordStart, 0, output, capacity, earliest, latest);
  const idEnd = defaultsStart + idJsonLength;
  const end = exports.encodeRecord(recordStart, defaultsStart, idEnd, idEnd, defaultsStart + defaults.length);
  const line = end === -1 ? undefined : Buffer.from(exports.memory.buffer, output, exports.outputPosition() - output).toString('utf8');
  recordEncoder = keptForNext(exports);
  return line;
}

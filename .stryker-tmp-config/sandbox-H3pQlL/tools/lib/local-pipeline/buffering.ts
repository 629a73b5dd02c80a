/**
 * Firehose's two buffers on a simulated clock: the processor buffer that batches source records for the
 * Lambda, and the destination buffer that batches transformed data into S3 objects. Each flushes when its
 * size hint is reached or its interval has passed since the first record entered it, whichever comes first.
 */
// @ts-nocheck


export interface BufferHints {
  readonly sizeBytes: number;
  readonly intervalMs: number;
}

export interface ArrivingRecord {
  /** Simulated arrival time (ms). */
  readonly arrival: number;
  readonly size: number;
}

export interface ProcessorBatch<T> {
  readonly records: readonly T[];
  /** When the buffer flushes and the Lambda is invoked. */
  readonly flushAt: number;
}

/**
 * Removes the next processor batch from the head of `pending` (sorted by arrival). The batch closes when
 * the next record would overflow the size hint (flushing as that record arrives) or at the interval deadline.
 */
export function takeProcessorBatch<T extends ArrivingRecord>(pending: T[], hints: BufferHints, now: number): ProcessorBatch<T> {
  const first = pending[0];
  if (first === undefined) throw new Error('takeProcessorBatch needs at least one pending record');
  const deadline = first.arrival + hints.intervalMs;
  let bytes = 0;
  let count = 0;
  let flushAt = deadline;
  for (const record of pending) {
    if (record.arrival > deadline) break;
    if (count > 0 && bytes + record.size > hints.sizeBytes) {
      flushAt = record.arrival;
      break;
    }
    bytes += record.size;
    count += 1;
    if (bytes >= hints.sizeBytes) {
      flushAt = record.arrival;
      break;
    }
  }
  return { records: pending.splice(0, count), flushAt: Math.max(flushAt, now) };
}

/** Inserts a record into `pending`, keeping it sorted by arrival (stable for equal arrivals). */
export function insertByArrival<T extends ArrivingRecord>(pending: T[], record: T): void {
  let index = pending.length;
  while (index > 0 && (pending[index - 1]?.arrival ?? 0) > record.arrival) index -= 1;
  pending.splice(index, 0, record);
}

export interface Chunk<M> {
  /** When the chunk reaches the buffer (the end of the Lambda invocation that produced it). */
  readonly at: number;
  /** Arrival time of the source record it came from. */
  readonly arrival: number;
  readonly data: Buffer;
  readonly meta: M;
}

export interface FlushedObject<M> {
  readonly deliveredAt: number;
  readonly oldestArrival: number;
  readonly chunks: readonly Chunk<M>[];
  readonly bytes: number;
}

export class DestinationBuffer<M> {
  private chunks: Chunk<M>[] = [];
  private bytes = 0;
  private openedAt = 0;

  constructor(private readonly hints: BufferHints) {}

  /** Adds a chunk; returns the objects flushed by the interval before it or by the size once it is in. */
  add(chunk: Chunk<M>): FlushedObject<M>[] {
    const flushed = this.flushDue(chunk.at);
    if (this.chunks.length === 0) this.openedAt = chunk.at;
    this.chunks.push(chunk);
    this.bytes += chunk.data.length;
    if (this.bytes >= this.hints.sizeBytes) flushed.push(this.flush(chunk.at));
    return flushed;
  }

  /** Flushes what is buffered if its interval has passed by `now`. */
  flushDue(now: number): FlushedObject<M>[] {
    const deadline = this.openedAt + this.hints.intervalMs;
    return this.chunks.length > 0 && now > deadline ? [this.flush(deadline)] : [];
  }

  /** End of input: what remains is flushed when its interval expires. */
  drain(): FlushedObject<M>[] {
    return this.chunks.length > 0 ? [this.flush(this.openedAt + this.hints.intervalMs)] : [];
  }

  private flush(deliveredAt: number): FlushedObject<M> {
    const object: FlushedObject<M> = {
      deliveredAt,
      oldestArrival: this.chunks.reduce((oldest, chunk) => Math.min(oldest, chunk.arrival), Number.POSITIVE_INFINITY),
      chunks: this.chunks,
      bytes: this.bytes,
    };
    this.chunks = [];
    this.bytes = 0;
    return object;
  }
}

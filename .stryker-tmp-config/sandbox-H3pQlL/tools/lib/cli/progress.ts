/** Progress lines on stderr for long work: shown on a terminal, or when asked for with --progress. */
// @ts-nocheck


export interface Progress {
  update(message: string): void;
  done(): void;
}

export interface ProgressOptions {
  readonly forced: boolean;
  readonly stream?: NodeJS.WriteStream;
  /** Minimum time between two redraws. */
  readonly intervalMs?: number;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const enabled = options.forced || stream.isTTY === true;
  const intervalMs = options.intervalMs ?? 200;
  let lastDrawn = 0;
  let pending = '';
  const draw = (message: string): void => {
    stream.write(stream.isTTY ? `\r\x1b[2K${message}` : `${message}\n`);
    lastDrawn = Date.now();
  };
  return {
    update(message) {
      if (!enabled) return;
      pending = message;
      if (Date.now() - lastDrawn >= intervalMs) draw(message);
    },
    done() {
      if (!enabled || pending === '') return;
      draw(pending);
      if (stream.isTTY) stream.write('\n');
      pending = '';
    },
  };
}

/** How a command talks to its caller: output and error text, and the stream progress is drawn on. */
// @ts-nocheck

export interface CommandIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly progressStream?: NodeJS.WriteStream;
}

export const processIO: CommandIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  progressStream: process.stderr,
};

/** Exit statuses: success, failures found or work failed, bad invocation. */
export const EXIT = { ok: 0, failures: 1, usage: 2 } as const;

export function printJson(io: CommandIO, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

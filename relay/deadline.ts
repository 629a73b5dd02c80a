/** The invocation's deadline as an AbortSignal. */

/** Why an unfinished copy stopped: the handler returns before the Lambda timeout would kill it. */
export class InvocationDeadlineError extends Error {
  override readonly name = 'InvocationDeadline';
}

export interface Deadline {
  /** Epoch ms; Infinity when the caller gave no time limit. */
  readonly at: number;
  /** Aborts, with an InvocationDeadlineError, at `at`. */
  readonly signal: AbortSignal;
  /** Stops the timer (the invocation is over). */
  dispose(): void;
}

export function deadlineAt(at: number, why: string): Deadline {
  const controller = new AbortController();
  if (!Number.isFinite(at)) return { at, signal: controller.signal, dispose: () => {} };
  const timer = setTimeout(() => controller.abort(new InvocationDeadlineError(why)), Math.max(0, at - Date.now()));
  return { at, signal: controller.signal, dispose: () => clearTimeout(timer) };
}

/** Collects garbage so a measurement does not pay for the previous one's. Needs node --expose-gc. */
// @ts-nocheck

export function collectGarbage(): void {
  if (typeof globalThis.gc !== 'function') throw new Error('run node with --expose-gc');
  globalThis.gc();
}

/** Writes to the file named by the argument the invocation whose response is just under the 6 MB budget. */
// @ts-nocheck

import { reportResult } from './lib/child.ts';
import { writeBudgetInvocation } from './lib/memory.ts';
import { loadTransform } from './lib/transform-bundle.ts';

const [file] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: budget-invocation.mjs <event-file>');
await reportResult(await writeBudgetInvocation(await loadTransform(), file));

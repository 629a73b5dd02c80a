/** Runs the built transform once on the worst-event invocation in the file named by the argument (see worst-event.ts). */
// @ts-nocheck

import { reportResult } from './lib/child.ts';
import { runWorstEvent } from './lib/worst-event.ts';

const [file] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: worst-event-run.mjs <event-file>');
await reportResult(await runWorstEvent(file));

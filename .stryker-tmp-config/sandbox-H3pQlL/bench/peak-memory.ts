/** Peak RSS of this fresh process while the transform handles the event in the file named by the argument. */
// @ts-nocheck

import { reportResult } from './lib/child.ts';
import { measurePeakMemory } from './lib/memory.ts';

const [file] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: peak-memory.mjs <event-file>');
await reportResult(await measurePeakMemory(file));

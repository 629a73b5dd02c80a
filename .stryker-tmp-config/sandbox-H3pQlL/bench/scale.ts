/** Transform time per invocation for one Kinesis record of 1 to 10,000 events. */
// @ts-nocheck

import { reportResult } from './lib/child.ts';
import { measureScaleTiming } from './lib/scale.ts';
import { loadTransform } from './lib/transform-bundle.ts';
import { SCALE_BATCH_EVENTS, singleBatchInvocation } from './lib/workload.ts';

const transform = await loadTransform();
await reportResult(await measureScaleTiming(transform, SCALE_BATCH_EVENTS.map(singleBatchInvocation)));

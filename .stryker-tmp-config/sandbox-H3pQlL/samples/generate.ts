/**
 * Regenerates the bundled samples: `npx tsx samples/generate.ts`. Two Lambda log streams over ten minutes:
 * START/END/REPORT and application lines, meter records in every log form, and a few invalid meter lines,
 * one per common mistake. Written as `aws logs filter-log-events` JSON and as plain log lines.
 */
// @ts-nocheck

import { writeFileSync } from 'node:fs';
import { LOG_FORMS, meterLogEvents, nextLogEventId } from '../tools/lib/cloudwatch/payloads.ts';
import type { LogEvent } from '../transform/types.ts';

const PREFIX = 'meter_record_for_stream';
const START = Date.UTC(2026, 10, 25, 9, 0, 0);
const STREAMS = ['2026/11/25/[$LATEST]4b1f0c6a9d2e4f7a8b3c5d6e7f801234', '2026/11/25/[$LATEST]9e8d7c6b5a4f43e2a1b0c9d8e7f65432'] as const;

interface SampleEvent extends LogEvent {
  readonly logStreamName: string;
}

function invocation(stream: string, at: number, requestId: string, meterLines: readonly LogEvent[]): SampleEvent[] {
  let time = at;
  const event = (message: string): SampleEvent => {
    time += 3;
    return { id: nextLogEventId(time), timestamp: time, message, logStreamName: stream };
  };
  const opening = [event(`START RequestId: ${requestId} Version: $LATEST\n`), event(`${new Date(time).toISOString()}\t${requestId}\tINFO\tprocessing order batch\n`)];
  const meters = meterLines.map((line) => ({ ...line, id: nextLogEventId(line.timestamp), logStreamName: stream }));
  time = Math.max(time, ...meters.map((line) => line.timestamp));
  return [
    ...opening,
    ...meters,
    event(`END RequestId: ${requestId}\n`),
    event(`REPORT RequestId: ${requestId}\tDuration: 41.27 ms\tBilled Duration: 42 ms\tMemory Size: 512 MB\tMax Memory Used: 88 MB\n`),
  ];
}

/** One invalid meter line per common mistake (each rejected with a different reason). */
function invalidLines(at: number): LogEvent[] {
  const node = (text: string, offset: number): LogEvent => {
    const timestamp = at + offset;
    return { id: '', timestamp, message: `${new Date(timestamp).toISOString()}\t1d2c3b4a-0000-4000-8000-00000000beef\tINFO\t${text}\n` };
  };
  const valid = { meterApiName: 'api-calls', customerId: 'cust-000042', meterTimeInMillis: at, meterValue: 1 };
  return [
    node(`${PREFIX} { meterApiName: 'api-calls', customerId: 'cust-000042', meterTimeInMillis: ${at}, meterValue: 1 }`, 1),
    node(`${PREFIX} ${JSON.stringify({ ...valid, meterValue: 'abc' })}`, 2),
    node(`${PREFIX} ${JSON.stringify({ meterApiName: 'api-calls', meterTimeInMillis: at, meterValue: 1 })}`, 3),
    node(`${PREFIX} {"meterApiName":"api-calls","customerId":"cust-000042","meterTimeInMillis":${at},"meterValue":1`, 4),
    node(`${PREFIX} ${JSON.stringify({ ...valid, meterTimeInMillis: 'yesterday' })}`, 5),
    node(`${PREFIX} ${JSON.stringify({ ...valid, region: 'us-east-1' })}`, 6),
    node(`${PREFIX}`, 7),
  ];
}

const events: SampleEvent[] = [];
for (let minute = 0; minute < 10; minute++) {
  const at = START + minute * 60_000;
  const stream = STREAMS[minute % STREAMS.length] as string;
  const meters = meterLogEvents(7, { prefix: PREFIX, forms: LOG_FORMS, startTime: at + 10, seed: 100 + minute, customers: 40 });
  const lines = minute === 4 ? [...meters, ...invalidLines(at + 500)] : meters;
  events.push(...invocation(stream, at, `${minute.toString(16).padStart(8, '0')}-7c1d-4e2a-9b3f-0a1b2c3d4e5f`, lines));
}
events.sort((a, b) => a.timestamp - b.timestamp);

const filterLogEvents = {
  events: events.map((event) => ({
    logStreamName: event.logStreamName,
    timestamp: event.timestamp,
    message: event.message,
    ingestionTime: event.timestamp + 412,
    eventId: event.id,
  })),
  searchedLogStreams: STREAMS.map((logStreamName) => ({ logStreamName, searchedCompletely: true })),
};
writeFileSync(new URL('filter-log-events.json', import.meta.url), `${JSON.stringify(filterLogEvents, null, 2)}\n`);

const firstStream = events.filter((event) => event.logStreamName === STREAMS[0]);
writeFileSync(new URL('log-lines.txt', import.meta.url), firstStream.map((event) => event.message.replace(/\n$/, '')).join('\n') + '\n');
console.log(`${events.length} events (${firstStream.length} in the plain-lines sample)`);

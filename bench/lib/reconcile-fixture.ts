/**
 * A generated stretch of pipeline output for the reconcile benchmarks: `rate` meter log events per second for
 * `hours`, written to a directory laid out like the buckets: the source backup (gzipped CloudWatch payloads of 25
 * events, objects of 300 s as Firehose buffers them) and the data objects the transform would deliver for them
 * (the same NDJSON lines, uniqueIds derived from the event ids). Returns the number of records.
 */
import { rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { encodeMeterRecord } from '../../transform/encode.ts';
import { formatLogLine, logEventId, seededRandom, subscriptionPayload } from '../../tools/lib/cloudwatch/payloads.ts';
import { objectKey } from '../../tools/lib/delivery/object-layout.ts';
import { DirectoryStore } from '../../tools/lib/delivery/object-store.ts';
import type { LogEvent } from '../../transform/types.ts';

const EVENTS_PER_PAYLOAD = 25;
const OBJECT_SECONDS = 300;
const METERS = ['api-calls', 'storage-gb-hours', 'compute-seconds', 'emails-sent', 'tokens'] as const;

export async function writeReconcileFixture(directory: string, options: { readonly rate: number; readonly start: number; readonly hours: number }): Promise<number> {
  const { rate, start, hours } = options;
  rmSync(directory, { recursive: true, force: true });
  const store = new DirectoryStore(directory);
  const random = seededRandom(7);
  let records = 0;
  let sequence = 0;
  let uuid = 0;
  const name = (): string => `00000000-0000-4000-8000-${String(uuid++).padStart(12, '0')}`;
  for (let objectStart = start; objectStart < start + hours * 3_600_000; objectStart += OBJECT_SECONDS * 1000) {
    const backup: Buffer[] = [];
    const lines: string[] = [];
    const count = Math.round(rate * OBJECT_SECONDS);
    for (let first = 0; first < count; first += EVENTS_PER_PAYLOAD) {
      const events: LogEvent[] = [];
      for (let i = first; i < Math.min(count, first + EVENTS_PER_PAYLOAD); i++) {
        const timestamp = objectStart + Math.floor((i * 1000) / rate);
        const record = {
          meterApiName: METERS[Math.floor(random() * METERS.length)] as string,
          customerId: `cust-${String(Math.floor(random() * 5000)).padStart(6, '0')}`,
          meterTimeInMillis: timestamp - Math.floor(random() * 50),
          meterValue: random() < 0.7 ? 1 : Math.round(random() * 10_000) / 100,
        };
        const id = logEventId(timestamp, ++sequence);
        events.push({ id, timestamp, message: formatLogLine('node-text', record, { prefix: 'meter_record_for_stream', timestamp }) });
        lines.push(encodeMeterRecord({ ...record, uniqueId: id }));
      }
      backup.push(gzipSync(JSON.stringify(subscriptionPayload(events))));
    }
    records += lines.length;
    const keyOf = (prefix: string, extension: string): string =>
      objectKey({ prefix, deliveryStreamName: 'meter-firehose', deliveryStreamVersion: 1, timestamp: objectStart, uuid: name(), fileExtension: extension });
    const day = new Date(objectStart).toISOString().slice(0, 10);
    await store.put(keyOf(`source-backup/${day}/`, ''), Buffer.concat(backup));
    await store.put(keyOf(`ingest/records/${day}/`, '.gz'), gzipSync(lines.join('')));
  }
  return records;
}

// @ts-nocheck
import { gunzipSync } from 'node:zlib';
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import type { CloudWatchLogsPayload } from '../../transform/types.ts';

/**
 * What AWS's CloudWatch-Logs-to-Firehose processor blueprint does with each record: gunzip, parse, join the
 * log messages each followed by a newline, base64. No extraction, no validation: the price of delivering logs
 * as they are. Synchronous here (the blueprint gunzips through callbacks and promises), so it is the faster.
 */
export function passThrough(event: FirehoseTransformationEvent): FirehoseTransformationResult {
  return { records: event.records.map((record) => passThroughRecord(record.recordId, record.data)) };
}

function passThroughRecord(recordId: string, data: string): FirehoseTransformationResultRecord {
  const payload = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as CloudWatchLogsPayload;
  if (payload.messageType !== 'DATA_MESSAGE') return { recordId, result: 'Dropped' };
  let joined = '';
  for (const { message } of payload.logEvents) joined += `${message}\n`;
  return { recordId, result: 'Ok', data: Buffer.from(joined, 'utf8').toString('base64') };
}

// @ts-nocheck
import { gunzipSync } from 'node:zlib';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import type { CloudWatchLogsPayload } from '../../transform/types.ts';

/**
 * The least any transform must do with an invocation: decode, gunzip and parse every CloudWatch payload.
 * Returns the number of log events read.
 */
export function floorRead(event: FirehoseTransformationEvent): number {
  let logEvents = 0;
  for (const { data } of event.records) {
    const payload = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as CloudWatchLogsPayload;
    logEvents += payload.logEvents.length;
  }
  return logEvents;
}

// @ts-nocheck
import { gunzipSync } from 'node:zlib';
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import { DEFAULT_CONFIG } from '../../transform/config.ts';
import { RECORD_FIELD } from '../../transform/extract.ts';
import type { CloudWatchLogsPayload } from '../../transform/types.ts';

/**
 * The extractor a plain Kinesis consumer writes: find the prefix, JSON.parse from the first `{` after it to
 * the end of the line, JSON.stringify what came out, one NDJSON line per record. No validation. A JSON log
 * line is parsed first to reach its `message`, or its record field when the message is the prefix alone
 * (Powertools Logger), the least a consumer must do to read those forms.
 */
export function naiveExtract(
  event: FirehoseTransformationEvent,
  prefix: string = DEFAULT_CONFIG.prefix,
): FirehoseTransformationResult {
  return { records: event.records.map((record) => naiveRecord(record.recordId, record.data, prefix)) };
}

function naiveRecord(recordId: string, data: string, prefix: string): FirehoseTransformationResultRecord {
  const payload = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as CloudWatchLogsPayload;
  const lines: string[] = [];
  for (const { message } of payload.logEvents) {
    try {
      let text = message;
      if (message.startsWith('{')) {
        const line = JSON.parse(message) as Record<string, unknown>;
        if (line.message === prefix && line[RECORD_FIELD] !== undefined) {
          lines.push(JSON.stringify(line[RECORD_FIELD]));
          continue;
        }
        text = String(line.message);
      }
      const at = text.indexOf(prefix);
      if (at === -1) continue;
      const start = text.indexOf('{', at + prefix.length);
      if (start === -1) continue;
      lines.push(JSON.stringify(JSON.parse(text.slice(start).trim())));
    } catch {
      // Not JSON where the record should be: a plain consumer skips the line.
    }
  }
  if (lines.length === 0) return { recordId, result: 'Dropped' };
  return { recordId, result: 'Ok', data: Buffer.from(lines.join('\n')).toString('base64') };
}

/** The S3 event notifications that SQS carries to the forwarder: which new objects to forward. */
// @ts-nocheck


export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
  readonly size?: number;
}

export class S3EventFormatError extends Error {
  override readonly name = 'S3EventFormatError';
}

/**
 * Objects created, from one SQS message body. S3's `s3:TestEvent` (sent when a notification is configured)
 * holds none. Keys arrive URL-encoded with `+` for spaces, as S3 writes them.
 */
export function objectsOfMessage(body: string): ObjectRef[] {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new S3EventFormatError(`message body is not JSON (${body.length} characters)`);
  }
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (fields['Event'] === 's3:TestEvent') return [];
  const records = fields['Records'];
  if (!Array.isArray(records)) throw new S3EventFormatError('message body is not an S3 event notification (no Records array)');
  return records.flatMap((record: unknown, index): ObjectRef[] => {
    const entry = (record ?? {}) as { eventName?: unknown; s3?: { bucket?: { name?: unknown }; object?: { key?: unknown; size?: unknown } } };
    if (typeof entry.eventName !== 'string' || !entry.eventName.startsWith('ObjectCreated:')) return [];
    const bucket = entry.s3?.bucket?.name;
    const key = entry.s3?.object?.key;
    if (typeof bucket !== 'string' || typeof key !== 'string' || bucket === '' || key === '') {
      throw new S3EventFormatError(`record ${index + 1}: no s3.bucket.name or s3.object.key`);
    }
    const size = entry.s3?.object?.size;
    return [{ bucket, key: decodeKey(key, index), ...(typeof size === 'number' ? { size } : {}) }];
  });
}

function decodeKey(key: string, index: number): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    throw new S3EventFormatError(`record ${index + 1}: object key is not URL-encoded UTF-8`);
  }
}

/** The notification S3 sends for one new object (used by the local model of the relay). */
export function objectCreatedMessage(ref: ObjectRef, eventTime: Date): string {
  const key = encodeURIComponent(ref.key).replace(/%2F/g, '/').replace(/%20/g, '+');
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventTime: eventTime.toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: { s3SchemaVersion: '1.0', bucket: { name: ref.bucket, arn: `arn:aws:s3:::${ref.bucket}` }, object: { key, ...(ref.size === undefined ? {} : { size: ref.size }) } },
      },
    ],
  });
}

/** The S3 event notifications that SQS carries to the forwarder: which new objects to forward. */

export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
  readonly size?: number;
}

export class S3EventFormatError extends Error {
  override readonly name = 'S3EventFormatError';
}

/** Where objects may be forwarded from: one bucket, keys under one prefix. */
export interface SourceScope {
  readonly bucket: string;
  readonly prefix: string;
}

/** What one SQS message asks for: objects to forward, or nothing for S3's `s3:TestEvent`. */
export type Notification = { readonly kind: 'objects'; readonly objects: ObjectRef[] } | { readonly kind: 'test-event' };

/**
 * The objects created, from one SQS message body. S3's `s3:TestEvent` (sent when a notification is configured)
 * is the only body that names none. Anything else that is not an object creation inside `scope` fails the
 * whole message, saying why: nothing is acked without being forwarded. Keys arrive URL-encoded with `+` for
 * spaces, as S3 writes them.
 */
export function notificationOf(body: string, scope: SourceScope): Notification {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new S3EventFormatError(`message body is not JSON (${body.length} characters)`);
  }
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (fields['Event'] === 's3:TestEvent') return { kind: 'test-event' };
  const records = fields['Records'];
  if (!Array.isArray(records)) throw new S3EventFormatError('message body is not an S3 event notification (no Records array)');
  if (records.length === 0) throw new S3EventFormatError('S3 event notification with an empty Records array');
  return { kind: 'objects', objects: records.map((record: unknown, index) => objectOfRecord(record, index, scope)) };
}

function objectOfRecord(record: unknown, index: number, scope: SourceScope): ObjectRef {
  const entry = (record ?? {}) as { eventName?: unknown; s3?: { bucket?: { name?: unknown }; object?: { key?: unknown; size?: unknown } } };
  const where = `record ${index + 1}`;
  if (typeof entry.eventName !== 'string') throw new S3EventFormatError(`${where}: no eventName`);
  if (!entry.eventName.startsWith('ObjectCreated:')) {
    throw new S3EventFormatError(`${where}: eventName "${entry.eventName.slice(0, 100)}" is not an object creation (the queue is subscribed to ObjectCreated only)`);
  }
  const bucket = entry.s3?.bucket?.name;
  const key = entry.s3?.object?.key;
  if (typeof bucket !== 'string' || typeof key !== 'string' || bucket === '' || key === '') {
    throw new S3EventFormatError(`${where}: no s3.bucket.name or s3.object.key`);
  }
  const ref = { bucket, key: decodeKey(key, index) };
  if (bucket !== scope.bucket || !ref.key.startsWith(scope.prefix)) {
    throw new S3EventFormatError(`${where}: s3://${bucket}/${ref.key} is outside s3://${scope.bucket}/${scope.prefix}, the only place objects are forwarded from`);
  }
  const size = entry.s3?.object?.size;
  return { ...ref, ...(typeof size === 'number' ? { size } : {}) };
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

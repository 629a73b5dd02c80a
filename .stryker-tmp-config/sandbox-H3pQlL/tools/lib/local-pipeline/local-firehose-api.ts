/**
 * The Direct PUT side of a Firehose stream on a random loopback port: `PutRecord` and `PutRecordBatch` in
 * Firehose's JSON 1.1 protocol, so the real SDK client (the transform's re-ingest, pointed here with
 * AWS_ENDPOINT_URL_FIREHOSE) talks to it as to AWS. There is no Firehose emulator on npm; this is the part of
 * the API the pipeline calls. Accepted records queue per delivery stream until the local Firehose takes them.
 */
// @ts-nocheck

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Firehose's documented limits: 500 records and 4 MiB per PutRecordBatch, 1,000 KiB per record. */
export const DIRECT_PUT_LIMITS = { maxBatchRecords: 500, maxBatchBytes: 4 * 1024 * 1024, maxRecordBytes: 1000 * 1024 } as const;
/** A request body larger than any valid one (4 MiB of data, base64-encoded, plus JSON framing). */
const MAX_REQUEST_BODY_BYTES = 8 * 1024 * 1024;
const TARGET_PREFIX = 'Firehose_20150804.';

export interface DirectPutRecord {
  readonly recordId: string;
  readonly data: Buffer;
}

export interface LocalFirehoseApi {
  readonly endpoint: string;
  /** The records accepted for a delivery stream since the last call, in arrival order. */
  take(deliveryStreamName: string): DirectPutRecord[];
  close(): Promise<void>;
}

/** An AWS-style error: the `__type` the SDK turns into an exception class, and the HTTP status. */
class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startLocalFirehoseApi(deliveryStreamNames: readonly string[]): Promise<LocalFirehoseApi> {
  const queues = new Map<string, DirectPutRecord[]>(deliveryStreamNames.map((name) => [name, []]));
  let nextRecordNumber = 0n;
  // Record ids are opaque to callers; these are 56 digits, increasing, like the ones Firehose returns.
  const newRecordId = (): string => (49_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n + nextRecordNumber++).toString();

  const accept = (body: unknown, batch: boolean): unknown => {
    const request = body as { DeliveryStreamName?: unknown; Records?: unknown; Record?: unknown };
    const name = request.DeliveryStreamName;
    if (typeof name !== 'string') throw new ApiError('ValidationException', 'DeliveryStreamName is required');
    const queue = queues.get(name);
    if (queue === undefined) throw new ApiError('ResourceNotFoundException', `Firehose ${name} under this account is not found.`);
    const records = batch ? request.Records : [request.Record];
    if (!Array.isArray(records) || records.length === 0 || records.length > DIRECT_PUT_LIMITS.maxBatchRecords) {
      throw new ApiError('ValidationException', `Records must hold 1 to ${DIRECT_PUT_LIMITS.maxBatchRecords} records`);
    }
    const data = records.map((record: { Data?: unknown } | undefined, index) => {
      if (typeof record?.Data !== 'string') throw new ApiError('ValidationException', `record ${index} has no Data`);
      const bytes = Buffer.from(record.Data, 'base64');
      if (bytes.length > DIRECT_PUT_LIMITS.maxRecordBytes) {
        throw new ApiError('InvalidArgumentException', `record ${index} is ${bytes.length} bytes, over ${DIRECT_PUT_LIMITS.maxRecordBytes}`);
      }
      return bytes;
    });
    const total = data.reduce((sum, bytes) => sum + bytes.length, 0);
    if (total > DIRECT_PUT_LIMITS.maxBatchBytes) throw new ApiError('InvalidArgumentException', `the batch is ${total} bytes, over ${DIRECT_PUT_LIMITS.maxBatchBytes}`);
    const accepted = data.map((bytes) => ({ recordId: newRecordId(), data: bytes }));
    queue.push(...accepted);
    return batch
      ? { FailedPutCount: 0, Encrypted: false, RequestResponses: accepted.map(({ recordId }) => ({ RecordId: recordId })) }
      : { RecordId: accepted[0]?.recordId, Encrypted: false };
  };

  const handle = async (request: IncomingMessage): Promise<unknown> => {
    const target = request.headers['x-amz-target'];
    const operation = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    if (request.method !== 'POST' || (operation !== 'PutRecord' && operation !== 'PutRecordBatch')) {
      throw new ApiError('UnknownOperationException', `this local Firehose serves PutRecord and PutRecordBatch, not ${String(target)}`);
    }
    return accept(parseJson(await readBody(request)), operation === 'PutRecordBatch');
  };

  const server = createServer((request, response) => {
    handle(request).then(
      (body) => reply(response, 200, body),
      (error: unknown) =>
        error instanceof ApiError
          ? reply(response, error.status, { __type: error.type, message: error.message }, error.type)
          : reply(response, 500, { __type: 'ServiceUnavailableException', message: String(error) }, 'ServiceUnavailableException'),
    );
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    take: (name) => (queues.get(name) ?? []).splice(0),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BODY_BYTES) throw new ApiError('InvalidArgumentException', `request body over ${MAX_REQUEST_BODY_BYTES} bytes`, 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) return parsed;
  } catch {
    // reported below
  }
  throw new ApiError('SerializationException', 'the request body is not a JSON object');
}

function reply(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
  });
  response.end(text);
}

/**
 * The re-ingest targets that speak to AWS: Kinesis PutRecords into the stream Firehose reads, or Firehose
 * PutRecordBatch into a Direct PUT delivery stream. This module is imported only when something must be
 * re-ingested (the bundle puts it and the AWS SDK in a separate chunk), so cold starts do not load the SDK.
 * Clients take their endpoints from the SDK's standard environment (AWS_ENDPOINT_URL_KINESIS, ...) and speak
 * HTTP/1.1: Kinesis clients default to HTTP/2, which PutRecords does not need and local emulators do not speak.
 * Every call has a connection timeout and a request timeout, and stops when the invocation's deadline aborts it.
 */
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ReingestTarget } from './reingest.ts';

export interface HttpTimeouts {
  /** Longest wait for the TCP (and TLS) connection. */
  readonly connectionTimeoutMs: number;
  /**
   * Longest wait for the response headers, from sending the request; also the longest silence of the socket,
   * which bounds a response body that stalls after its headers.
   */
  readonly requestTimeoutMs: number;
}

/** A PutRecords call of 5 MB takes well under a second in a Region; these only cut off an endpoint that hangs. */
export const REINGEST_HTTP_TIMEOUTS: HttpTimeouts = { connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 };

/** The HTTP/1.1 handler of the re-ingest clients: a call past any of its timeouts fails with a TimeoutError. */
export function reingestRequestHandler(timeouts: HttpTimeouts = REINGEST_HTTP_TIMEOUTS): NodeHttpHandler {
  return new NodeHttpHandler({
    connectionTimeout: timeouts.connectionTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    socketTimeout: timeouts.requestTimeoutMs,
    throwOnRequestTimeout: true,
  });
}

/** `arn:aws:kinesis:us-east-1:123456789012:stream/name` → region and name. */
export function parseStreamArn(arn: string, service: 'kinesis' | 'firehose'): { region: string; name: string } {
  const match = /^arn:[\w-]+:([\w-]+):([\w-]+):\d{12}:(?:stream|deliverystream)\/(.+)$/.exec(arn);
  if (match === null || match[1] !== service) throw new Error(`not a ${service} stream ARN: ${arn}`);
  return { region: match[2] as string, name: match[3] as string };
}

/** Per-entry error codes of a batch response; an entry the service did not answer for counts as failed. */
function entryErrors(results: readonly { ErrorCode?: string }[] | undefined, count: number): (string | undefined)[] {
  return Array.from({ length: count }, (_, i) => {
    const result = results?.[i];
    return result === undefined ? 'MissingResult' : result.ErrorCode;
  });
}

/** Re-ingest into the Kinesis stream Firehose reads from. `client` overrides the default SDK client. */
export function kinesisTarget(streamArn: string, client?: KinesisClient): ReingestTarget {
  const { region, name } = parseStreamArn(streamArn, 'kinesis');
  const kinesis = client ?? new KinesisClient({ region, maxAttempts: 1, requestHandler: reingestRequestHandler() });
  return {
    description: `Kinesis stream ${name}`,
    maxBatchRecords: 500,
    maxBatchBytes: 5_000_000,
    send: async (entries, signal) => {
      const output = await kinesis.send(
        new PutRecordsCommand({
          StreamName: name,
          Records: entries.map((entry) => ({ Data: entry.data, PartitionKey: entry.partitionKey })),
        }),
        signal === undefined ? {} : { abortSignal: signal },
      );
      return entryErrors(output.Records, entries.length);
    },
  };
}

/** Re-ingest into the Firehose stream itself (a Direct PUT source). `client` overrides the default SDK client. */
export function firehoseTarget(deliveryStreamArn: string, client?: FirehoseClient): ReingestTarget {
  const { region, name } = parseStreamArn(deliveryStreamArn, 'firehose');
  const firehose = client ?? new FirehoseClient({ region, maxAttempts: 1, requestHandler: reingestRequestHandler() });
  return {
    description: `Firehose stream ${name}`,
    maxBatchRecords: 500,
    maxBatchBytes: 4_000_000,
    send: async (entries, signal) => {
      const output = await firehose.send(
        new PutRecordBatchCommand({ DeliveryStreamName: name, Records: entries.map((entry) => ({ Data: entry.data })) }),
        signal === undefined ? {} : { abortSignal: signal },
      );
      return entryErrors(output.RequestResponses, entries.length);
    },
  };
}

/**
 * The forwarder's SQS handler: each message carries S3 notifications for new ingest objects; every object is
 * forwarded (bounded concurrency), and a message any of whose objects failed is reported in
 * `batchItemFailures`, so SQS redelivers only that message and, after `maxReceiveCount`, moves it to the DLQ.
 */
// @ts-nocheck

import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type ForwardDependencies, forwardObject } from './forward.ts';
import { objectsOfMessage } from './s3-events.ts';

export interface ForwarderOptions extends ForwardDependencies {
  readonly concurrency: number;
  /** One JSON line per call (CloudWatch Logs in Lambda). */
  readonly log?: (line: string) => void;
}

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export function createForwarder(options: ForwarderOptions): SqsHandler {
  const log = options.log ?? ((line: string) => console.log(line));
  return async (event) => {
    let forwarded = 0;
    let bytes = 0;
    const failed: string[] = [];
    await eachWithConcurrency(event.Records, options.concurrency, async (message: SQSRecord) => {
      try {
        for (const ref of objectsOfMessage(message.body)) {
          const result = await forwardObject(ref, options);
          forwarded += 1;
          bytes += result.bytes;
        }
      } catch (error) {
        failed.push(message.messageId);
        log(
          JSON.stringify({
            level: 'ERROR',
            message: 'message not forwarded; SQS will redeliver it (DLQ after maxReceiveCount)',
            messageId: message.messageId,
            receiveCount: Number(message.attributes?.ApproximateReceiveCount ?? 0),
            error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          }),
        );
      }
    });
    log(JSON.stringify({ level: 'INFO', message: 'forwarded', messages: event.Records.length, objects: forwarded, bytes, failedMessages: failed.length }));
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

async function eachWithConcurrency<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

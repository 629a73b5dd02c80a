/**
 * The forwarder's SQS handler: each message carries S3 notifications for new ingest objects; every object is
 * forwarded (bounded concurrency), and a message any of whose objects failed is reported in
 * `batchItemFailures`, so SQS redelivers only that message and, after `maxReceiveCount`, moves it to the DLQ.
 *
 * Time: the handler stops RETURN_BEFORE_TIMEOUT_MS before the Lambda timeout (context.getRemainingTimeInMillis):
 * copies still running then are aborted, messages not yet started fail without an attempt, and each is logged
 * and reported, so the Lambda timeout never kills the batch as a whole.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { deadlineAt } from './deadline.ts';
import { type ForwardDependencies, forwardObject } from './forward.ts';
import { type SourceScope, notificationOf } from './s3-events.ts';

/**
 * Room between the handler's return and the Lambda timeout. Aborting copies, writing one log line per failed
 * message and returning take milliseconds, but on a 256 MB function (a sixth of a vCPU) a GC pause or a slow
 * event loop stretches that; 5 s keeps the return safely ahead of the timeout at a small cost in copy time.
 */
export const RETURN_BEFORE_TIMEOUT_MS = 5_000;

export interface ForwarderOptions extends ForwardDependencies {
  readonly concurrency: number;
  /** The only bucket and prefix objects are forwarded from; a notification for anything else fails its message. */
  readonly scope: SourceScope;
  /** Least time left for starting an attempt: room to connect and to learn a silent endpoint failed. */
  readonly minAttemptMs: number;
  /** One JSON line per call (CloudWatch Logs in Lambda). */
  readonly log?: (line: string) => void;
}

export type SqsHandler = (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<SQSBatchResponse>;

export function createForwarder(options: ForwarderOptions): SqsHandler {
  const log = options.log ?? ((line: string) => console.log(line));
  return async (event, context) => {
    const remaining = context?.getRemainingTimeInMillis();
    const deadline = deadlineAt(
      remaining === undefined ? Number.POSITIVE_INFINITY : Date.now() + remaining - RETURN_BEFORE_TIMEOUT_MS,
      `stopped ${RETURN_BEFORE_TIMEOUT_MS} ms before the Lambda timeout`,
    );
    const time = { deadline: deadline.at, signal: deadline.signal, minAttemptMs: options.minAttemptMs };
    let forwarded = 0;
    let bytes = 0;
    const failed: string[] = [];
    try {
      await eachWithConcurrency(event.Records, options.concurrency, async (message: SQSRecord) => {
        try {
          const notification = notificationOf(message.body, options.scope);
          if (notification.kind === 'test-event') {
            log(JSON.stringify({ level: 'INFO', message: 'skipped an s3:TestEvent (sent when the notification is configured)', messageId: message.messageId }));
            return;
          }
          for (const ref of notification.objects) {
            const result = await forwardObject(ref, options, time);
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
    } finally {
      deadline.dispose();
    }
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

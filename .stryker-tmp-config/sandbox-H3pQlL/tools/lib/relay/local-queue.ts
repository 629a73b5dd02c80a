/**
 * An SQS queue with a redrive policy, as the forwarder sees it: messages are received in batches, a message
 * the handler reports in `batchItemFailures` (or every message of a batch whose handler threw) is received
 * again, and one that has been received `maxReceiveCount` times without success moves to the dead-letter
 * queue. Visibility timeouts pass instantly. Each message is received at most maxReceiveCount times.
 */
// @ts-nocheck

import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { SqsHandler } from '../../../relay/forwarder.ts';

export interface QueueSettings {
  readonly maxReceiveCount: number;
  readonly batchSize: number;
  readonly queueArn: string;
}

export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  receiveCount: number;
}

export interface DrainReport {
  readonly deleted: readonly QueuedMessage[];
  readonly deadLettered: readonly QueuedMessage[];
  readonly invocations: number;
  readonly receives: number;
}

export class LocalQueue {
  private readonly pending: QueuedMessage[] = [];
  private sent = 0;

  constructor(private readonly settings: QueueSettings) {}

  send(body: string): string {
    const messageId = `local-${++this.sent}`;
    this.pending.push({ messageId, body, receiveCount: 0 });
    return messageId;
  }

  async drain(handler: SqsHandler): Promise<DrainReport> {
    const deleted: QueuedMessage[] = [];
    const deadLettered: QueuedMessage[] = [];
    let invocations = 0;
    let receives = 0;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.settings.batchSize);
      for (const message of batch) message.receiveCount += 1;
      receives += batch.length;
      invocations += 1;
      const failed = await this.failedIds(handler, batch);
      for (const message of batch) {
        if (!failed.has(message.messageId)) deleted.push(message);
        else if (message.receiveCount >= this.settings.maxReceiveCount) deadLettered.push(message);
        else this.pending.push(message);
      }
    }
    return { deleted, deadLettered, invocations, receives };
  }

  private async failedIds(handler: SqsHandler, batch: readonly QueuedMessage[]): Promise<Set<string>> {
    try {
      const response = await handler({ Records: batch.map((message) => this.record(message)) } satisfies SQSEvent);
      return new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch {
      return new Set(batch.map((message) => message.messageId));
    }
  }

  private record(message: QueuedMessage): SQSRecord {
    return sqsRecordOf(message, this.settings.queueArn);
  }
}

/** The record Lambda receives for a message, as its SQS event source shapes it. */
export function sqsRecordOf(message: QueuedMessage, queueArn: string): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: `${message.messageId}-${message.receiveCount}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: '0',
      SenderId: 'AIDAS3NOTIFICATIONS',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
  };
}

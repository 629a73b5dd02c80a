/** The local Direct PUT API answers the real SDK client as Firehose does: record ids, and its errors for bad calls. */
// @ts-nocheck

import { PutRecordBatchCommand, PutRecordCommand, ResourceNotFoundException } from '@aws-sdk/client-firehose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirehoseClient, putRecordBatchReliably } from '../../tools/lib/aws/firehose.ts';
import { DIRECT_PUT_LIMITS, type LocalFirehoseApi, startLocalFirehoseApi } from '../../tools/lib/local-pipeline/local-firehose-api.ts';
import { EMULATOR_CREDENTIALS } from '../../tools/lib/local-pipeline/local-kinesis.ts';

let api: LocalFirehoseApi;
let client: ReturnType<typeof createFirehoseClient>;

beforeAll(async () => {
  api = await startLocalFirehoseApi(['meter-firehose']);
  client = createFirehoseClient({ region: 'us-east-1', endpoint: api.endpoint, credentials: EMULATOR_CREDENTIALS });
});

afterAll(async () => {
  client?.destroy();
  await api?.close();
});

describe('local Firehose Direct PUT API', () => {
  it('queues PutRecordBatch and PutRecord records in order under the ids it returns', async () => {
    const entries = ['a', 'b', 'c'].map((text) => ({ data: Buffer.from(text), partitionKey: '' }));
    const { ids, calls } = await putRecordBatchReliably(client, 'meter-firehose', entries);
    expect(calls).toBe(1);
    const single = await client.send(new PutRecordCommand({ DeliveryStreamName: 'meter-firehose', Record: { Data: Buffer.from('d') } }));
    const taken = api.take('meter-firehose');
    expect(taken.map((record) => record.data.toString())).toEqual(['a', 'b', 'c', 'd']);
    expect(taken.map((record) => record.recordId)).toEqual([...ids, single.RecordId]);
    expect(new Set(taken.map((record) => record.recordId)).size).toBe(4);
    expect(api.take('meter-firehose')).toEqual([]);
  });

  it('refuses what Firehose refuses, with its error types', async () => {
    await expect(client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'other', Records: [{ Data: Buffer.from('x') }] }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const tooMany = Array.from({ length: DIRECT_PUT_LIMITS.maxBatchRecords + 1 }, () => ({ Data: Buffer.from('x') }));
    await expect(client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'meter-firehose', Records: tooMany }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const tooBig = [{ Data: Buffer.alloc(DIRECT_PUT_LIMITS.maxRecordBytes + 1) }];
    await expect(client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'meter-firehose', Records: tooBig }))).rejects.toMatchObject({
      name: 'InvalidArgumentException',
      message: expect.stringContaining('over 1024000'),
    });
    expect(api.take('meter-firehose')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { AmberfloSecretError, CachedAmberfloKeys, parseAmberfloSecret } from '../../relay/amberflo-keys.ts';
import { RELAY_DEFAULTS, RelayConfigError, relayConfigFrom } from '../../relay/config.ts';
import { putChecksum } from '../../relay/copy-object.ts';
import { S3EventFormatError, notificationOf, objectCreatedMessage } from '../../relay/s3-events.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:amberflo-keys-AbCdEf';
const KEYS = { accessKeyId: 'AKIAAMBERFLOEXAMPLE1', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYAMBERFLO01' };

describe('S3 notifications carried by SQS', () => {
  const scope = { bucket: 'pipeline', prefix: 'ingest/' };
  const objects = (body: string) => {
    const notification = notificationOf(body, scope);
    return notification.kind === 'objects' ? notification.objects : notification.kind;
  };
  const record = (fields: object) => JSON.stringify({ Records: [fields] });

  it('round-trips keys that S3 URL-encodes (spaces as +, a literal +, unicode)', () => {
    for (const key of ['ingest/records/2026-11-25/a b+c.gz', 'ingest/ü/ключ.gz', 'ingest/records/x%y.gz']) {
      expect(objects(objectCreatedMessage({ bucket: 'pipeline', key, size: 7 }, new Date(0)))).toEqual([{ bucket: 'pipeline', key, size: 7 }]);
    }
  });

  it("decodes S3's own encoding; a test event names no object", () => {
    const body = record({ eventName: 'ObjectCreated:CompleteMultipartUpload', s3: { bucket: { name: 'pipeline' }, object: { key: 'ingest/a+b%2Bc.gz', size: 3 } } });
    expect(objects(body)).toEqual([{ bucket: 'pipeline', key: 'ingest/a b+c.gz', size: 3 }]);
    expect(objects(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'pipeline' }))).toBe('test-event');
  });

  it('rejects bodies that are not S3 notifications, saying why', () => {
    expect(() => objects('not json')).toThrow(new S3EventFormatError('message body is not JSON (8 characters)'));
    expect(() => objects('{"hello":1}')).toThrow(/no Records array/);
    expect(() => objects('{"Records":[]}')).toThrow(/empty Records array/);
    expect(() => objects(record({ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'pipeline' } } }))).toThrow(/record 1: no s3.bucket.name or s3.object.key/);
    expect(() => objects(record({ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'pipeline' }, object: { key: '%E0%A4%A' } } }))).toThrow(/not URL-encoded/);
  });

  it('fails a record naming an object without a string eventName, or with another event, instead of acking it', () => {
    const s3 = { bucket: { name: 'pipeline' }, object: { key: 'ingest/a.gz' } };
    expect(() => objects(record({ s3 }))).toThrow(new S3EventFormatError('record 1: no eventName'));
    expect(() => objects(record({ eventName: 7, s3 }))).toThrow(/record 1: no eventName/);
    const second = JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', s3 }, { eventName: 'ObjectRemoved:Delete', s3 }] });
    expect(() => objects(second)).toThrow(/record 2: eventName "ObjectRemoved:Delete" is not an object creation/);
  });

  it('forwards only keys under the data prefix of the pipeline bucket', () => {
    for (const [bucket, key] of [['pipeline', 'errors/processing-failed/x.gz'], ['pipeline', 'source-backup/x.gz'], ['pipeline', 'ingestion/x.gz'], ['other-bucket', 'ingest/x.gz']] as const) {
      const body = objectCreatedMessage({ bucket, key }, new Date(0));
      expect(() => objects(body)).toThrow(new S3EventFormatError(`record 1: s3://${bucket}/${key} is outside s3://pipeline/ingest/, the only place objects are forwarded from`));
    }
  });
});

describe("the PUT's checksum", () => {
  it("is the source's stored full-object checksum, S3's default CRC64NVME first", () => {
    expect(putChecksum({ ChecksumCRC64NVME: 'AAAAAAAAAAA=', ChecksumType: 'FULL_OBJECT' })).toEqual({ ChecksumCRC64NVME: 'AAAAAAAAAAA=' });
    expect(putChecksum({ ChecksumCRC32: 'CEdNZQ==', ChecksumSHA256: 'x' })).toEqual({ ChecksumCRC32: 'CEdNZQ==' });
  });

  it('is a CRC32 computed while streaming when none is stored, or only a multipart composite one', () => {
    expect(putChecksum({})).toEqual({ ChecksumAlgorithm: 'CRC32' });
    expect(putChecksum({ ChecksumCRC32: 'CEdNZQ==-3', ChecksumType: 'COMPOSITE' })).toEqual({ ChecksumAlgorithm: 'CRC32' });
    expect(putChecksum({ ChecksumSHA256: 'abc=-12' })).toEqual({ ChecksumAlgorithm: 'CRC32' });
  });
});

describe("Amberflo's secret", () => {
  it('parses the documented format and ignores other keys', () => {
    expect(parseAmberfloSecret(JSON.stringify({ ...KEYS, bucket: 'x' }))).toEqual(KEYS);
  });

  it('never repeats the secret in its errors', () => {
    const cases = [
      `{"accessKeyId":"${KEYS.accessKeyId}","secretAccessKey":"${KEYS.secretAccessKey}"`,
      `${KEYS.secretAccessKey}`,
      JSON.stringify({ accessKeyId: KEYS.accessKeyId }),
      JSON.stringify({ accessKeyId: `${KEYS.accessKeyId} `, secretAccessKey: KEYS.secretAccessKey }),
      JSON.stringify([KEYS.secretAccessKey]),
      undefined,
    ];
    for (const value of cases) {
      let message = '';
      try {
        parseAmberfloSecret(value);
      } catch (error) {
        expect(error).toBeInstanceOf(AmberfloSecretError);
        message = (error as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain(KEYS.secretAccessKey.slice(0, 8));
      expect(message).not.toContain(KEYS.accessKeyId);
    }
  });

  it('is read once per TTL, by one fetch for concurrent callers, and again after invalidate or expiry', async () => {
    let now = 1_000;
    let reads = 0;
    let value = JSON.stringify(KEYS);
    const cache = new CachedAmberfloKeys(async () => {
      reads += 1;
      return value;
    }, 60_000, () => now);
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    expect(reads).toBe(1);
    expect(a).toBe(b);
    expect(a.expiration.getTime()).toBe(61_000);
    now = 60_999;
    await cache.get();
    expect(reads).toBe(1);
    value = JSON.stringify({ ...KEYS, accessKeyId: 'AKIAROTATED000000001' });
    now = 61_000;
    expect((await cache.get()).accessKeyId).toBe('AKIAROTATED000000001');
    expect(reads).toBe(2);
    cache.invalidate();
    await cache.get();
    expect(reads).toBe(3);
  });

  it('lets a failed read be retried rather than caching the failure', async () => {
    let fail = true;
    const cache = new CachedAmberfloKeys(async () => {
      if (fail) throw new Error('throttled');
      return JSON.stringify(KEYS);
    }, 60_000);
    await expect(cache.get()).rejects.toThrow('throttled');
    fail = false;
    await expect(cache.get()).resolves.toMatchObject(KEYS);
  });
});

describe('forwarder configuration', () => {
  const base = { PIPELINE_BUCKET: 'pipeline', SOURCE_PREFIX: 'ingest/records/', AMBERFLO_BUCKET: 'amberflo-bucket', AMBERFLO_REGION: 'us-west-2', AMBERFLO_SECRET_ARN: SECRET_ARN };

  it('takes defaults for everything but the buckets, the source prefix, the Region and the secret ARN', () => {
    expect(relayConfigFrom(base)).toEqual({
      pipelineBucket: 'pipeline',
      sourcePrefix: 'ingest/records/',
      amberfloBucket: 'amberflo-bucket',
      amberfloRegion: 'us-west-2',
      secretArn: SECRET_ARN,
      ...RELAY_DEFAULTS,
    });
  });

  it('names the variable that is missing or out of range', () => {
    expect(() => relayConfigFrom({ ...base, AMBERFLO_BUCKET: '' })).toThrow(new RelayConfigError('AMBERFLO_BUCKET is required'));
    expect(() => relayConfigFrom({ ...base, SOURCE_PREFIX: undefined })).toThrow(new RelayConfigError('SOURCE_PREFIX is required'));
    expect(() => relayConfigFrom({ ...base, PIPELINE_BUCKET: '' })).toThrow(new RelayConfigError('PIPELINE_BUCKET is required'));
    expect(() => relayConfigFrom({ ...base, IDLE_TIMEOUT_MS: '70000' })).toThrow('IDLE_TIMEOUT_MS must be an integer from 100 to 60000, got "70000"');
    expect(() => relayConfigFrom({ ...base, AMBERFLO_SECRET_ARN: 'amberflo-keys' })).toThrow(/AMBERFLO_SECRET_ARN must be a Secrets Manager secret ARN/);
    expect(() => relayConfigFrom({ ...base, FORWARD_MAX_ATTEMPTS: '0' })).toThrow('FORWARD_MAX_ATTEMPTS must be an integer from 1 to 10, got "0"');
    expect(() => relayConfigFrom({ ...base, AMBERFLO_S3_ENDPOINT: 'localhost:9000' })).toThrow(/AMBERFLO_S3_ENDPOINT must be an http\(s\) URL/);
  });
});

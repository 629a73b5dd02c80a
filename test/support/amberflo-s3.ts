/**
 * "Amberflo's bucket" for tests: s3rver behind a loopback proxy that accepts only requests signed (SigV4) with
 * Amberflo's key pair. s3rver knows only its built-in S3RVER key and does not check SigV4 signatures, so the
 * proxy does: it recomputes each request's signature with the expected secret key and refuses any other key
 * id or a signature that does not match, then passes the request on as S3RVER. Like S3, it checks an upload's
 * CRC32 (header or aws-chunked trailer, which s3rver knows neither of) and refuses bytes that differ (BadDigest).
 * It can also fail writes on demand (an outage, or a few transient errors) and records what it saw.
 */
import { createHash, createHmac } from 'node:crypto';
import { type IncomingMessage, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AmberfloKeys } from '../../relay/amberflo-keys.ts';
import { checkedUploadBody } from './aws-chunked.ts';
import { type LocalS3, startS3 } from './emulators.ts';

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly accessKeyId: string | undefined;
  readonly acl: string | undefined;
  readonly outcome: 'passed' | 'refused-key' | 'refused-signature' | 'injected-failure' | 'bad-digest';
  /** The x-amz-checksum-* header or trailer the request announced, e.g. `x-amz-checksum-crc32` or `trailer x-amz-checksum-crc32`. */
  readonly checksum: string | undefined;
}

export interface AmberfloS3 {
  readonly endpoint: string;
  readonly bucket: string;
  readonly seen: SeenRequest[];
  /** The next `count` PUTs (to keys containing `keyPart`, if given) fail with 503 SlowDown. */
  failNextWrites(count: number, keyPart?: string): void;
  /** Every PUT is refused with 403 AccessDenied until set back to false (a revoked grant, a changed policy). */
  refuseWrites(refuse: boolean): void;
  /** Accept another key pair from now on (a rotation on Amberflo's side). */
  setKeys(keys: AmberfloKeys): void;
  close(): Promise<void>;
}

export async function startAmberfloS3(bucket: string, keys: AmberfloKeys): Promise<AmberfloS3> {
  const s3: LocalS3 = await startS3([bucket]);
  const target = new URL(s3.endpoint);
  const seen: SeenRequest[] = [];
  let accepted = keys;
  let failures = { count: 0, keyPart: '' };
  let refusing = false;

  const server = createServer((request, response) => {
    const authorization = request.headers.authorization ?? '';
    const accessKeyId = /Credential=([^/]+)\//.exec(authorization)?.[1];
    const record = (outcome: SeenRequest['outcome']): void => {
      const checksumHeader = Object.keys(request.headers).find((name) => name.startsWith('x-amz-checksum-') && name !== 'x-amz-checksum-mode');
      const trailer = header(request, 'x-amz-trailer');
      const checksum = checksumHeader ?? (trailer === undefined ? undefined : `trailer ${trailer}`);
      seen.push({ method: request.method ?? '', path: request.url ?? '', accessKeyId, acl: header(request, 'x-amz-acl'), outcome, checksum });
    };
    const refuse = (status: number, code: string, outcome: SeenRequest['outcome']): void => {
      record(outcome);
      request.resume();
      request.on('end', () => {
        response.writeHead(status, { 'content-type': 'application/xml' });
        response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
      });
    };
    if (accessKeyId !== accepted.accessKeyId) return refuse(403, 'InvalidAccessKeyId', 'refused-key');
    if (!signatureMatches(request, accepted.secretAccessKey)) return refuse(403, 'SignatureDoesNotMatch', 'refused-signature');
    if (request.method === 'PUT' && refusing) return refuse(403, 'AccessDenied', 'injected-failure');
    if (request.method === 'PUT' && failures.count > 0 && (request.url ?? '').includes(failures.keyPart)) {
      failures = { ...failures, count: failures.count - 1 };
      return refuse(503, 'SlowDown', 'injected-failure');
    }
    const headers: Record<string, string | string[] | undefined> = {
      ...request.headers,
      host: target.host,
      authorization: authorization.replace(`Credential=${accessKeyId}/`, 'Credential=S3RVER/'),
    };
    let body: NodeJS.ReadableStream = request;
    if (request.method === 'PUT') {
      body = checkedUploadBody(request);
      // s3rver gets the decoded bytes as a plain upload.
      const length = header(request, 'x-amz-decoded-content-length') ?? header(request, 'content-length');
      for (const name of ['transfer-encoding', 'x-amz-trailer', 'x-amz-decoded-content-length', 'content-length']) delete headers[name];
      const encoding = (header(request, 'content-encoding') ?? '').split(',').filter((part) => part !== '' && part !== 'aws-chunked');
      if (encoding.length === 0) delete headers['content-encoding'];
      else headers['content-encoding'] = encoding.join(',');
      headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      if (length !== undefined) headers['content-length'] = length;
    }
    let answered = false;
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: request.method, path: request.url, headers }, (reply) => {
      if (answered) return void reply.resume();
      answered = true;
      record('passed');
      response.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(response);
    });
    upstream.on('error', () => {
      if (!answered) response.destroy();
    });
    body.on('error', (error: Error) => {
      upstream.destroy();
      if (answered) return;
      answered = true;
      record(error.name === 'BadDigest' ? 'bad-digest' : 'injected-failure');
      response.writeHead(400, { 'content-type': 'application/xml', connection: 'close' });
      response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${error.name === 'BadDigest' ? 'BadDigest' : 'IncompleteBody'}</Code><Message>${error.message}</Message></Error>`);
    });
    body.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    seen,
    failNextWrites: (count, keyPart = '') => (failures = { count, keyPart: encodeURI(keyPart) }),
    refuseWrites: (refuse) => (refusing = refuse),
    setKeys: (next) => (accepted = next),
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
      await s3.close();
    },
  };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** SigV4 (header form) recomputed from the request as received, with the expected secret key. */
function signatureMatches(request: IncomingMessage, secretAccessKey: string): boolean {
  const match = /^AWS4-HMAC-SHA256 Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
    request.headers.authorization ?? '',
  );
  const amzDate = header(request, 'x-amz-date');
  const payloadHash = header(request, 'x-amz-content-sha256');
  if (match === null || amzDate === undefined || payloadHash === undefined) return false;
  const [, date, region, service, signedHeaders, signature] = match as unknown as [string, string, string, string, string, string];
  const url = new URL(request.url ?? '/', 'http://localhost');
  const query = [...url.searchParams.entries()]
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const headers = signedHeaders
    .split(';')
    .map((name) => `${name}:${(header(request, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [request.method, url.pathname, query, headers, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const signingKey = [date, region, service, 'aws4_request'].reduce<Buffer | string>(
    (key, part) => createHmac('sha256', key).update(part).digest(),
    `AWS4${secretAccessKey}`,
  );
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex') === signature;
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

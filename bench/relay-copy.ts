/**
 * The relay forwarder copying one large object (default 2 GiB) between two loopback S3 stand-ins, with the real
 * clients and handler (relay/): the peak RSS of the forwarder's process (forked, so the endpoints' memory is not
 * counted) and its throughput, for a source with a stored checksum (sent in a header) and one without (a CRC32
 * computed while streaming, sent as a trailer). The stand-in checks the checksum as S3 does. Not part of
 * `npm run bench`: `node dist/bench/relay-copy.mjs [--gib 2]` (figures in README, "Relay").
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { CachedAmberfloKeys } from '../relay/amberflo-keys.ts';
import { amberfloS3Client, minAttemptMs, pipelineS3Client } from '../relay/clients.ts';
import { RELAY_DEFAULTS } from '../relay/config.ts';
import { createForwarder } from '../relay/forwarder.ts';
import { objectCreatedMessage } from '../relay/s3-events.ts';
import { checkedUploadBody } from '../test/support/aws-chunked.ts';

const BLOCK = Buffer.alloc(1024 * 1024, 'meter-firehose relay bench ');
const KEY = 'ingest/records/2026-11-25/large.gz';

interface CopyFigures {
  readonly ok: boolean;
  readonly ms: number;
  readonly peakRssMiB: number;
  readonly error?: string;
}

if (process.argv[2] === '--forward') {
  const [, , , endpoint, checksum] = process.argv as [string, string, string, string, string];
  process.send?.(await forward(endpoint, checksum));
  process.exit(0);
} else {
  const gibIndex = process.argv.indexOf('--gib');
  const gib = gibIndex === -1 ? 2 : Number(process.argv[gibIndex + 1]);
  const size = Math.round(gib * 1024 ** 3);
  const endpoint = await startEndpoints(size);
  console.log(`relay copy of ${gib} GiB on Node.js ${process.version} (idle timeout ${RELAY_DEFAULTS.idleTimeoutMs} ms)`);
  for (const checksum of ['stored', 'none']) {
    const figures = await inChild(endpoint.url, checksum);
    const rate = size / 1024 ** 2 / (figures.ms / 1000);
    console.log(
      `  source checksum ${checksum === 'stored' ? 'stored (PUT header)   ' : 'none (streamed CRC32)'}: ${figures.ok ? 'stored intact' : `FAILED ${figures.error}`}, ` +
        `${(figures.ms / 1000).toFixed(1)} s, ${rate.toFixed(0)} MiB/s, peak RSS ${figures.peakRssMiB.toFixed(1)} MiB`,
    );
  }
  endpoint.close();
}

/** In a fresh process: the forwarder copies the object once; its peak RSS is the kernel's high-water mark. */
function inChild(endpoint: string, checksum: string): Promise<CopyFigures> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--forward', endpoint, checksum], { execArgv: process.execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('message', (message) => resolve(message as CopyFigures));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`forwarder process exited with ${code}`))));
  });
}

async function forward(endpoint: string, checksum: string): Promise<CopyFigures> {
  process.env['AWS_ACCESS_KEY_ID'] ??= 'bench';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'bench';
  const timeouts = { connectionTimeoutMs: RELAY_DEFAULTS.connectionTimeoutMs, idleTimeoutMs: RELAY_DEFAULTS.idleTimeoutMs };
  const keys = new CachedAmberfloKeys(async () => JSON.stringify({ accessKeyId: 'AKIABENCH', secretAccessKey: 'bench-secret' }), 60_000);
  const logs: string[] = [];
  const handler = createForwarder({
    source: pipelineS3Client(timeouts, { url: endpoint, region: 'us-east-1' }),
    amberflo: amberfloS3Client({ amberfloRegion: 'us-east-1', amberfloEndpoint: endpoint, ...timeouts }, keys),
    amberfloBucket: 'amberflo',
    idleTimeoutMs: timeouts.idleTimeoutMs,
    prepareAmberflo: () => keys.get(),
    retry: { maxAttempts: 1, baseDelayMs: 0 },
    concurrency: 1,
    scope: { bucket: checksum, prefix: 'ingest/records/' },
    minAttemptMs: minAttemptMs(timeouts),
    log: (line) => logs.push(line),
  });
  const started = Date.now();
  const response = await handler({ Records: [{ messageId: 'm', body: objectCreatedMessage({ bucket: checksum, key: KEY }, new Date(0)), attributes: {} } as never] });
  const ms = Date.now() - started;
  const peakRssMiB = (process.resourceUsage().maxRSS * 1024) / 1024 ** 2;
  const failure = logs.find((line) => line.includes('"level":"ERROR"'));
  return response.batchItemFailures.length === 0 ? { ok: true, ms, peakRssMiB } : { ok: false, ms, peakRssMiB, error: failure ?? 'unknown' };
}

/** GET `/<stored|none>/<key>` streams `size` bytes (with their CRC32 for `stored`); PUT checks and counts what it gets. */
async function startEndpoints(size: number): Promise<{ url: string; close: () => void }> {
  let checksum = 0;
  for (let sent = 0; sent < size; sent += BLOCK.length) checksum = crc32(BLOCK.subarray(0, Math.min(BLOCK.length, size - sent)), checksum);
  const stored = Buffer.alloc(4);
  stored.writeUInt32BE(checksum >>> 0);
  const server = createServer((request, response) => {
    if (request.method === 'GET') {
      const withChecksum = (request.url ?? '').startsWith('/stored/');
      response.writeHead(200, { 'content-length': String(size), ...(withChecksum ? { 'x-amz-checksum-crc32': stored.toString('base64'), 'x-amz-checksum-type': 'FULL_OBJECT' } : {}) });
      let sent = 0;
      const pump = (): void => {
        while (sent < size) {
          const chunk = BLOCK.subarray(0, Math.min(BLOCK.length, size - sent));
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
      return;
    }
    const body = checkedUploadBody(request);
    let received = 0;
    body.on('data', (chunk: Buffer) => (received += chunk.length));
    body.on('error', (error) => {
      response.writeHead(400, { connection: 'close' });
      response.end(`<Error><Code>${error.name}</Code><Message>${error.message}</Message></Error>`);
    });
    body.on('end', () => {
      response.writeHead(received === size ? 200 : 400);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

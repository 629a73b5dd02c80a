/** The Lambda client that starts a window's run is bounded for real: a silent endpoint fails it, it does not hang. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { windowInvoker } from '../../reconcile-function/aws.ts';
import { type SilentServer, startSilentServer } from '../support/silent-server.ts';

const TIMEOUT_MS = 300;
let silent: SilentServer;

beforeAll(async () => {
  silent = await startSilentServer();
});
afterAll(() => silent?.close());

describe('windowInvoker', () => {
  it('fails within its 3 attempts of 300 ms against an endpoint that accepts connections and never answers', async () => {
    const invoke = windowInvoker({
      functionName: 'reconcile',
      region: 'us-east-1',
      timeouts: { connectionTimeoutMs: TIMEOUT_MS, idleTimeoutMs: TIMEOUT_MS },
      endpoint: silent.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const started = Date.now();
    await expect(invoke(Date.parse('2026-11-25T09:00:00Z'), { knownFilters: [], recheck: false })).rejects.toThrow();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS);
    // 3 attempts of at most 300 ms each, plus the SDK's backoff between them (well under 2 s).
    expect(elapsed).toBeLessThan(5_000);
    expect(silent.connections()).toBeGreaterThanOrEqual(1);
  });
});

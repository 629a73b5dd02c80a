/** Loopback endpoints that misbehave: one that accepts connections and never answers, one that refuses them. */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { listenOnLoopback } from './loopback.ts';

export interface SilentServer {
  readonly endpoint: string;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  let accepted = 0;
  const listener = await listenOnLoopback(
    createServer(() => {
      accepted += 1;
    }),
  );
  return { ...listener, connections: () => accepted };
}

/** The URL of a loopback port that was just released, so connecting to it is refused (ECONNREFUSED). */
export async function refusingEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

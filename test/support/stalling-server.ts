/** A loopback endpoint that answers 200 with its headers and the first bytes of a body, then goes silent. */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface StallingServer {
  readonly endpoint: string;
  /** Requests answered (and then left hanging) so far. */
  requests(): number;
  close(): Promise<void>;
}

export async function startStallingServer(): Promise<StallingServer> {
  const sockets = new Set<Socket>();
  let answered = 0;
  const server = createServer((request, response) => {
    answered += 1;
    request.resume();
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': '1000' });
    response.write('{"');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => answered,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

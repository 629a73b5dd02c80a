/** A loopback endpoint that answers 200 with its headers and the first bytes of a body, then goes silent. */
import { createServer } from 'node:http';
import { listenOnLoopback } from './loopback.ts';

export interface StallingServer {
  readonly endpoint: string;
  /** Requests answered (and then left hanging) so far. */
  requests(): number;
  close(): Promise<void>;
}

export async function startStallingServer(): Promise<StallingServer> {
  let answered = 0;
  const server = createServer((request, response) => {
    answered += 1;
    request.resume();
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': '1000' });
    response.write('{"');
  });
  return { ...(await listenOnLoopback(server)), requests: () => answered };
}

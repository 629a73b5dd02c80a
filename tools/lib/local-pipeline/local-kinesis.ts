/** An in-memory Kinesis API (kinesalite) on a random loopback port, for runs without an AWS account. */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

type Kinesalite = typeof import('kinesalite');

/** Credentials the emulator accepts; they are not secrets and never reach AWS. */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'local-emulator', secretAccessKey: 'local-emulator' } as const;

export interface LocalKinesis {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** The emulator is a dev dependency: an installed package's CLI runs without it and says what to do. */
function loadKinesalite(): Kinesalite {
  try {
    return createRequire(import.meta.url)('kinesalite') as Kinesalite;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error(
      'the local Kinesis stream needs the kinesalite package, which is not installed: `npm install kinesalite` beside this package, ' +
        'or run with `--source direct` (no emulator), or give `--kinesis-endpoint URL`',
    );
  }
}

export async function startLocalKinesis(): Promise<LocalKinesis> {
  // kinesalite loads its actions through computed require() paths that a bundler cannot follow, so it is
  // resolved from node_modules at run time rather than bundled.
  const kinesalite = loadKinesalite();
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 50 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * A loopback stand-in for Secrets Manager's GetSecretValue (the JSON 1.1 protocol the real SDK client speaks),
 * reached through AWS_ENDPOINT_URL_SECRETS_MANAGER or an explicit endpoint. Its secrets can be rotated.
 */
// @ts-nocheck

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalSecretsManager {
  readonly endpoint: string;
  /** GetSecretValue calls answered, by secret id. */
  readonly reads: Map<string, number>;
  setSecret(arn: string, secretString: string): void;
  close(): Promise<void>;
}

export async function startSecretsManager(): Promise<LocalSecretsManager> {
  const secrets = new Map<string, string>();
  const reads = new Map<string, number>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown): void => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      };
      if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        reply(400, { __type: 'InvalidRequestException', message: `unsupported target ${String(request.headers['x-amz-target'])}` });
        return;
      }
      const { SecretId: secretId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId: string };
      const value = secrets.get(secretId);
      if (value === undefined) {
        reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
        return;
      }
      reads.set(secretId, (reads.get(secretId) ?? 0) + 1);
      reply(200, { ARN: secretId, Name: secretId.split(':secret:')[1], SecretString: value, VersionId: `v${reads.get(secretId)}`, CreatedDate: Date.now() / 1000 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    reads,
    setSecret: (arn, secretString) => secrets.set(arn, secretString),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

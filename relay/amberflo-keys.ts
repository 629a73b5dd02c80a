/**
 * Amberflo's access key pair, read from a Secrets Manager secret and cached for a TTL so a rotated key is
 * picked up without a deploy. Neither the secret's value nor any part of it ever appears in an error message.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface AmberfloKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Credentials as the SDK takes them: refreshed by the SDK once `expiration` is near. */
export interface ExpiringKeys extends AmberfloKeys {
  readonly expiration: Date;
}

export class AmberfloSecretError extends Error {
  override readonly name = 'AmberfloSecretError';
}

const KEY_TEXT = /^\S{1,256}$/;

/**
 * The secret's format: `{"accessKeyId": "...", "secretAccessKey": "..."}` (other keys are ignored). The errors
 * name what is wrong, never what the value holds.
 */
export function parseAmberfloSecret(secretString: string | undefined): AmberfloKeys {
  if (secretString === undefined) throw new AmberfloSecretError('the Amberflo secret has no SecretString (binary secrets are not supported)');
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    // JSON.parse's message quotes the text it failed on: it is not passed on.
    throw new AmberfloSecretError('the Amberflo secret is not JSON: expected {"accessKeyId": "...", "secretAccessKey": "..."}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AmberfloSecretError('the Amberflo secret must be a JSON object with accessKeyId and secretAccessKey');
  }
  const { accessKeyId, secretAccessKey } = value as Record<string, unknown>;
  if (typeof accessKeyId !== 'string' || !KEY_TEXT.test(accessKeyId)) {
    throw new AmberfloSecretError('the Amberflo secret needs "accessKeyId": a non-empty string without spaces');
  }
  if (typeof secretAccessKey !== 'string' || !KEY_TEXT.test(secretAccessKey)) {
    throw new AmberfloSecretError('the Amberflo secret needs "secretAccessKey": a non-empty string without spaces');
  }
  return { accessKeyId, secretAccessKey };
}

export type SecretReader = () => Promise<string | undefined>;

export function secretsManagerReader(client: SecretsManagerClient, secretArn: string): SecretReader {
  return async () => (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
}

/**
 * Keys fetched at most once per TTL; concurrent callers share one fetch; `invalidate` forces the next fetch. A
 * failed read or a malformed value fails with "reading <secret> failed: …", naming the secret, never its value.
 */
export class CachedAmberfloKeys {
  private cached: ExpiringKeys | undefined;
  private inFlight: Promise<ExpiringKeys> | undefined;

  constructor(
    private readonly read: SecretReader,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    /** How errors name the secret, e.g. `the Amberflo key secret arn:aws:secretsmanager:…`. */
    private readonly secretName = 'the Amberflo key secret',
  ) {}

  get(): Promise<ExpiringKeys> {
    if (this.cached !== undefined && this.cached.expiration.getTime() > this.now()) return Promise.resolve(this.cached);
    this.inFlight ??= this.fetch().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** After Amberflo refused the keys (rotated or revoked): read the secret again on next use. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async fetch(): Promise<ExpiringKeys> {
    let keys: AmberfloKeys;
    try {
      keys = parseAmberfloSecret(await this.read());
    } catch (error) {
      // Secrets Manager's own errors and the parser's name what is wrong; none of them holds the value.
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new AmberfloSecretError(`reading ${this.secretName} failed: ${reason}`);
    }
    this.cached = { ...keys, expiration: new Date(this.now() + this.ttlMs) };
    return this.cached;
  }
}

/** The command's entry: its version, its help for a misspelt command, the name usage errors give, a missing stream. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { startKinesis, tempDirectory, useEmulatorCredentials } from '../support/emulators.ts';
import type { LocalKinesis } from '../../tools/lib/local-pipeline/local-kinesis.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('meter-firehose', () => {
  it('prints the package version', async () => {
    for (const flag of ['--version', '-v']) expect(await runCli([flag])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('suggests the command a misspelt one was meant to be, and lists the commands; nothing near, no suggestion', async () => {
    const misspelt = await runCli(['reconcle']);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toMatch(/^unknown command "reconcle" \(did you mean reconcile\?\)\n\nUsage: meter-firehose <command>/);
    const unknown = await runCli(['xyzzy']);
    expect(unknown.stderr).toMatch(/^unknown command "xyzzy"\n\nUsage: meter-firehose <command>/);
  });

  it('names itself in the hint after a usage error', async () => {
    const result = await runCli(['plan', '--events-per-secnd', '5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('(did you mean --events-per-second?)\nRun `meter-firehose plan --help` for usage.\n');
  });
});

describe('replay into a stream that does not exist', () => {
  let kinesis: LocalKinesis;
  let restoreCredentials: () => void;
  let out: { path: string; remove: () => Promise<void> };

  beforeAll(async () => {
    restoreCredentials = useEmulatorCredentials();
    kinesis = await startKinesis();
    out = await tempDirectory('missing-stream');
    expect((await runCli(['run', '--source', 'direct', '--out', out.path])).code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await kinesis?.close();
    await out?.remove();
    restoreCredentials?.();
  });

  it('names the stream, the Region and the endpoint it looked at', async () => {
    const result = await runCli(['replay', join(out.path), '--stream-name', 'no-such-stream', '--region', 'eu-west-1', '--kinesis-endpoint', kinesis.endpoint]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `replay failed: Kinesis stream "no-such-stream" not found in eu-west-1 at ${kinesis.endpoint}: ` +
        'check the name, the Region (--region, or the one in the ARN) and the account your credentials belong to\n',
    );
  });
});

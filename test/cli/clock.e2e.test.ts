/**
 * The README's demo with the system clock moved 75 and 400 days past the samples' day (2026-11-25), through the
 * built CLI under libfaketime: `run`, `inspect` and `replay --dry-run` do not depend on the date, and the local
 * replay after a fix delivers its record when now is pinned to the samples' day (METER_FIREHOSE_NOW), as the
 * README says; unpinned, the moved clock makes the transform judge it too old, as it would a real replay.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOW_VARIABLE, now } from '../../tools/lib/cli/clock.ts';
import { CLI_BUNDLE, FIXTURES_DAY, transformBundle } from '../support/cli.ts';
import { tempDirectory } from '../support/emulators.ts';

const FAKETIME = 'faketime';

function faketimeMissing(): string | undefined {
  const probe = spawnSync(FAKETIME, ['-f', '+0d', 'true'], { encoding: 'utf8' });
  return probe.error === undefined && probe.status === 0
    ? undefined
    : `${FAKETIME} is not installed: \`apt-get install -y faketime\` (Debian/Ubuntu; .ci/run installs it), \`brew install libfaketime\` (macOS)`;
}

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cliAt(offset: string, argv: readonly string[], env: NodeJS.ProcessEnv = {}): Outcome {
  const result = spawnSync(FAKETIME, ['-f', offset, process.execPath, CLI_BUNDLE, ...argv], {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

type Summary = { meterRecordsDelivered: number; rejected: { total: number; byReason: { reason: string }[] } };

describe.each(['+75d', '+400d'])('the README demo with the clock %s', (offset) => {
  it('runs, inspects and replays the samples after a fix; only the local replay needs now pinned to their day', async () => {
    const missing = faketimeMissing();
    if (missing !== undefined) throw new Error(missing);
    const bundle = transformBundle();
    const days = Number(offset.slice(1, -1));
    // The children get a bare environment, so the real clock is read even when this run is itself under faketime.
    const clock = (command: string, args: readonly string[]) => Number(spawnSync(command, args, { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } }).stdout);
    const real = clock(process.execPath, ['-p', 'Date.now()']);
    const seen = clock(FAKETIME, ['-f', offset, process.execPath, '-p', 'Date.now()']);
    expect(seen - real, 'faketime moves the clock the CLI sees').toBeGreaterThan((days - 1) * 86_400_000);

    const temp = await tempDirectory('clock');
    const dir = temp.path;
    const out = join(dir, 'bucket');
    const run = cliAt(offset, ['run', '--out', out, '--bundle', bundle, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ meterRecordsDelivered: 70, rejected: { total: 7 } });

    const inspect = cliAt(offset, ['inspect', out, '--json']);
    expect(inspect.code, inspect.stderr).toBe(1);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ failedEvents: 7 });

    const replay = ['replay', out, '--local', '--out', join(dir, 'replay'), '--bundle', bundle, '--reason', 'UNKNOWN_FIELD', '--transform-env', 'UNKNOWN_FIELDS=drop', '--json'];
    const pinned = cliAt(offset, replay, { [NOW_VARIABLE]: FIXTURES_DAY });
    expect(pinned.code, pinned.stderr).toBe(0);
    expect((JSON.parse(pinned.stdout) as { run: Summary }).run).toMatchObject({ meterRecordsDelivered: 1, rejected: { total: 0 } });

    const unpinned = cliAt(offset, replay);
    expect((JSON.parse(unpinned.stdout) as { run: Summary }).run).toMatchObject({
      meterRecordsDelivered: 0,
      rejected: { total: 1, byReason: [{ reason: 'INVALID_METER_TIME' }] },
    });
    await temp.remove();
  }, 240_000);
});

describe('METER_FIREHOSE_NOW', () => {
  it('pins now to an ISO-8601 time or epoch milliseconds, and refuses anything else, naming itself', () => {
    expect(now({ [NOW_VARIABLE]: FIXTURES_DAY })).toBe(Date.parse(FIXTURES_DAY));
    expect(now({ [NOW_VARIABLE]: '1795597440500' })).toBe(1795597440500);
    const before = Date.now();
    expect(now({})).toBeGreaterThanOrEqual(before);
    expect(() => now({ [NOW_VARIABLE]: 'tomorrow' })).toThrow(`${NOW_VARIABLE} must be an ISO-8601 time (2026-11-25T10:00:00Z) or epoch milliseconds, got "tomorrow"`);
  });
});

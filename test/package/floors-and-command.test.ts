/**
 * The package installed outside the repository with its peers at the floors package.json declares (the
 * `aws-cdk-lib-floor` and `constructs-floor` dev dependencies are those versions, so `npm ci` caches them): every
 * source and delivery mode synthesizes the template the repository's constructs give with the latest peers. And
 * its command, `meter-firehose`, run from the installed package with none of the repository's node_modules: it
 * prints the package's version, plans, runs the local pipeline where it can, inspects and reconciles that run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHILD_ENV,
  PACKAGE,
  VARIANT_STACKS,
  comparable,
  installConsumer,
  readTemplate,
  synthesizeVariants,
  synthesizeVariantsHere,
  type Consumer,
} from '../support/consumer-app.ts';

const FLOORS = [
  { name: 'aws-cdk-lib', from: 'aws-cdk-lib-floor' },
  { name: 'constructs', from: 'constructs-floor' },
] as const;

describe('the package at its peer floors, and its command', () => {
  let consumer: Consumer;
  let command: string;

  beforeAll(() => {
    consumer = installConsumer('floors', FLOORS);
    command = path.join(consumer.dir, 'node_modules/.bin', Object.keys(PACKAGE.bin)[0]!);
  }, 600_000);

  afterAll(() => {
    if (consumer !== undefined) rmSync(consumer.dir, { recursive: true, force: true });
  });

  it('declares as floors the versions it is tested at', () => {
    for (const { name, from } of FLOORS) {
      const floor = PACKAGE.devDependencies[from]?.replace(`npm:${name}@`, '');
      expect(PACKAGE.peerDependencies[name], name).toBe(`^${floor}`);
      const installed = JSON.parse(readFileSync(path.join(consumer.dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      expect(installed.version, name).toBe(floor);
    }
  });

  it('synthesizes every source, delivery mode and sender stack at the floors as the repository does at the latest', () => {
    const theirs = synthesizeVariants(consumer.dir);
    const outdir = mkdtempSync(path.join(tmpdir(), 'meter-firehose-latest-'));
    try {
      synthesizeVariantsHere(outdir);
      for (const stackName of VARIANT_STACKS) {
        expect(comparable(readTemplate(theirs, stackName)), stackName).toEqual(comparable(readTemplate(outdir, stackName)));
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 300_000);

  /** The installed command, as `npx meter-firehose` runs it, in the consumer's directory. */
  const cli = (...argv: string[]) => spawnSync(command, argv, { cwd: consumer.dir, encoding: 'utf8', timeout: 120_000, env: CHILD_ENV });

  it('prints the package version, and plans', () => {
    expect(cli('--version')).toMatchObject({ status: 0, stdout: `${PACKAGE.version}\n` });
    const plan = cli('plan', '--events-per-second', '50');
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^Cheapest within 6 min: direct /m);
  });

  it('runs the local pipeline on the bundled samples, then inspects and reconciles its directory', () => {
    const run = cli('run', '--source', 'direct', '--out', 'bucket', '--json');
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ meterRecordsDelivered: 70, rejected: { total: 7 } });

    const inspect = cli('inspect', 'bucket', '--json');
    expect(inspect.status, inspect.stderr).toBe(1);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ failedEvents: 7 });

    const reconcile = cli('reconcile', 'bucket', '--since', '2026-11-25T00:00:00Z', '--until', '2026-11-26T00:00:00Z');
    expect(reconcile.status, reconcile.stderr + reconcile.stdout).toBe(0);
  });

  it('says what `run` needs for a Kinesis source, which the package does not carry, without a stack trace', () => {
    const run = cli('run', '--out', 'kinesis-bucket');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('the local Kinesis stream needs the kinesalite package, which is not installed: `npm install kinesalite`');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('ends quietly when its reader stops reading (`| head -1`): no EPIPE stack trace', () => {
    // `head -n 0` exits before the command writes, so every write meets a closed pipe.
    const piped = spawnSync('sh', ['-c', `"${command}" plan --events-per-second 50 | head -n 0`], { cwd: consumer.dir, encoding: 'utf8', env: CHILD_ENV });
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe('');
  });
});

#!/usr/bin/env node
/**
 * meter-firehose CLI (the package's `meter-firehose` command): `run` the local pipeline, `inspect` the error prefix, `replay` failed events after a
 * fix, `plan` buffer hints for cost and latency, `amberflo-failures` for what Amberflo refused after delivery, `reconcile` a window: logged = delivered + quarantined + refused. Exit status 0 on success, 1 when failures are found or
 * work failed, 2 on a usage error.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './lib/cli/args.ts';
import { closestName } from './lib/cli/closest.ts';
import { PROGRAM, REPOSITORY_ROOT } from './lib/cli/paths.ts';
import { AMBERFLO_FAILURES_SPEC, amberfloFailuresCommand } from './commands/amberflo-failures.ts';
import { EXIT, type CommandIO, processIO } from './commands/io.ts';
import { INSPECT_SPEC, inspectCommand } from './commands/inspect.ts';
import { PLAN_SPEC, planCommand } from './commands/plan.ts';
import { RECONCILE_SPEC, reconcileCommand } from './commands/reconcile.ts';
import { REPLAY_SPEC, replayCommand } from './commands/replay.ts';
import { RUN_SPEC, runCommand } from './commands/run.ts';

const COMMANDS = {
  run: { spec: RUN_SPEC, execute: runCommand },
  inspect: { spec: INSPECT_SPEC, execute: inspectCommand },
  replay: { spec: REPLAY_SPEC, execute: replayCommand },
  plan: { spec: PLAN_SPEC, execute: planCommand },
  'amberflo-failures': { spec: AMBERFLO_FAILURES_SPEC, execute: amberfloFailuresCommand },
  reconcile: { spec: RECONCILE_SPEC, execute: reconcileCommand },
} as const;

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, { spec }]) => `  ${name.padEnd(width)}  ${spec.summary.split(' (')[0]?.split(': ')[0]}`);
  return [
    `Usage: ${PROGRAM} <command> [options]     (${PROGRAM} <command> --help for its options)`,
    `       ${PROGRAM} --version`,
    '',
    'Commands:',
    ...lines,
    '',
  ].join('\n');
}

/** The version of the package this CLI belongs to (its package.json: the installed package's, or the repository's). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

export async function main(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  // The AWS SDK's own switch for its Node.js version notice (9 lines on every Node 20 run, which this CLI
  // supports), read when a client is made; other warnings are untouched. A setting of the user's wins.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name as keyof typeof COMMANDS];
  if (command === undefined) {
    const suggestion = closestName(name, Object.keys(COMMANDS));
    io.stderr(`unknown command "${name}"${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}\n\n${usage()}`);
    return EXIT.usage;
  }
  try {
    return await command.execute(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\nRun \`${PROGRAM} ${name} --help\` for usage.\n`);
      return EXIT.usage;
    }
    io.stderr(`${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failures;
  }
}

/** `meter-firehose inspect | head -1`: output nobody reads any more ends the command quietly, as for any Unix tool. */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? EXIT.ok);
  });
}

// Run as a program: directly, or through the package's bin link (node_modules/.bin/meter-firehose), whose path
// is a symbolic link to this file.
const invokedAs = process.argv[1];
if (invokedAs !== undefined && existsSync(invokedAs) && import.meta.url === pathToFileURL(realpathSync(invokedAs)).href) {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  process.exitCode = await main(process.argv.slice(2));
}

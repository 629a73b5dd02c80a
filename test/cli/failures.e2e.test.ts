/**
 * How the CLI fails, as a user sees it from the built `dist/tools/cli.mjs`: exit status, stderr and time
 * to fail against loopback endpoints that hang or refuse, missing credentials, typos and wrong inputs.
 * Nothing here leaves 127.0.0.1.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainFailure, endpointLabel } from '../../tools/lib/aws/connection.ts';
import { parseLogInput } from '../../tools/lib/cloudwatch/log-input.ts';
import { type CliResult, exitCodeOf, jsonOf, runBuiltCli, runCli, transformBundle } from '../support/cli.ts';
import { tempDirectory } from '../support/emulators.ts';
import { type SilentServer, refusingEndpoint, startSilentServer } from '../support/silent-server.ts';

const DUMMY_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local-test', AWS_SECRET_ACCESS_KEY: 'local-test' };
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/meter-source';

let silent: SilentServer;
let bundle: string;
let home: string;
let errors: string;
const cleanups: (() => Promise<void>)[] = [];

async function scratch(label: string): Promise<string> {
  const directory = await tempDirectory(label);
  cleanups.push(directory.remove);
  return directory.path;
}

/** No credentials, config files or instance metadata to find: only what a test passes in `extra`. */
function isolatedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

async function timedCli(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult & { seconds: number }> {
  const started = performance.now();
  const result = await runBuiltCli(argv, env);
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

function expectExit(result: CliResult, code: number): void {
  const [actual, output] = exitCodeOf(result);
  expect(actual, output).toBe(code);
}

beforeAll(async () => {
  bundle = transformBundle();
  home = await scratch('home');
  errors = await scratch('errors');
  silent = await startSilentServer();
  expectExit(await runCli(['run', '--out', errors, '--bundle', bundle, '--json']), 0);
});

afterAll(async () => {
  await silent?.close();
  await Promise.all(cleanups.map((cleanup) => cleanup()));
});

describe('an endpoint that accepts connections and never answers', () => {
  it('ends every command that calls it with exit 1 within seconds, naming the endpoint', async () => {
    const env = isolatedEnv(DUMMY_CREDENTIALS);
    const out = await scratch('silent-out');
    const commands: [string, string[]][] = [
      ['inspect', ['inspect', 's3://amberflo-ingest/errors/', '--s3-endpoint', silent.endpoint]],
      ['replay', ['replay', errors, '--stream-name', 'meter-source', '--kinesis-endpoint', silent.endpoint]],
      ['run', ['run', '--out', out, '--kinesis-endpoint', silent.endpoint]],
      ['run', ['run', '--s3-endpoint', silent.endpoint, '--bundle', bundle]],
      ['reconcile', ['reconcile', 's3://amberflo-ingest', '--s3-endpoint', silent.endpoint, '--since', '2026-11-25T00:00:00Z', '--bundle', bundle]],
    ];
    const results = await Promise.all(commands.map(([, argv]) => timedCli([...argv, '--timeout', '1'], env)));
    results.forEach((result, i) => {
      expectExit(result, 1);
      // Exactly one line: the cause, with no SDK notice or stack around it.
      expect(result.stderr).toBe(`${commands[i]?.[0]} failed: no answer from ${silent.endpoint} within 1 s (3 attempts); check the endpoint, or raise --timeout\n`);
      // 3 attempts of 1 s, the SDK's backoff between them and process start; before, these hung until killed.
      expect(result.seconds).toBeLessThan(12);
    });
    expect(silent.connections()).toBeGreaterThanOrEqual(12);
  });

  it('fails within 10 s with the default --timeout (2 s of silence per attempt; it was 5 s, ~16 s in all)', async () => {
    const env = isolatedEnv(DUMMY_CREDENTIALS);
    const [inspect, replay] = await Promise.all([
      timedCli(['inspect', 's3://amberflo-ingest/errors/', '--s3-endpoint', silent.endpoint], env),
      timedCli(['replay', errors, '--stream-name', 'meter-source', '--kinesis-endpoint', silent.endpoint], env),
    ]);
    for (const [name, result] of [['inspect', inspect], ['replay', replay]] as const) {
      expectExit(result, 1);
      expect(result.stderr).toBe(`${name} failed: no answer from ${silent.endpoint} within 2 s (3 attempts); check the endpoint, or raise --timeout\n`);
      expect(result.seconds).toBeLessThan(10);
    }
  });
});

describe('causes are kept and configuration errors are not retried', () => {
  it('stops at missing credentials before connecting and says what to set', async () => {
    const before = silent.connections();
    const [replay, inspect, reconcile] = await Promise.all([
      timedCli(['replay', errors, '--stream-arn', STREAM_ARN, '--kinesis-endpoint', silent.endpoint], isolatedEnv()),
      timedCli(['inspect', 's3://amberflo-ingest/errors/', '--s3-endpoint', silent.endpoint], isolatedEnv()),
      timedCli(['reconcile', 's3://amberflo-ingest', '--s3-endpoint', silent.endpoint, '--since', '2026-11-25T00:00:00Z', '--bundle', bundle], isolatedEnv()),
    ]);
    for (const [name, result] of [['replay', replay], ['inspect', inspect], ['reconcile', reconcile]] as const) {
      expectExit(result, 1);
      expect(result.stderr).toMatch(
        new RegExp(`^${name} failed: no AWS credentials for http://127\\.0\\.0\\.1:\\d+: .+\\. Set AWS_PROFILE .+, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY .+\\n$`),
      );
      // Before, replay retried 8 times over about 10 s before naming the error.
      expect(result.seconds).toBeLessThan(5);
    }
    expect(silent.connections()).toBe(before);
  });

  it('keeps the network error of a refused connection', async () => {
    const endpoint = await refusingEndpoint();
    const result = await timedCli(['replay', errors, '--stream-name', 'meter-source', '--kinesis-endpoint', endpoint], isolatedEnv(DUMMY_CREDENTIALS));
    expectExit(result, 1);
    expect(result.stderr).toBe(`replay failed: cannot reach ${endpoint}: connect ECONNREFUSED ${endpoint.slice('http://'.length)} (3 attempts)\n`);
  });

  it('explains DNS failures and timeouts by endpoint, and leaves answers of the service alone', () => {
    const connection = { service: 'Kinesis', region: 'eu-west-1', timeoutMs: 5000 } as const;
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND kinesis.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND', $metadata: { attempts: 3 } });
    expect(explainFailure(notFound, connection)?.message).toBe(
      'cannot reach the AWS Kinesis endpoint in eu-west-1: getaddrinfo ENOTFOUND kinesis.eu-west-1.amazonaws.com (3 attempts)',
    );
    const noConnection = Object.assign(new Error('@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 3000 ms.'), {
      name: 'TimeoutError',
      $metadata: { attempts: 1 },
    });
    expect(explainFailure(noConnection, { ...connection, endpoint: 'http://10.0.0.1:4567' })?.message).toBe(
      'could not connect to http://10.0.0.1:4567 within 5 s (1 attempt); check the endpoint, or raise --timeout',
    );
    const answered = Object.assign(new Error('Stream meter-source under account 123456789012 not found.'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
    expect(explainFailure(answered, connection)).toBeUndefined();
    expect(endpointLabel(connection, { AWS_ENDPOINT_URL_KINESIS: 'http://127.0.0.1:4567' })).toBe('http://127.0.0.1:4567');
  });
});

describe('usage errors exit 2 and name the mistake', () => {
  it('rejects a misspelt --transform-env variable, naming the nearest one the transform reads', async () => {
    const env = isolatedEnv();
    const [run, replay] = await Promise.all([
      runBuiltCli(['run', '--transform-env', 'UNKNOWN_FEILDS=drop'], env),
      runBuiltCli(['replay', errors, '--local', '--out', join(errors, 'elsewhere'), '--transform-env', 'UNKNOWN_FEILDS=drop'], env),
    ]);
    for (const result of [run, replay]) {
      expectExit(result, 2);
      expect(result.stderr).toContain('--transform-env: the transform reads no variable UNKNOWN_FEILDS (did you mean UNKNOWN_FIELDS?); it reads METER_RECORD_PREFIX,');
    }
  });

  it('warns of a --transform-env value the transform will refuse at cold start, naming the variable', async () => {
    const result = await runBuiltCli(['run', '--transform-env', 'UNKNOWN_FIELDS=bogus', '--out', await scratch('bad-value'), '--json'], isolatedEnv());
    // Rehearsing an outage this way stays possible: every invocation fails, and stderr says why.
    expectExit(result, 1);
    expect(result.stderr).toContain(
      'warning: --transform-env: UNKNOWN_FIELDS must be "reject" or "drop", got "bogus": the transform will fail its cold start, and every invocation with it\n',
    );
    expect(jsonOf<{ records: { failed: Record<string, number> } }>(result).records.failed).toEqual({ 'Lambda.FunctionError': 11 });
  });

  it('refuses replay flags that would be ignored, and two targets at once', async () => {
    const env = isolatedEnv(DUMMY_CREDENTIALS);
    const [fixWithoutLocal, outWithoutLocal, bothTargets, bucketWithoutEndpoint] = await Promise.all([
      runBuiltCli(['replay', errors, '--stream-arn', STREAM_ARN, '--transform-env', 'UNKNOWN_FIELDS=drop'], env),
      runBuiltCli(['replay', errors, '--stream-name', 'meter-source', '--out', join(errors, 'elsewhere')], env),
      runBuiltCli(['replay', errors, '--stream-name', 'meter-source', '--stream-arn', STREAM_ARN], env),
      runBuiltCli(['replay', errors, '--local', '--out', join(errors, 'elsewhere'), '--bucket', 'amberflo-ingest'], env),
    ]);
    expect(fixWithoutLocal).toMatchObject({ code: 2, stderr: expect.stringContaining('--transform-env applies to --local only') });
    expect(outWithoutLocal).toMatchObject({ code: 2, stderr: expect.stringContaining('--out applies to --local only') });
    expect(bothTargets).toMatchObject({ code: 2, stderr: expect.stringContaining('give the target stream once: --stream-name or --stream-arn, not both') });
    expect(bucketWithoutEndpoint).toMatchObject({ code: 2, stderr: expect.stringContaining('--bucket applies with --bucket-endpoint URL') });
  });

  it('checks --region and --timeout even when no AWS API is called, before removing anything', async () => {
    const out = await scratch('region');
    expectExit(await runCli(['run', '--out', out, '--bundle', bundle, '--json']), 0);
    const env = isolatedEnv();
    const [region, timeout, nan] = await Promise.all([
      runBuiltCli(['run', '--out', out, '--region', 'us east'], env),
      runBuiltCli(['inspect', out, '--timeout', '0'], env),
      runBuiltCli(['inspect', out, '--timeout', 'NaN'], env),
    ]);
    expect(region).toMatchObject({ code: 2, stderr: expect.stringContaining('--region must be an AWS Region such as us-east-1, got "us east"') });
    expect(region.stderr).not.toContain('removed');
    expect(timeout).toMatchObject({ code: 2, stderr: expect.stringContaining('--timeout must be a number from 0.1 to 300, got "0"') });
    expect(nan).toMatchObject({ code: 2, stderr: expect.stringContaining('--timeout must be a number from 0.1 to 300, got "NaN"') });
    expect(jsonOf<{ failedEvents: number }>(await runCli(['inspect', out, '--json'])).failedEvents).toBe(7);
  });

  it('says that an input is neither log lines nor filter-log-events JSON', async () => {
    const directory = await scratch('inputs');
    const sample = await readFile('samples/filter-log-events.json');
    const inputs: [string, Uint8Array, string][] = [
      ['binary.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]), 'is binary, not text (a NUL byte at offset 7)'],
      ['events.json.gz', gzipSync(sample), 'is gzip-compressed, not text: gunzip it first'],
      ['truncated.json', sample.subarray(0, 200), 'starts like JSON but does not parse'],
      ['package.json', await readFile('package.json'), 'is a JSON document without an "events" array: it is neither log lines nor filter-log-events JSON'],
      ['empty.log', Buffer.from(' \n\n'), 'is empty: expected plain log lines or the JSON that `aws logs filter-log-events` prints'],
    ];
    const results = await Promise.all(
      inputs.map(async ([name, bytes]) => {
        await writeFile(join(directory, name), bytes);
        return runBuiltCli(['run', join(directory, name), '--out', join(directory, 'out')], isolatedEnv());
      }),
    );
    results.forEach((result, i) => {
      expectExit(result, 2);
      expect(result.stderr).toContain(`${join(directory, inputs[i]?.[0] ?? '')} ${inputs[i]?.[2]}`);
    });
  });

  it('still reads logs in the Lambda JSON format, one JSON object per line', () => {
    const options = { logGroup: '/aws/lambda/api', logStream: 'stream', defaultTimestamp: 0 };
    const lines = '{"timestamp":"2026-11-25T09:00:00.000Z","message":"a"}\n{"timestamp":"2026-11-25T09:00:01.000Z","message":"b"}\n';
    expect(parseLogInput(lines, options)).toMatchObject({ format: 'lines', events: [{ timestamp: 1795597200000 }, { timestamp: 1795597201000 }] });
    expect(parseLogInput('{"message":"one line"}', options)).toMatchObject({ format: 'lines', events: [{ message: '{"message":"one line"}' }] });
  });

  it('refuses files where directories belong, a bucketless s3:// location, a missing bundle and a negative rate', async () => {
    const env = isolatedEnv();
    const [file, bucketless, negative, outFile, noBundle] = await Promise.all([
      runBuiltCli(['inspect', 'package.json'], env),
      runBuiltCli(['inspect', 's3://'], env),
      runBuiltCli(['plan', '--events-per-second', '-5'], env),
      runBuiltCli(['run', '--out', 'package.json'], env),
      runBuiltCli(['run', '--bundle', 'dist/no-such-bundle.mjs'], env),
    ]);
    expect(outFile).toMatchObject({ code: 2, stderr: expect.stringContaining('--out package.json is a file, not a directory') });
    expect(noBundle).toMatchObject({ code: 2, stderr: expect.stringContaining('--bundle dist/no-such-bundle.mjs not found: build the transform first') });
    expect(file).toMatchObject({ code: 2, stderr: expect.stringContaining('package.json is a file: give the directory that holds the error objects') });
    expect(bucketless).toMatchObject({ code: 2, stderr: expect.stringContaining('"s3://" names no bucket: give s3://BUCKET/PREFIX') });
    expect(negative).toMatchObject({ code: 2, stderr: expect.stringContaining('--events-per-second must be a number from 0.001 to 10000000, got "-5"') });
  });

  it('takes numbers in decimal notation only', async () => {
    for (const raw of ['0x10', '0b11', ' 5', 'NaN', 'Infinity', '1e400', '']) {
      const result = await runCli(['plan', '--events-per-second', raw]);
      expect(result, raw).toMatchObject({ code: 2, stderr: expect.stringContaining(`--events-per-second must be a number from 0.001 to 10000000, got "${raw}"`) });
    }
    for (const raw of ['5', '+5', '2.5e1', '.5', '5.']) expectExit(await runCli(['plan', '--events-per-second', raw, '--json']), 0);
  });

  it('refuses a --reason no failed event can have, naming the nearest; takes reject reasons and Firehose codes', async () => {
    const typo = await runCli(['inspect', errors, '--reason', 'INVALID_METER_VALU']);
    expect(typo).toMatchObject({ code: 2, stderr: expect.stringContaining('--reason "INVALID_METER_VALU" is not a reason a failed event can have (did you mean INVALID_METER_VALUE?)') });
    const unknown = await runCli(['replay', errors, '--local', '--reason', 'NOPE']);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('--reason "NOPE" is not a reason a failed event can have; give one of ') });
    const known = jsonOf<{ failedEvents: number }>(await runCli(['inspect', errors, '--reason', 'INVALID_METER_VALUE', '--reason', 'Lambda.FunctionError', '--json']));
    expect(known.failedEvents).toBe(1);
  });

  it('describes replay flags as replay uses them', async () => {
    const help = await runCli(['replay', '--help']);
    expect(help.stdout).toMatch(/--stream-name NAME +Target Kinesis stream in --region, which must exist \(with --local: the local stream, created if missing\)/);
    expect(help.stdout).toMatch(/--bucket NAME +With --local --bucket-endpoint: bucket to write objects to/);
    expect(help.stdout).toMatch(/--out DIR +With --local: directory laid out like the bucket \(default \.local\/replay\)/);
    expect(help.stdout).toMatch(/--s3-endpoint URL +S3-compatible endpoint for s3:\/\/ locations/);
  });
});

describe('runs do not pile up', () => {
  it('starts each run from a clean output directory, saying so, unless --append', async () => {
    const out = await scratch('clean');
    const keep = [join(out, 'notes.txt'), join(out, 'ingest', 'records', 'keep.txt')];
    await mkdir(join(out, 'ingest', 'records'), { recursive: true });
    await Promise.all(keep.map((path) => writeFile(path, 'not an object of the pipeline')));
    const run = ['run', '--out', out, '--bundle', bundle, '--json'];
    const failedEvents = async (): Promise<number> => jsonOf<{ failedEvents: number }>(await runCli(['inspect', out, '--json'])).failedEvents;

    expectExit(await runCli(run), 0);
    const again = await runCli(run);
    expectExit(again, 0);
    expect(again.stderr).toBe(`run: removed 5 objects of an earlier run from ${out} (--append keeps them)\n`);
    expect(await failedEvents()).toBe(7);
    expectExit(await runCli([...run, '--append']), 0);
    expect(await failedEvents()).toBe(14);
    expect(await Promise.all(keep.map((path) => readFile(path, 'utf8')))).toEqual(keep.map(() => 'not an object of the pipeline'));
  });

  it('replay --local does not deliver into the directory it reads unless told to', async () => {
    const result = await runCli(['replay', errors, '--local', '--out', errors, '--bundle', bundle]);
    expectExit(result, 2);
    expect(result.stderr).toContain(`--out ${errors} is the directory being replayed: add --append to deliver into it, or choose another --out`);
  });
});

describe('output noise', () => {
  it("prints no AWS SDK Node.js version notice, and still prints the user's own warnings", async () => {
    const directory = await scratch('warnings');
    const warn = join(directory, 'warn.cjs');
    await writeFile(warn, "process.emitWarning('a warning of the user');\n");
    const result = await runBuiltCli(['run', '--out', join(directory, 'out'), '--bundle', bundle, '--json'], isolatedEnv({ NODE_OPTIONS: `--require ${warn}` }));
    expectExit(result, 0);
    expect(result.stderr).toContain('Warning: a warning of the user');
    expect(result.stderr).not.toContain('NodeVersionSupportWarning');
    expect(result.stderr.trim().split('\n')).toHaveLength(2);
  });
});

/** Every command output quoted in README.md and tools/README.md is what the command prints today. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  MARKER,
  QUOTED_OUTPUT_FILES,
  cliArguments,
  findQuotedOutputs,
  normalizeOutput,
  renderQuotedOutputs,
  unmarkedCommandBlocks,
} from '../../tools/lib/docs/quoted-output.ts';
import { quotedCommandOutput } from '../../tools/update-docs.ts';
import { transformBundle } from '../support/cli.ts';

const SAMPLE = ['# Title', '', MARKER, '```', '$ npm run cli -- plan --events-per-second 5', 'old output', '```', '', 'text', '', MARKER, '```text', "$ npm run cli -- inspect 'my dir' --reason A", 'old', 'lines', '```', ''].join('\n');

describe('quoted command outputs', () => {
  it('every output quoted in the READMEs is what its command prints now (update them with npm run docs)', async () => {
    transformBundle();
    for (const file of QUOTED_OUTPUT_FILES) {
      const markdown = await readFile(file, 'utf8');
      expect(unmarkedCommandBlocks(markdown), `${file} quotes commands without "${MARKER}" above them`).toEqual([]);
      const blocks = findQuotedOutputs(markdown, file);
      expect(blocks.length, file).toBeGreaterThan(0);
      for (const block of blocks) {
        const printed = await quotedCommandOutput(block.argv);
        expect(normalizeOutput(block.output), `${file}: the output of \`${block.command}\` changed; run \`npm run docs\``).toBe(normalizeOutput(printed));
      }
    }
  });

  it('finds marked blocks, their commands as CLI arguments, and rewrites only their outputs, in order', async () => {
    expect(findQuotedOutputs(SAMPLE).map(({ argv, output }) => ({ argv, output }))).toEqual([
      { argv: ['plan', '--events-per-second', '5'], output: 'old output\n' },
      { argv: ['inspect', 'my dir', '--reason', 'A'], output: 'old\nlines\n' },
    ]);
    const calls: string[] = [];
    const rendered = await renderQuotedOutputs(SAMPLE, async (argv) => {
      calls.push(argv[0] as string);
      return `new ${argv[0]}`;
    });
    expect(calls).toEqual(['plan', 'inspect']);
    expect(rendered).toBe(SAMPLE.replace('old output\n', 'new plan\n').replace('old\nlines\n', 'new inspect\n'));
    expect(cliArguments('npm start')).toEqual(['run']);
    expect(cliArguments('npx meter-firehose plan --events-per-second 5')).toEqual(['plan', '--events-per-second', '5']);
    expect(() => cliArguments('aws s3 ls', 'README.md')).toThrow('README.md: "$ aws s3 ls" is neither `npm start`, `npm run cli -- …` nor `npx meter-firehose …`');
    expect(unmarkedCommandBlocks('text\n```\n$ npx meter-firehose plan --events-per-second 5\nout\n```\n')).toEqual(['npx meter-firehose plan --events-per-second 5']);
    expect(unmarkedCommandBlocks(`${SAMPLE}\n\`\`\`\n$ npm start\nout\n\`\`\`\n`)).toEqual(['npm start']);
  });

  it('masks only what differs between runs of one command: UUIDs, measured milliseconds and the latencies they shift, alignment', () => {
    const first = [
      'kind  location                                                    size',
      '----  ----------------------------------------------------------  ----',
      'data  ./b/x-1-2026-11-25-09-00-00-0dcbebd9-807d-4a74-a731-15fb709f946c.gz   42',
      'Lambda invocations  7  0 failed after retries; slowest 60 ms',
      'Delivery latency: max 6 min, mean 3 min 30 s. The buffer hints imply up to 6 min when',
    ].join('\n');
    const second = [
      'kind  location                                                    size',
      '----  -----------------------------------------------------------  ----',
      'data  ./b/x-1-2026-11-25-09-00-00-3100fd4c-2f0e-4d6e-a285-67247eec6113.gz    42',
      'Lambda invocations  7  0 failed after retries; slowest 1176 ms',
      'Delivery latency: max 6 min 1 s, mean 3 min 31 s. The buffer hints imply up to 6 min 1 s when',
    ].join('\n');
    expect(normalizeOutput(first)).toBe(normalizeOutput(second));
    // Counts, sizes, names, object times and words are compared.
    const changes: [string, string][] = [['  42', '  43'], ['2026-11-25-09-00-00', '2026-11-25-09-00-01'], ['7  0 failed', '7  1 failed'], ['./b/', './c/'], ['Delivery', 'Delivered']];
    for (const [from, to] of changes) {
      expect(normalizeOutput(first.replace(from, to)), `${from} → ${to}`).not.toBe(normalizeOutput(first));
    }
  });
});

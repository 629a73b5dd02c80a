/** The `plan` output quoted in the READMEs is what the command prints. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

/** Each quoted `$ npm run cli -- plan …` block: its arguments and the lines shown (`...` marks an excerpt). */
function quotedPlans(path: string): { args: string[]; shown: string[] }[] {
  const blocks = [...readFileSync(path, 'utf8').matchAll(/```\n\$ npm run cli -- (plan [^\n]*)\n([\s\S]*?)```/g)];
  return blocks.map(([, command, output]) => ({ args: (command as string).split(' '), shown: (output as string).split('\n').filter((line) => line !== '') }));
}

describe.each(['tools/README.md', 'README.md'])('%s', (path) => {
  const quoted = quotedPlans(path);

  it('quotes at least one plan', () => {
    expect(quoted.length).toBeGreaterThan(0);
  });

  it.each(quoted.map((block) => [block.args.join(' '), block] as const))('%s', async (_command, { args, shown }) => {
    const result = await runCli(args);
    expect(result.code).toBe(0);
    const printed = result.stdout.split('\n').filter((line) => line !== '');
    if (shown.includes('...')) {
      const excerpt = shown.filter((line) => line !== '...');
      const start = printed.indexOf(excerpt[0] as string);
      expect(printed.slice(start, start + excerpt.length)).toEqual(excerpt);
    } else {
      expect(printed).toEqual(shown);
    }
  });
});

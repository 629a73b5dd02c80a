/**
 * Command outputs quoted in the READMEs, kept true to the commands. A quoted output is a fenced block
 * right after the marker comment, whose first line is the command (`$ npm start`, `$ npm run cli -- …` or `$ npx meter-firehose …`)
 * and whose other lines are what it prints on stdout:
 *
 *     <!-- output: npm run docs -->
 *     ```
 *     $ npm run cli -- plan --events-per-second 50
 *     …
 *     ```
 *
 * `npm run docs` runs every such command, in file order, and rewrites the block; the doc test runs them
 * and compares, masking only what differs between two runs of the same command (VOLATILE).
 */

export const MARKER = '<!-- output: npm run docs -->';

/** The markdown files whose quoted outputs are checked, in the order their commands run. */
export const QUOTED_OUTPUT_FILES = ['README.md', 'tools/README.md'] as const;

export interface QuotedOutput {
  /** The command as written after `$ `. */
  readonly command: string;
  /** The CLI arguments it stands for. */
  readonly argv: readonly string[];
  /** The quoted output, ending in a newline. */
  readonly output: string;
  /** Offsets of the output in the markdown text. */
  readonly start: number;
  readonly end: number;
}

export class QuotedOutputError extends Error {
  override readonly name = 'QuotedOutputError';
}

const BLOCK = new RegExp(`${escape(MARKER)}\\n\`\`\`[^\\n]*\\n\\$ ([^\\n]+)\\n([\\s\\S]*?)^\`\`\`$`, 'gm');

export function findQuotedOutputs(markdown: string, source = 'markdown'): QuotedOutput[] {
  return [...markdown.matchAll(BLOCK)].map((match) => {
    const command = match[1] as string;
    const output = match[2] as string;
    const start = (match.index ?? 0) + match[0].length - output.length - 3;
    return { command, argv: cliArguments(command, source), output, start, end: start + output.length };
  });
}

/** Lines that quote a command (`$ npm …` opening a fence) without the marker, so nothing checks them. */
export function unmarkedCommandBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^(.*)\n```[^\n]*\n\$ ((?:npm|npx meter-firehose) [^\n]+)$/gm)].filter((match) => match[1] !== MARKER).map((match) => match[2] as string);
}

/**
 * `npm start` runs `run`; `npm run cli -- ARGS` (in the repository) and `npx meter-firehose ARGS` (the package's
 * command) run ARGS. Arguments are split on spaces; quotes group.
 */
export function cliArguments(command: string, source = 'markdown'): string[] {
  if (command === 'npm start') return ['run'];
  const args = /^(?:npm run cli --|npx meter-firehose) (.+)$/.exec(command)?.[1];
  if (args === undefined) {
    throw new QuotedOutputError(`${source}: "$ ${command}" is neither \`npm start\`, \`npm run cli -- …\` nor \`npx meter-firehose …\``);
  }
  return [...args.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? (match[3] as string));
}

/** Every quoted output replaced by what `run` prints for its command, in order. */
export async function renderQuotedOutputs(markdown: string, run: (argv: readonly string[]) => Promise<string>, source = 'markdown'): Promise<string> {
  let rendered = '';
  let copied = 0;
  for (const block of findQuotedOutputs(markdown, source)) {
    const output = await run(block.argv);
    rendered += markdown.slice(copied, block.start) + (output.endsWith('\n') ? output : `${output}\n`);
    copied = block.end;
  }
  return rendered + markdown.slice(copied);
}

/** What legitimately differs between two runs of the same command, and why; masked before comparing. */
export const VOLATILE: readonly { readonly why: string; readonly pattern: RegExp; readonly mask: string }[] = [
  { why: 'object names end in a random UUID, as Firehose names them', pattern: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, mask: '<uuid>' },
  { why: 'the slowest Lambda invocation is measured wall time', pattern: /slowest \d+ ms/g, mask: 'slowest <n> ms' },
  {
    why: "the simulated clock adds each invocation's measured time to delivery latencies",
    pattern: /(?<=\b(?:max|mean|up to) )(?:\d+ min(?: \d+ s)?|\d+(?:\.\d+)? s)/g,
    mask: '<duration>',
  },
  { why: 'table columns are as wide as their widest (possibly masked) cell', pattern: / {2,}/g, mask: '  ' },
  { why: 'table rules are as long as their column is wide', pattern: /-{2,}/g, mask: '--' },
];

export function normalizeOutput(text: string): string {
  return VOLATILE.reduce((normalized, { pattern, mask }) => normalized.replace(pattern, mask), text)
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

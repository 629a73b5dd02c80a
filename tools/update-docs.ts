/**
 * `npm run docs`: rewrites every command output quoted in the READMEs (see tools/lib/docs/quoted-output.ts)
 * with what the command prints now, running the commands in file order from the repository root, and the
 * construct package's API reference (tools/lib/docs/api-reference.ts) from its TSDoc.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from './cli.ts';
import { REPOSITORY_ROOT } from './lib/cli/paths.ts';
import { API_REFERENCE_FILE, documentExports, renderApiReference } from './lib/docs/api-reference.ts';
import { QUOTED_OUTPUT_FILES, renderQuotedOutputs } from './lib/docs/quoted-output.ts';

/** What the command prints on stdout; a usage error or an empty output is a broken example, not an output. */
export async function quotedCommandOutput(argv: readonly string[]): Promise<string> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  if (code > 1 || stdout === '') throw new Error(`cli ${argv.join(' ')} exited ${code} with no output to quote:\n${stderr}`);
  return stdout;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.chdir(REPOSITORY_ROOT);
  for (const file of QUOTED_OUTPUT_FILES) {
    const markdown = await readFile(join(REPOSITORY_ROOT, file), 'utf8');
    const rendered = await renderQuotedOutputs(markdown, quotedCommandOutput, file);
    if (rendered !== markdown) await writeFile(join(REPOSITORY_ROOT, file), rendered);
    process.stdout.write(`${file}: ${rendered === markdown ? 'unchanged' : 'updated'}\n`);
  }
  await writeFile(join(REPOSITORY_ROOT, API_REFERENCE_FILE), renderApiReference(documentExports(REPOSITORY_ROOT)));
  process.stdout.write(`${API_REFERENCE_FILE}: written\n`);
}

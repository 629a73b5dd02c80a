/** Files the CLI ships with, found from the repository root whether it runs from source or from dist/. */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// This module runs from tools/lib/cli/ (source) or bundled into dist/tools/cli.mjs: the root is the nearest
// directory above it that holds package.json.
export const REPOSITORY_ROOT = nearestPackageRoot(dirname(fileURLToPath(import.meta.url)));

function nearestPackageRoot(start: string): string {
  for (let directory = start; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) return directory;
    if (dirname(directory) === directory) throw new Error(`no package.json above ${start}`);
  }
}

/** The command's name: the package's `bin`. */
export const PROGRAM = 'meter-firehose';
export const SAMPLE_FILTER_LOG_EVENTS = join(REPOSITORY_ROOT, 'samples', 'filter-log-events.json');
export const SAMPLE_LOG_LINES = join(REPOSITORY_ROOT, 'samples', 'log-lines.txt');
export const TRANSFORM_BUNDLE = join(REPOSITORY_ROOT, 'dist', 'transform', 'index.mjs');
export const DEFAULT_OUTPUT_DIRECTORY = '.local/bucket';
export const DEFAULT_REPLAY_DIRECTORY = '.local/replay';

/** A path as people read it: `./…` relative to the working directory when it is inside it, else absolute. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const inside = relative(cwd, path);
  return inside === '' ? '.' : inside.split(sep)[0] === '..' || isAbsolute(inside) ? path : `./${inside}`;
}

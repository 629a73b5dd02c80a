/** Files the CLI ships with, found from the repository root whether it runs from source or from dist/. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

// Both tools/lib/paths.ts and its bundle dist/tools/cli.mjs sit two directories below the root.
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const SAMPLE_FILTER_LOG_EVENTS = join(REPOSITORY_ROOT, 'samples', 'filter-log-events.json');
export const SAMPLE_LOG_LINES = join(REPOSITORY_ROOT, 'samples', 'log-lines.txt');
export const TRANSFORM_BUNDLE = join(REPOSITORY_ROOT, 'dist', 'transform', 'index.mjs');
export const DEFAULT_OUTPUT_DIRECTORY = '.local/bucket';

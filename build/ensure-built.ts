/**
 * `npm start` and `npm run cli`: builds dist/ first only when it is missing or older than a source file, and says
 * so on stderr, so a run after `npm ci` (whose `prepare` builds) starts at once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

const projectRoot = path.resolve(import.meta.dirname, '..');
/** What `npm run build` reads. */
const SOURCES = ['transform', 'relay', 'reconcile-function', 'shared', 'infra', 'tools', 'build', 'bench', 'package.json', 'tsconfig.json'];
/** Written last by `npm run build` (build/build.ts). */
const BUILT = path.join(projectRoot, 'dist', '.built');

function newestChange(entry: string): number {
  const stats = statSync(entry);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(entry, { withFileTypes: true })
    .filter((child) => child.name !== 'node_modules' && !child.name.startsWith('.'))
    .reduce((newest, child) => Math.max(newest, newestChange(path.join(entry, child.name))), stats.mtimeMs);
}

function staleness(): string | undefined {
  if (!existsSync(BUILT)) return 'dist/ is not built yet';
  const builtAt = statSync(BUILT).mtimeMs;
  const changed = SOURCES.map((name) => path.join(projectRoot, name)).find((source) => existsSync(source) && newestChange(source) > builtAt);
  if (changed === undefined) return undefined;
  return `${path.relative(projectRoot, changed)}${statSync(changed).isDirectory() ? '/' : ''} changed since the last build`;
}

const reason = staleness();
if (reason !== undefined) {
  process.stderr.write(`build: ${reason}; running \`npm run build\` first (about a minute)…\n`);
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: projectRoot, stdio: 'inherit' });
}

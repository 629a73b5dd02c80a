/** The commit a recorded run measured, so a figure can always be traced to the code that produced it. */
// @ts-nocheck

import { execFileSync } from 'node:child_process';

export interface Revision {
  readonly commit: string;
  /** Tracked files that differ from the commit (bench/results.json, which a run rewrites, aside). */
  readonly uncommittedChanges: readonly string[];
}

const RESULTS_PATH = 'bench/results.json';

export function currentRevision(cwd: string): Revision {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
  const changed = git('diff', '--name-only', 'HEAD')
    .split('\n')
    .filter((path) => path !== '' && path !== RESULTS_PATH);
  return { commit: git('rev-parse', 'HEAD'), uncommittedChanges: changed };
}

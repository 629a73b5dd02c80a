// @ts-nocheck
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { currentRevision } from '../../bench/lib/revision.ts';

describe('currentRevision', () => {
  const repo = mkdtempSync(join(tmpdir(), 'bench-revision-'));
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  git('init', '--quiet');
  mkdirSync(join(repo, 'bench'));
  writeFileSync(join(repo, 'bench/results.json'), '{}\n');
  writeFileSync(join(repo, 'code.ts'), 'export {};\n');
  git('add', '.');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '--quiet', '-m', 'first');
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('names the commit checked out', () => {
    expect(currentRevision(repo)).toEqual({ commit: git('rev-parse', 'HEAD'), uncommittedChanges: [] });
  });

  it('lists tracked files changed since, but not the results file a run rewrites', () => {
    writeFileSync(join(repo, 'bench/results.json'), '{"rewritten":true}\n');
    writeFileSync(join(repo, 'code.ts'), 'export const changed = 1;\n');
    writeFileSync(join(repo, 'untracked.ts'), '');
    expect(currentRevision(repo).uncommittedChanges).toEqual(['code.ts']);
  });
});

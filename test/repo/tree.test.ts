/**
 * The tracked tree holds no symbolic links: tools that copy it (Stryker's sandbox, archivers, CDK assets) fail
 * on a link that points to itself or loops (ELOOP), and a link that resolves outside the tree ships whatever
 * it points at.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SYMLINK_MODE = '120000';

describe('the tracked tree', () => {
  it('has no symbolic links', () => {
    const listing = spawnSync('git', ['ls-files', '--stage', '-z'], { cwd: ROOT, encoding: 'utf8' });
    expect(listing.status, listing.stderr).toBe(0);
    const entries = listing.stdout.split('\0').filter(Boolean);
    expect(entries.length).toBeGreaterThan(0);
    // Each entry is "<mode> <object> <stage>\t<path>".
    const links = entries.filter((entry) => entry.startsWith(`${SYMLINK_MODE} `)).map((entry) => entry.split('\t')[1]);
    expect(links).toEqual([]);
  });
});

// @ts-nocheck
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIGURE_FILES, figureSections, renderFigures } from '../../bench/lib/figures.ts';
import type { BenchResults } from '../../bench/lib/results.ts';

const root = join(import.meta.dirname, '../..');
const recorded = JSON.parse(readFileSync(join(root, 'bench/results.json'), 'utf8')) as BenchResults;

describe('recorded benchmark figures', () => {
  it('come from a run of a commit, not of uncommitted changes', () => {
    expect(recorded.revision.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(recorded.revision.uncommittedChanges).toEqual([]);
  });

  it.each(FIGURE_FILES)('are the ones %s quotes', (file) => {
    const markdown = readFileSync(join(root, file), 'utf8');
    expect(figureSections(markdown).length).toBeGreaterThan(0);
    expect(markdown).toBe(renderFigures(markdown, recorded));
  });

  it('refuses a section it cannot render', () => {
    expect(() => renderFigures('<!-- bench figures: other -->\nx\n<!-- /bench figures -->', recorded)).toThrow(/unknown bench figures section "other"/);
  });
});

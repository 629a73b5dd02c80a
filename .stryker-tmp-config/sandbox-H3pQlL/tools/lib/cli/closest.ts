/** Suggestions for mistyped names: the known name nearest by edit distance. */
// @ts-nocheck

import { distance } from 'fastest-levenshtein';

/** The known name nearest to `name` when it is close enough to be a typo of it (case ignored). */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const edits = distance(name.toLowerCase(), candidate.toLowerCase());
    if (edits <= limit && (best === undefined || edits < best.distance)) best = { name: candidate, distance: edits };
  }
  return best?.name;
}

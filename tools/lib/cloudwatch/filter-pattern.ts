/**
 * CloudWatch Logs filter patterns for unstructured log events, as a subscription filter applies them:
 * `term` (all must appear), `"exact phrase"`, `?term` (at least one of them), `-term` (must not appear), and
 * the empty pattern (every event). Matching is case-sensitive. JSON (`{ $.x = … }`), space-delimited
 * (`[a, b]`) and regex (`%…%`) patterns are not modelled locally and are refused.
 */

export class FilterPatternError extends Error {
  override readonly name = 'FilterPatternError';
}

export type EventMatcher = (message: string) => boolean;

const TOKEN = /(-|\?)?(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;

export function compileFilterPattern(pattern: string): EventMatcher {
  const trimmed = pattern.trim();
  if (trimmed === '') return () => true;
  if (/^[{[]/.test(trimmed) || trimmed.includes('%')) {
    throw new FilterPatternError(
      `filter pattern "${pattern}" is a JSON, space-delimited or regex pattern; the local pipeline supports term patterns (term, "phrase", ?term, -term)`,
    );
  }
  const required: string[] = [];
  const anyOf: string[] = [];
  const excluded: string[] = [];
  for (const match of trimmed.matchAll(TOKEN)) {
    if (match[3]?.startsWith('"')) {
      throw new FilterPatternError(`the quoted phrase ${match[0]} is never closed: end it with " (filter pattern '${pattern}')`);
    }
    const term = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '');
    if (match[1] === '?') anyOf.push(term);
    else if (match[1] === '-') excluded.push(term);
    else required.push(term);
  }
  return (message) =>
    required.every((term) => message.includes(term)) &&
    (anyOf.length === 0 || anyOf.some((term) => message.includes(term))) &&
    !excluded.some((term) => message.includes(term));
}

/**
 * Firehose's S3 prefix rules (no dynamic partitioning): `!{timestamp:…}` and `!{firehose:random-string}` anywhere,
 * `!{firehose:error-output-type}` only in, and then required by, the error prefix. On top of that the error prefix
 * must stay out of the data prefix's top-level folder, or Amberflo would ingest Firehose's error records.
 * Returns the first broken rule as a message naming the setting, or undefined.
 */
// @ts-nocheck

export function prefixProblem(data: string, error: string): string | undefined {
  for (const [name, prefix, isError] of [
    ['dataOutputPrefix', data, false],
    ['errorOutputPrefix', error, true],
  ] as const) {
    if (prefix.startsWith('/')) return `${name} must not start with "/", got "${prefix}"`;
    if (staticPart(prefix) === '') {
      return `${name} must start with a fixed folder (e.g. "ingest/") that scopes the S3 permissions, got "${prefix}"`;
    }
    const invalid = expressions(prefix).find((expression) => !allowed(expression, isError));
    if (invalid !== undefined) return `${name} may not use the expression ${invalid}, got "${prefix}"`;
    const length = evaluatedLength(prefix);
    if (length > MAX_EVALUATED_LENGTH) {
      return (
        `${name} must be at most ${MAX_EVALUATED_LENGTH} characters once Firehose evaluates its expressions ` +
        `(up to ${length} here), got "${prefix}"`
      );
    }
  }
  if (expressions(error).length > 0 && !error.includes(ERROR_OUTPUT_TYPE)) {
    return `errorOutputPrefix must include ${ERROR_OUTPUT_TYPE} when it uses expressions, got "${error}"`;
  }
  const staticData = staticPart(data);
  const slash = staticData.indexOf('/');
  const dataFolder = slash === -1 ? staticData : staticData.slice(0, slash + 1);
  if (staticPart(error).startsWith(dataFolder)) {
    return (
      `errorOutputPrefix must lie outside "${dataFolder}", the top-level folder of dataOutputPrefix that ` +
      `Amberflo ingests, got "${error}"`
    );
  }
  return undefined;
}

/** The part of a prefix before its first expression: the only part known when granting permissions. */
export function staticPart(prefix: string): string {
  const index = prefix.indexOf('!{');
  return index === -1 ? prefix : prefix.slice(0, index);
}

const ERROR_OUTPUT_TYPE = '!{firehose:error-output-type}';
/** Firehose's limit on Prefix and ErrorOutputPrefix, applied to the evaluated prefix. */
const MAX_EVALUATED_LENGTH = 512;
/** `!{firehose:random-string}` is 11 characters; the longest error output type of an S3 destination is 24. */
const RANDOM_STRING_LENGTH = 11;
const ERROR_OUTPUT_TYPE_LENGTH = 'format-conversion-failed'.length;

/** The longest a prefix can be once Firehose has replaced its expressions. */
export function evaluatedLength(prefix: string): number {
  let length = prefix.length;
  for (const expression of expressions(prefix)) {
    length -= expression.length;
    if (expression === ERROR_OUTPUT_TYPE) length += ERROR_OUTPUT_TYPE_LENGTH;
    else if (expression === '!{firehose:random-string}') length += RANDOM_STRING_LENGTH;
    else if (expression.startsWith('!{timestamp:')) length += formattedLength(expression.slice(12, -1));
  }
  return length;
}

/**
 * An upper bound of the length of a Java DateTimeFormatter pattern's output (English texts): quoted text as
 * written, each run of a pattern letter at its widest (`MMMM` is "September"), other characters as written.
 */
function formattedLength(pattern: string): number {
  let length = 0;
  for (const [token] of pattern.matchAll(/'(?:[^']|'')*'|([A-Za-z])\1*|./g)) {
    if (token.startsWith("'")) length += token === "''" ? 1 : token.slice(1, -1).replaceAll("''", "'").length;
    else if (/^[A-Za-z]/.test(token)) length += letterWidth(token[0]!, token.length);
    else length += token.length;
  }
  return length;
}

function letterWidth(letter: string, count: number): number {
  switch (letter) {
    case 'y':
    case 'u':
      return count === 2 ? 2 : Math.max(count, 4);
    case 'M':
    case 'L':
      return [2, 2, 3, 9, 1][count - 1] ?? count;
    case 'E':
      return [3, 3, 3, 9, 1][count - 1] ?? count;
    case 'D':
      return Math.max(count, 3);
    case 'S':
    case 'n':
      return Math.max(count, 9);
    default:
      // Two-digit fields (d, H, h, k, K, m, s, w, a), and a generous width for the rarer letters.
      return Math.max(count, /[dHhkKmswa]/.test(letter) ? 2 : 9);
  }
}

function expressions(prefix: string): string[] {
  return prefix.match(/!\{[^}]*\}/g) ?? [];
}

function allowed(expression: string, isError: boolean): boolean {
  return (
    expression.startsWith('!{timestamp:') ||
    expression === '!{firehose:random-string}' ||
    (isError && expression === ERROR_OUTPUT_TYPE)
  );
}

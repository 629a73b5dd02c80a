/**
 * Firehose's S3 prefix rules (no dynamic partitioning): `!{timestamp:…}` and `!{firehose:random-string}` anywhere,
 * `!{firehose:error-output-type}` only in, and then required by, the error prefix. On top of that the error prefix
 * must stay out of the data prefix's top-level folder, or Amberflo would ingest Firehose's error records.
 * Returns the first broken rule as a message naming the setting, or undefined.
 */
export function prefixProblem(data: string, error: string): string | undefined {
  for (const [name, prefix, isError] of [
    ['dataOutputPrefix', data, false],
    ['errorOutputPrefix', error, true],
  ] as const) {
    if (prefix.startsWith('/') || prefix.length > 1024) {
      return `${name} must not start with "/" and must be at most 1024 characters, got "${prefix}"`;
    }
    if (staticPart(prefix) === '') {
      return `${name} must start with a fixed folder (e.g. "ingest/") that scopes the S3 permissions, got "${prefix}"`;
    }
    const invalid = expressions(prefix).find((expression) => !allowed(expression, isError));
    if (invalid !== undefined) return `${name} may not use the expression ${invalid}, got "${prefix}"`;
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

/** Command-line parsing on top of `util.parseArgs`: declared options, generated help, typed value checks. */
import { parseArgs } from 'node:util';
import { closestName } from './closest.ts';

/** Bad invocation: the CLI prints the message and exits with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly description: string;
  readonly short?: string;
  readonly multiple?: boolean;
  /** Placeholder shown in help, e.g. `FILE`. */
  readonly value?: string;
  /** Shown in help only; the command applies its own fallback. */
  readonly default?: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples?: readonly string[];
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedArgs {
  readonly values: OptionValues;
  readonly positionals: string[];
}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'Show this help.' };

export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const declared = { ...spec.options, help: HELP_OPTION };
  const options = Object.fromEntries(
    Object.entries(declared).map(([name, option]) => [
      name,
      {
        type: option.type,
        ...(option.short === undefined ? {} : { short: option.short }),
        ...(option.multiple === undefined ? {} : { multiple: option.multiple }),
      },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: attachNegativeNumbers(argv, declared), options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional.*$/s, '');
    const unknown = /^Unknown option '--([^']+)'/.exec(message)?.[1];
    const suggestion = unknown === undefined ? undefined : closestName(unknown, Object.keys(declared));
    throw new UsageError(`${spec.name}: ${message}${suggestion === undefined ? '' : ` (did you mean --${suggestion}?)`}`);
  }
  refuseRepeatedOptions(spec.name, declared, parsed.tokens);
  return { values: parsed.values as OptionValues, positionals: parsed.positionals };
}

/** An option that takes one value, given twice, would silently keep the last: refused instead. */
function refuseRepeatedOptions(
  command: string,
  declared: Readonly<Record<string, OptionSpec>>,
  tokens: readonly { readonly kind: string; readonly name?: string }[],
): void {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined || declared[token.name]?.multiple === true) continue;
    if (seen.has(token.name)) throw new UsageError(`${command}: --${token.name} is given more than once; give it once`);
    seen.add(token.name);
  }
}

/**
 * `--events-per-second -5` would make parseArgs take `-5` for an option and fail with "argument is
 * ambiguous"; joined as `--events-per-second=-5` the value reaches the option's own range check.
 */
function attachNegativeNumbers(argv: readonly string[], declared: Readonly<Record<string, OptionSpec>>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    const next = argv[i + 1];
    if (token.startsWith('--') && declared[token.slice(2)]?.type === 'string' && next !== undefined && /^-\.?\d/.test(next)) {
      joined.push(`${token}=${next}`);
      i++;
    } else {
      joined.push(token);
    }
  }
  return joined;
}

export function formatHelp(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, help: HELP_OPTION }).map(([name, option]) => {
    const flag = `${option.short === undefined ? '    ' : `-${option.short}, `}--${name}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}`;
    const suffix = [option.multiple ? 'repeatable' : '', option.default === undefined ? '' : `default ${option.default}`]
      .filter(Boolean)
      .join('; ');
    return [flag, suffix === '' ? option.description : `${option.description} (${suffix})`] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  const lines = [`${spec.summary}`, '', `Usage: ${spec.usage}`, '', 'Options:'];
  for (const [flag, description] of rows) lines.push(`  ${flag.padEnd(width)}  ${description}`);
  if (spec.examples !== undefined && spec.examples.length > 0) {
    lines.push('', 'Examples:', ...spec.examples.map((example) => `  ${example}`));
  }
  return `${lines.join('\n')}\n`;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

export function booleanOption(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

export interface NumberBounds {
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

/** Parses `--name` as a number within bounds, or returns `fallback` when absent. */
export function numberOption(values: OptionValues, name: string, fallback: number, bounds: NumberBounds): number {
  const raw = stringOption(values, name);
  return raw === undefined ? fallback : parseNumber(`--${name}`, raw, bounds);
}

/** Decimal notation only: `Number()` would also take `0x10`, `0b1` and surrounding spaces. */
export const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function parseNumber(label: string, raw: string, bounds: NumberBounds): number {
  const value = DECIMAL.test(raw) ? Number(raw) : Number.NaN;
  const kind = bounds.integer ? 'an integer' : 'a number';
  if (!Number.isFinite(value) || (bounds.integer && !Number.isInteger(value)) || value < bounds.min || value > bounds.max) {
    throw new UsageError(`${label} must be ${kind} from ${bounds.min} to ${bounds.max}, got "${raw}"`);
  }
  return value;
}

/** Parses repeatable `KEY=VALUE` options into a record. */
export function keyValueOption(values: OptionValues, name: string): Record<string, string> {
  const entries = listOption(values, name).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--${name} takes KEY=VALUE, got "${pair}"`);
    return [pair.slice(0, at), pair.slice(at + 1)] as const;
  });
  return Object.fromEntries(entries);
}

/** Parses an instant given as ISO-8601 or epoch milliseconds. */
export function timeOption(values: OptionValues, name: string): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(value)) {
    throw new UsageError(`--${name} must be an ISO-8601 time (2026-11-25T09:00:00Z) or epoch milliseconds, got "${raw}"`);
  }
  return value;
}

// Flag parsing shared by the commands: node:util parseArgs, turned into one-sentence usage errors
// (with "did you mean" for near misses), plus number checks that name the flag.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ErrorCodes, type ErrorCode } from '../shared/protocol/errors.js';

/** A mistake on the command line or in what it points at: exit code 2, one sentence, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly code: ErrorCode;
  constructor(message: string, code: ErrorCode = ErrorCodes.USAGE) {
    super(message);
    this.code = code;
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

// Every command and subcommand takes -h/--help; parseFlags adds it so none can forget.
const helpOption = { help: { type: 'boolean', short: 'h' } } as const;

/** `allowPositionals`: for commands that take an operand (`fedrec status URL`). */
export function parseFlags<T extends Options>(argv: string[], options: T, allowPositionals = false) {
  const all = { ...options, ...helpOption };
  try {
    return parseArgs({ args: argv, options: all, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(parseErrorSentence(err as Error & { code?: string }, all));
  }
}

function parseErrorSentence(err: Error & { code?: string }, options: Options): string {
  const quoted = /'([^']+)'/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const guess = quoted.startsWith('--') ? suggest(quoted, Object.keys(options).map((name) => `--${name}`)) : undefined;
      return `unknown flag ${quoted}${guess ? `; did you mean ${guess}?` : ' (--help lists the flags)'}`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted}": every value follows its flag, as in --flag VALUE (--help lists the flags)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = quoted.split(' ')[0];
      if (/does not take an argument/.test(err.message)) return `${flag} is a switch and takes no value`;
      if (/ambiguous/.test(err.message)) return `${flag} needs a value; for one that starts with a dash write ${flag}=VALUE`;
      return `${flag} needs a value`;
    }
    default:
      return err.message.split('\n')[0];
  }
}

/** The closest candidate within edit distance 2, or one that `typed` begins or ends; else undefined. */
export function suggest(typed: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = editDistance(typed, c);
    // A prefix (--sampling for --sampling-rate) or a last word (--epsilon for --target-epsilon)
    // counts as close, behind any true near miss.
    const word = typed.replace(/^-+/, '');
    const partial = word.length >= 2 && (c.startsWith(typed) || c.endsWith(`-${word}`));
    const score = d <= 2 ? d : partial ? 3 : Infinity;
    if (score < bestScore) (best = c), (bestScore = score);
  }
  return best;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The sentence for a word that is not one of `known` (a command or subcommand), with a guess. */
export function unknownWord(what: string, typed: string, known: readonly string[]): UsageError {
  const guess = suggest(typed, known);
  return new UsageError(`unknown ${what} "${typed}"${guess ? `; did you mean "${guess}"?` : ` (one of: ${known.join(', ')})`}`);
}

export function num(values: Record<string, unknown>, flag: string, check: (v: number) => boolean = Number.isFinite, what = 'a number'): number | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw === '' || !Number.isFinite(v) || !check(v)) throw new UsageError(`--${flag} must be ${what}, got "${raw}"`);
  return v;
}

/** The value of a flag the command cannot run without. */
export function required(values: Record<string, unknown>, flag: string, hint = 'VALUE'): string {
  const v = values[flag];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${flag} ${hint} is required`);
  return v;
}

/** Two flags that say the same thing in different ways. */
export function exclusive(values: Record<string, unknown>, a: string, b: string): void {
  if (values[a] !== undefined && values[b] !== undefined) throw new UsageError(`--${a} and --${b} conflict: give one of them, not both`);
}

export const isPosInt = (v: number) => Number.isInteger(v) && v > 0;
export const isNonNegInt = (v: number) => Number.isInteger(v) && v >= 0;
export const isPositive = (v: number) => v > 0;
export const isNonNeg = (v: number) => v >= 0;
export const isRate = (v: number) => v > 0 && v <= 1;

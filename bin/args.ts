// Flag parsing shared by the commands: node:util parseArgs plus number checks that name the flag.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function num(values: Record<string, unknown>, flag: string, check: (v: number) => boolean = Number.isFinite, what = 'a number'): number | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw === '' || !Number.isFinite(v) || !check(v)) throw new UsageError(`--${flag} must be ${what}, got "${raw}"`);
  return v;
}

export const isPosInt = (v: number) => Number.isInteger(v) && v > 0;
export const isNonNegInt = (v: number) => Number.isInteger(v) && v >= 0;
export const isPositive = (v: number) => v > 0;
export const isNonNeg = (v: number) => v >= 0;
export const isRate = (v: number) => v > 0 && v <= 1;

// `--population` specs: `synthetic`, `synthetic:users=5000,items=2000,...` or `movielens:PATH`.

import { isAbsolute, resolve } from 'node:path';
import type { Population } from '../../shared/data/types.js';
import { BadPopulationSpecError } from './errors.js';
import { loadMovieLens } from './movielens.js';
import { SYNTHETIC_DEFAULTS, syntheticPopulation, type SyntheticOptions } from './synthetic.js';

export interface LoadPopulationOptions {
  /** Seed for synthetic populations whose spec names none (default SYNTHETIC_DEFAULTS.seed). */
  seed?: number;
  /** Directory that relative MovieLens paths are resolved against (default: the working directory). */
  baseDir?: string;
}

export async function loadPopulation(spec: string, opts: LoadPopulationOptions = {}): Promise<Population> {
  const colon = spec.indexOf(':');
  const kind = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  const rest = colon < 0 ? '' : spec.slice(colon + 1); // PATH may itself hold colons
  if (kind === 'synthetic') {
    const options = parseSyntheticParams(spec, rest);
    if (options.seed === undefined && opts.seed !== undefined) options.seed = opts.seed;
    try {
      return syntheticPopulation(options);
    } catch (err) {
      throw new BadPopulationSpecError(spec, (err as Error).message);
    }
  }
  if (kind === 'movielens') {
    if (rest.trim() === '') throw new BadPopulationSpecError(spec, 'movielens needs a path, e.g. movielens:data/ml-1m/ratings.dat');
    const path = isAbsolute(rest) ? rest : resolve(opts.baseDir ?? process.cwd(), rest);
    return loadMovieLens(path);
  }
  throw new BadPopulationSpecError(spec, 'expected "synthetic", "synthetic:key=value,..." or "movielens:PATH"');
}

/** `users=5000,items=2000` → options; every key must be a SyntheticOptions field with a numeric value. */
export function parseSyntheticParams(spec: string, params: string): Partial<SyntheticOptions> {
  const options: Partial<SyntheticOptions> = {};
  if (params.trim() === '') return options;
  for (const pair of params.split(',')) {
    const [key, value, ...extra] = pair.split('=').map((s) => s.trim());
    if (!Object.hasOwn(SYNTHETIC_DEFAULTS, key)) {
      throw new BadPopulationSpecError(spec, `unknown synthetic parameter "${key}" (known: ${Object.keys(SYNTHETIC_DEFAULTS).join(', ')})`);
    }
    const n = Number(value);
    if (value === undefined || value === '' || extra.length > 0 || !Number.isFinite(n)) {
      throw new BadPopulationSpecError(spec, `"${pair.trim()}" is not key=number`);
    }
    options[key as keyof SyntheticOptions] = n;
  }
  return options;
}

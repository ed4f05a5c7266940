// `fedrec privacy`: ε for a planned run, or the noise multiplier that meets a target ε.
//   fedrec privacy --sampling-rate Q --noise-multiplier Z --rounds T --delta D [--conversion C]
//     → {"epsilon":…,"order":…}
//   fedrec privacy --sampling-rate Q --target-epsilon E --rounds T --delta D [--conversion C]
//     → {"noiseMultiplier":…,"epsilon":…}
// Exit codes: 0 ok, 2 bad usage (one-line message naming the flag).

import { parseArgs } from 'node:util';
import { calibrateNoiseMultiplier } from '../shared/privacy/calibrate.js';
import { computeRdp, DEFAULT_ORDERS, rdpToEpsilon } from '../shared/privacy/rdp.js';
import type { Conversion } from '../shared/privacy/rdp.js';

const USAGE_EXIT = 2;

class UsageError extends Error {}

/** Parses a numeric flag and checks it against `ok`; `what` completes "--flag must be …". */
function numberFlag(
  values: Record<string, string | undefined>,
  name: string,
  what: string,
  ok: (x: number) => boolean,
): number {
  const raw = values[name];
  if (raw === undefined) throw new UsageError(`missing required flag --${name}`);
  const x = raw.trim() === '' ? NaN : Number(raw);
  if (!ok(x)) throw new UsageError(`--${name} must be ${what}, got '${raw}'`);
  return x;
}

/**
 * Runs `fedrec privacy`. `argv` holds the arguments after the subcommand (a leading "privacy" is
 * tolerated). Results go to `out`; usage errors to `err` (defaults to `out`).
 */
export async function runPrivacyCommand(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void = out,
): Promise<number> {
  const args = argv[0] === 'privacy' ? argv.slice(1) : argv;
  try {
    let values: Record<string, string | undefined>;
    try {
      ({ values } = parseArgs({
        args,
        strict: true,
        allowPositionals: false,
        options: {
          'sampling-rate': { type: 'string' },
          'noise-multiplier': { type: 'string' },
          'target-epsilon': { type: 'string' },
          rounds: { type: 'string' },
          delta: { type: 'string' },
          conversion: { type: 'string' },
        },
      }));
    } catch (e) {
      // parseArgs messages already name the offending flag ("Unknown option '--foo'…").
      throw new UsageError((e as Error).message.split('\n')[0]);
    }

    const hasZ = values['noise-multiplier'] !== undefined;
    const hasE = values['target-epsilon'] !== undefined;
    if (hasZ && hasE) throw new UsageError('--noise-multiplier and --target-epsilon are mutually exclusive');
    if (!hasZ && !hasE) throw new UsageError('missing required flag --noise-multiplier (or --target-epsilon)');

    const q = numberFlag(values, 'sampling-rate', 'a number in (0, 1]', (x) => x > 0 && x <= 1);
    const rounds = numberFlag(values, 'rounds', 'a positive integer', (x) => Number.isSafeInteger(x) && x >= 1);
    const delta = numberFlag(values, 'delta', 'a number in (0, 1)', (x) => x > 0 && x < 1);
    const conversion = (values.conversion ?? 'balle2020') as Conversion;
    if (conversion !== 'balle2020' && conversion !== 'classic') {
      throw new UsageError(`--conversion must be 'classic' or 'balle2020', got '${values.conversion}'`);
    }

    if (hasZ) {
      const z = numberFlag(values, 'noise-multiplier', 'a finite number > 0', (x) => x > 0 && x < Infinity);
      const r = rdpToEpsilon(DEFAULT_ORDERS, computeRdp(q, z, rounds, DEFAULT_ORDERS), delta, { conversion });
      out(JSON.stringify({ epsilon: r.epsilon, order: r.order }));
    } else {
      const targetEpsilon = numberFlag(values, 'target-epsilon', 'a finite number > 0', (x) => x > 0 && x < Infinity);
      let r;
      try {
        r = calibrateNoiseMultiplier({ samplingRate: q, rounds, targetEpsilon, delta }, { conversion });
      } catch (e) {
        throw new UsageError(`--target-epsilon: ${(e as Error).message}`);
      }
      out(JSON.stringify({ noiseMultiplier: r.noiseMultiplier, epsilon: r.epsilon }));
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`fedrec privacy: ${e.message}`);
      return USAGE_EXIT;
    }
    throw e;
  }
}

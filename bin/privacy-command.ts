// `fedrec privacy`: ε for a planned run, or the noise multiplier that meets a target ε.
//   fedrec privacy --sampling-rate Q --noise-multiplier Z --rounds T --delta D [--conversion C]
//     → {"epsilon":…,"order":…}
//   fedrec privacy --sampling-rate Q --target-epsilon E --rounds T --delta D [--conversion C]
//     → {"noiseMultiplier":…,"epsilon":…}
// Exit codes: 0 ok, 2 bad usage (UsageError, one sentence naming the flag; bin/main.ts prints it).

import { calibrateNoiseMultiplier } from '../shared/privacy/calibrate.js';
import { computeRdp, DEFAULT_ORDERS, rdpToEpsilon } from '../shared/privacy/rdp.js';
import type { Conversion } from '../shared/privacy/rdp.js';
import { exclusive, num, parseFlags, required, UsageError } from './args.js';

export const privacyUsage = `fedrec privacy --sampling-rate Q (--noise-multiplier Z | --target-epsilon E) --rounds T --delta D
  [--conversion balle2020|classic]     ε of a planned run, or the noise multiplier z that meets a target ε`;

/** A numeric flag the command needs, checked against `ok`; `what` completes "--flag must be …". */
function needNumber(values: Record<string, string | boolean | undefined>, name: string, what: string, ok: (x: number) => boolean): number {
  required(values, name, 'N');
  return num(values, name, ok, what)!;
}

/**
 * Runs `fedrec privacy`. `argv` holds the arguments after the subcommand (a leading "privacy" is
 * tolerated). Results go to `out`; usage mistakes throw UsageError.
 */
export async function runPrivacyCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const args = argv[0] === 'privacy' ? argv.slice(1) : argv;
  const { values } = parseFlags(args, {
    'sampling-rate': { type: 'string' },
    'noise-multiplier': { type: 'string' },
    'target-epsilon': { type: 'string' },
    rounds: { type: 'string' },
    delta: { type: 'string' },
    conversion: { type: 'string' },
  });
  if (values.help) {
    out(privacyUsage);
    return 0;
  }
  exclusive(values, 'noise-multiplier', 'target-epsilon');
  const hasZ = values['noise-multiplier'] !== undefined;
  if (!hasZ && values['target-epsilon'] === undefined) throw new UsageError('--noise-multiplier Z (or --target-epsilon E) is required');

  const q = needNumber(values, 'sampling-rate', 'a number in (0, 1]', (x) => x > 0 && x <= 1);
  const rounds = needNumber(values, 'rounds', 'a positive integer', (x) => Number.isSafeInteger(x) && x >= 1);
  const delta = needNumber(values, 'delta', 'a number in (0, 1)', (x) => x > 0 && x < 1);
  const conversion = (values.conversion ?? 'balle2020') as Conversion;
  if (conversion !== 'balle2020' && conversion !== 'classic') {
    throw new UsageError(`--conversion must be classic or balle2020, got "${values.conversion}"`);
  }

  if (hasZ) {
    const z = needNumber(values, 'noise-multiplier', 'a finite number > 0', (x) => x > 0);
    const r = rdpToEpsilon(DEFAULT_ORDERS, computeRdp(q, z, rounds, DEFAULT_ORDERS), delta, { conversion });
    out(JSON.stringify({ epsilon: r.epsilon, order: r.order }));
  } else {
    const targetEpsilon = needNumber(values, 'target-epsilon', 'a finite number > 0', (x) => x > 0);
    let r;
    try {
      r = calibrateNoiseMultiplier({ samplingRate: q, rounds, targetEpsilon, delta }, { conversion });
    } catch (e) {
      throw new UsageError(`--target-epsilon: ${(e as Error).message}`);
    }
    out(JSON.stringify({ noiseMultiplier: r.noiseMultiplier, epsilon: r.epsilon }));
  }
  return 0;
}

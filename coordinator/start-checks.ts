// Checks an operator needs before round 1, with the numbers and the fix: a budget the first round
// already exceeds is refused (the coordinator would otherwise train nothing and call it done), and
// noise that dwarfs any possible mean update is warned about.

import { calibrateNoiseMultiplier, computeRdp, DEFAULT_ORDERS, rdpToEpsilon } from '../shared/privacy/index.js';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import { computeSkellamRdp } from '../shared/privacy/skellam-rdp.js';
import { plannedSkellamEvent } from './secagg/distributed-round.js';
import type { CoordinatorConfig } from './config.js';

export interface StartWarning {
  code: 'noise-swamps-signal';
  message: string;
  numbers: Record<string, number>;
}

/** The rate round 1 runs at: fixed q, or clientsPerRound over the smallest population that starts a round. */
export function firstRoundRate(c: CoordinatorConfig, registered: number): { q: number; population: number } {
  const population = Math.max(registered, c.minClients);
  return { q: c.samplingRate ?? Math.min(1, c.clientsPerRound / population), population };
}

/** Three significant digits, no trailing zeros ("1", "4.75", "0.0123"). */
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : String(Number(x.toPrecision(3))));

/**
 * ε after `rounds` training rounds at rate q, as the ledger composes them: the Gaussian of central
 * DP, or the Skellam noise distributed DP plans (survivors at the planned dropout rate; fewer
 * dropouts leave more noise in the sum and the ledger charges less).
 */
export function plannedEpsilon(c: CoordinatorConfig, q: number, population: number, parameters: number, delta: number, rounds: number): number {
  const rdp =
    c.dp === 'distributed'
      ? computeSkellamRdp(plannedSkellamEvent(c, c.round.clipNorm, q, population, parameters), DEFAULT_ORDERS).map((r) => r * rounds)
      : computeRdp(q, c.noiseMultiplier, rounds, DEFAULT_ORDERS);
  return rdpToEpsilon(DEFAULT_ORDERS, rdp, delta).epsilon;
}

function firstRoundEpsilon(c: CoordinatorConfig, q: number, population: number, parameters: number, delta: number): number {
  return plannedEpsilon(c, q, population, parameters, delta, 1);
}

/** Throws FEDREC_BUDGET_TOO_SMALL when a fresh coordinator could not afford even one round. */
export function refuseUnaffordableBudget(c: CoordinatorConfig, registered: number, parameters: number): void {
  const b = c.privacy.budget;
  if (!b || c.noiseMultiplier <= 0) return; // noise-free with a budget is refused by resolveConfig
  const { q, population } = firstRoundRate(c, registered);
  const first = firstRoundEpsilon(c, q, population, parameters, b.delta);
  if (first <= b.epsilon) return;
  const rounds = c.rounds > 0 ? c.rounds : 1;
  const z = calibrateNoiseMultiplier({ samplingRate: q, rounds, targetEpsilon: b.epsilon, delta: b.delta }).noiseMultiplier;
  const where = c.samplingRate === null ? `q = ${fmt(q)} (${c.clientsPerRound} clients a round of N = ${population})` : `q = ${fmt(q)}`;
  throw new FedrecError(
    ErrorCodes.BUDGET_TOO_SMALL,
    `round 1 alone would spend ε ${fmt(first)} > budget ε ${b.epsilon} at δ ${b.delta} (${where}, noise z ${c.noiseMultiplier}), so nothing would ever train; ` +
      `use --noise-multiplier ${fmt(Math.ceil(z * 100) / 100)} (from \`fedrec privacy --sampling-rate ${fmt(q)} --target-epsilon ${b.epsilon} --rounds ${rounds} --delta ${b.delta}\`), a lower sampling rate, or a larger budget${c.dp === 'distributed' ? ' (that z is for central DP; distributed DP, accounted with a looser subsampling bound, needs somewhat more)' : ''}`,
  );
}

/**
 * The Gaussian noise on a round's mean update has norm ≈ z·C·√d / m (m expected reporters, d model
 * parameters) while no mean update is longer than C. When the ratio z·√d/m exceeds 1, each round's
 * step is mostly noise and only averaging over many rounds (and a large population) recovers signal.
 */
export function noiseWarning(c: CoordinatorConfig, registered: number, parameters: number): StartWarning | null {
  const z = c.noiseMultiplier;
  if (z <= 0) return null;
  const { q, population } = firstRoundRate(c, registered);
  const m = q * population;
  const ratio = (z * Math.sqrt(parameters)) / m;
  if (ratio <= 1) return null;
  const clip = c.round.clipNorm;
  const perCoordinate = (z * clip) / m;
  return {
    code: 'noise-swamps-signal',
    message:
      `noise on each round's mean update has norm ≈ ${fmt(ratio)} × the clip norm C = ${clip} (σ ${fmt(perCoordinate)} per coordinate, ` +
      `z ${z}, ≈ ${fmt(m)} clients a round, ${parameters} parameters; the server step multiplies it by ${c.serverOptimizer.lr}); ` +
      `the noise stops dominating at ≈ ${Math.ceil(z * Math.sqrt(parameters))} clients a round (a population of ≈ ${Math.ceil((z * Math.sqrt(parameters)) / q)} at q = ${fmt(q)}). Measure the utility first: fedrec simulate --noise-multiplier ${z}`,
    numbers: { ratio, perCoordinateStddev: perCoordinate, expectedClients: m, parameters, population, samplingRate: q },
  };
}

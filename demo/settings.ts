// The demo's coordinator settings, chosen so a person sees their device take part within seconds, and
// the sentence that states them. They are demo settings, not a deployment's:
//   - q = 1: every connected device (each browser that joins, and every simulated client) is in every
//     round, so a person does not wait for the sampler; privacy amplification by sampling is gone.
//   - noise z 0.2 with clip 1 (updates on the demo data measure ≈ 1): noise is added and accounted
//     for, but with tens of clients and q = 1 the ε it buys is large (≈ 15.6 a round). Measured with
//     `fedrec simulate` on synthetic:users=40,items=200, dim 16, q = 1, HR@10 after 40 rounds (40
//     held-out items, so ± 0.08): 0.45 without noise, 0.43 at z 0.2, 0.38 at z 0.3, 0.22 at z 0.5 and
//     at z 1 (ItemPop: 0.18), where ε would only look smaller while meaning as little. A demo that
//     shows recommendations must keep the model usable; ε says honestly what that costs.
//   - budget ε 250,000 at δ 1e-5: about 16,000 rounds, half a day at a round every ~3 s, after which
//     the coordinator stops training (GET /privacy shows the ε spent so far at all times).
//   - short deadlines: a selected id that left without `forget` holds the key stage until the round
//     deadline, so it is 5 s; training and masking get 10 s. No evaluation rounds: their averages
//     would be released without noise, outside ε.

import { type CoordinatorConfig, resolveConfig } from '../coordinator/config.js';
import { computeRdp, DEFAULT_ORDERS, rdpToEpsilon } from '../shared/privacy/index.js';

export const DEMO_DEFAULTS = {
  port: 8787,
  /** Simulated clients that train beside the browsers. */
  clients: 40,
  syntheticItems: 200,
  dim: 16,
  noiseMultiplier: 0.2,
  clipNorm: 1,
  budgetEpsilon: 250_000,
  delta: 1e-5,
  roundDeadlineMs: 5_000,
  stageDeadlineMs: 10_000,
  interRoundDelayMs: 2_000,
  seed: 1,
} as const;

/**
 * The coordinator config of a demo on loopback at `port` (0: any free port) with `clients` simulated
 * clients; state in memory, or in `stateDir` (checkpoint and registry.json) when one is given.
 */
export function demoConfig(port: number, clients: number, stateDir: string | null = null): CoordinatorConfig {
  const d = DEMO_DEFAULTS;
  return resolveConfig({
    host: '127.0.0.1',
    port,
    stateDir,
    rounds: 0,
    samplingRate: 1,
    // Round 1 waits for the whole simulated fleet (browsers count too), so it is not a round of two.
    minClients: clients,
    minReports: 2,
    registration: 'open',
    aggregation: 'secure',
    roundDeadlineMs: d.roundDeadlineMs,
    interRoundDelayMs: d.interRoundDelayMs,
    secureAggregation: { stageDeadlineMs: d.stageDeadlineMs },
    evaluation: { every: 0 },
    model: { dim: d.dim, seed: d.seed },
    round: { clipNorm: d.clipNorm },
    noiseMultiplier: d.noiseMultiplier,
    privacy: { delta: d.delta, budget: { epsilon: d.budgetEpsilon, delta: d.delta } },
    seed: d.seed,
  });
}

/** How many rounds at rate q and noise z fit in the budget (RDP is linear in the rounds). */
export function roundsWithinBudget(q: number, z: number, budget: { epsilon: number; delta: number }): number {
  const perRound = computeRdp(q, z, 1, DEFAULT_ORDERS);
  const epsilonAfter = (t: number) => rdpToEpsilon(DEFAULT_ORDERS, perRound.map((r) => r * t), budget.delta).epsilon;
  if (epsilonAfter(1) > budget.epsilon) return 0;
  let lo = 1;
  let hi = 2;
  while (epsilonAfter(hi) <= budget.epsilon) (lo = hi), (hi *= 2);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (epsilonAfter(mid) <= budget.epsilon) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The one line a person reads: where to go, and what this demo does with privacy. */
export function startLine(url: string, c: CoordinatorConfig, clients: number, data: string): string {
  const budget = c.privacy.budget!;
  const rounds = roundsWithinBudget(c.samplingRate ?? 1, c.noiseMultiplier, budget);
  return (
    `fedrec demo: open ${url} in a browser. ` +
    `Demo settings: ${clients} simulated clients (${data}) and every browser that joins train in every round (q = ${c.samplingRate}), ` +
    `${c.aggregation} aggregation, noise z ${c.noiseMultiplier} with clip ${c.round.clipNorm}, budget ε ${budget.epsilon} at δ ${budget.delta < 1e-3 ? budget.delta.toExponential() : budget.delta} ` +
    `(about ${rounds.toLocaleString('en-US')} rounds); an ε this large is no privacy guarantee, GET /privacy shows what is spent. Ctrl-C stops.`
  );
}

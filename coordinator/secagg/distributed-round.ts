// The coordinator's plan for a distributed-DP round: the scale, the clients' Skellam share and the
// rotation seed, fixed once the clients that advertised keys are known, and the planned privacy
// event the budget check previews before a round starts.

import type { DistributedDpParams } from '../../shared/protocol/secagg-messages.js';
import { type DistributedPlan, planDistributed } from '../../shared/secagg/distributed-dp.js';
import type { MaskExpander } from '../../shared/secagg/prg.js';
import { type RotationSigns, rotationSigns } from '../../shared/secagg/rotation.js';
import type { SkellamEvent } from '../../shared/privacy/skellam-rdp.js';
import type { CoordinatorConfig } from '../config.js';

export interface DistributedRoundPlan {
  plan: DistributedPlan;
  params: DistributedDpParams;
}

/**
 * μ_i = μ / (n·(1 − dropout)) with n the clients that advertised keys: the shares are fixed before
 * the masked inputs arrive, so they over-provision for the configured dropout rate; the ledger is
 * charged for μ_i × the inputs actually summed (fewer survivors: less noise, more ε).
 */
export function planDistributedRound(config: CoordinatorConfig, clipNorm: number, clients: number, length: number): DistributedRoundPlan {
  const dropoutRate = config.secureAggregation.dropoutRate;
  const plan = planDistributed({ clipNorm, clients, length, noiseMultiplier: config.noiseMultiplier, dropoutRate });
  const rotationSeed = globalThis.crypto.getRandomValues(new Uint8Array(32));
  // n and p travel too: with the declared z they let each device re-plan and check μ_i (client/secagg/noise-floor.ts).
  return { plan, params: { rotationSeed, normBound: plan.normBound, noise: plan.noisePerClient, clients, dropoutRate } };
}

export async function rotationOf(dp: DistributedRoundPlan, length: number, expander: MaskExpander): Promise<{ signs: RotationSigns }> {
  return { signs: await rotationSigns(dp.params.rotationSeed, length, expander) };
}

/** The event a round at rate q over `population` would record if the expected clients took part and (1 − dropout) of them survived. */
export function plannedSkellamEvent(config: CoordinatorConfig, clipNorm: number, q: number, population: number, length: number): SkellamEvent {
  const clients = Math.max(2, Math.round(q * population));
  const p = config.secureAggregation.dropoutRate;
  const plan = planDistributed({ clipNorm, clients, length, noiseMultiplier: config.noiseMultiplier, dropoutRate: p });
  return { q, l2: plan.normBound, l1: plan.l1Bound, mu: plan.noisePerClient * clients * (1 - p), steps: 1 };
}

// The device's check of the distributed-DP noise it is asked to add. The coordinator's μ_i alone
// proves nothing; the device re-plans the round from the noise multiplier the coordinator declared
// to it (the welcome), the offer's clip norm and its own model size, with the n and p the coordinator
// states, and refuses a plan that adds less noise, or scales and bounds the update differently. What
// it cannot check: n is the coordinator's claim (a device sees only its neighbourhood), so a larger
// n lowers the floor; the ledger records n, μ_i and z so such a round leaves evidence on the device.

import { ErrorCodes, FedrecError } from '../../shared/protocol/errors.js';
import type { DistributedDpParams } from '../../shared/protocol/secagg-messages.js';
import { type DistributedPlan, planDistributed } from '../../shared/secagg/distributed-dp.js';

/** What the device knows of the round without asking the coordinator again. */
export interface NoiseFloorInput {
  /** z the coordinator declared to this device (welcome); null: none, so nothing to check against. */
  noiseMultiplier: number | null;
  /** C of the offer: each update is clipped to it. */
  clipNorm: number;
  /** d: the model's parameters, the words that are rotated and noised. */
  length: number;
}

/** The device's record of a distributed-DP round it took part in (kept in its ledger). */
export interface DistributedDpRecord {
  clients: number;
  noise: number;
  noiseMultiplier: number;
  dropoutRate: number;
}

/** Float rounding only: the same plan computed on two engines may differ in the last bits. */
const REL = 1e-9;
/** Above this the coordinator expects most shares lost: the plan would lean on few survivors. */
const MAX_DROPOUT = 0.5;

/**
 * Throws FEDREC_SECAGG_NOISE_TOO_LOW unless `dp` and `scale` are the plan for the declared z:
 * μ_i at least the plan's, Δ2 and the scale equal to it, n at least the k + 1 clients this device
 * can see, p in [0, 0.5]. Returns what the ledger records.
 */
export function checkNoiseFloor(dp: DistributedDpParams, scale: number, neighbours: number, floor: NoiseFloorInput | null, round: number): DistributedDpRecord {
  const refuse = (why: string): never => {
    throw new FedrecError(ErrorCodes.SECAGG_NOISE_TOO_LOW, `refused distributed DP: ${why}`, { round });
  };
  const z = floor?.noiseMultiplier;
  if (!floor || z === null || z === undefined) return refuse('this device has no declared noise multiplier to check the noise against');
  const { clients: n, dropoutRate: p } = dp;
  if (!(p >= 0 && p <= MAX_DROPOUT)) refuse(`dropout rate ${p} is outside [0, ${MAX_DROPOUT}]`);
  if (n < neighbours + 1) refuse(`the plan claims ${n} clients, but this device alone sees ${neighbours + 1}`);
  let plan: DistributedPlan;
  try {
    plan = planDistributed({ clipNorm: floor.clipNorm, clients: n, length: floor.length, noiseMultiplier: z, dropoutRate: p });
  } catch (err) {
    return refuse(`no plan fits the declared noise multiplier ${z} (${(err as Error).message})`);
  }
  if (scale !== plan.scale) refuse(`scale ${scale} is not the plan's ${plan.scale}`);
  if (Math.abs(dp.normBound - plan.normBound) > REL * plan.normBound) refuse(`norm bound ${dp.normBound} is not the plan's ${plan.normBound}`);
  if (dp.noise < plan.noisePerClient * (1 - REL)) refuse(`noise variance ${dp.noise} is below ${plan.noisePerClient}, the floor for the declared noise multiplier ${z} over ${n} clients`);
  return { clients: n, noise: dp.noise, noiseMultiplier: z, dropoutRate: p };
}

// Leave-one-out evaluation split (the NCF protocol) and train-set item popularity.

import type { Population, UserSplit } from '../../shared/data/types.js';
import { SeededRandom, hashString } from '../../shared/random.js';
import { catalogueRow } from './catalogue.js';

export interface LeaveOneOutOptions {
  seed: number;
  /** Items the held-out one is ranked against; 99 in the NCF protocol. */
  negatives?: number;
}

/**
 * Per user: the latest interaction (largest timestamp; among equal timestamps the later one in the
 * history, i.e. in the file) is the test item, the rest is train, and `negatives` distinct catalogue
 * items the user never interacted with are the evaluation negatives. Each user's negatives come from
 * SeededRandom(hashString(`${seed}:${user}`)), so they do not depend on the order or set of users.
 *
 * Users with fewer than 2 interactions are skipped: they would have nothing to train on. A user who
 * has interacted with all but k < `negatives` catalogue items gets those k as negatives.
 */
export function leaveOneOut(population: Population, { seed, negatives = 99 }: LeaveOneOutOptions): UserSplit[] {
  if (!Number.isSafeInteger(negatives) || negatives < 0) throw new RangeError(`negatives must be a non-negative integer, got ${negatives}`);
  const splits: UserSplit[] = [];
  for (const { user, interactions } of population.users) {
    if (interactions.length < 2) continue;
    let latest = 0;
    for (let k = 1; k < interactions.length; k++) {
      if (interactions[k].timestamp >= interactions[latest].timestamp) latest = k;
    }
    const rng = new SeededRandom(hashString(`${seed}:${user}`));
    const interacted = new Set(interactions.map((x) => x.item));
    splits.push({
      user,
      train: interactions.filter((_, k) => k !== latest),
      test: interactions[latest].item,
      evalNegatives: sampleNegatives(population.itemIds, interacted, negatives, rng),
    });
  }
  return splits;
}

/** Distinct catalogue items not in `interacted`, by rejection while that is cheap, else by shuffling what is left. */
function sampleNegatives(itemIds: Int32Array, interacted: Set<number>, wanted: number, rng: SeededRandom): Int32Array {
  // At least this many catalogue items are free (more if some history items are not in the catalogue).
  if (wanted <= (itemIds.length - interacted.size) / 2) {
    const chosen = new Set<number>();
    const out = new Int32Array(wanted);
    while (chosen.size < wanted) {
      const item = itemIds[rng.int(itemIds.length)];
      if (interacted.has(item) || chosen.has(item)) continue;
      out[chosen.size] = item;
      chosen.add(item);
    }
    return out;
  }
  const pool = itemIds.filter((item) => !interacted.has(item));
  const n = Math.min(wanted, pool.length);
  for (let k = 0; k < n; k++) {
    const j = k + rng.int(pool.length - k);
    const t = pool[k];
    pool[k] = pool[j];
    pool[j] = t;
  }
  return pool.slice(0, n);
}

/** Train interactions per catalogue row: the ItemPop baseline's scores. */
export function itemPopularity(splits: UserSplit[], itemIds: Int32Array): Int32Array {
  const counts = new Int32Array(itemIds.length);
  for (const split of splits) {
    for (const { item } of split.train) {
      const row = catalogueRow(itemIds, item);
      if (row < 0) throw new Error(`itemPopularity: item ${item} of user ${split.user} is not in the catalogue`);
      counts[row]++;
    }
  }
  return counts;
}

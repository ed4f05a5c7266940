// Shared fixtures for tests: a tiny catalogue and clients with planted tastes.

import type { Interaction } from '../shared/data/types.js';
import type { LocalDataset } from '../client/local-data.js';
import { SeededRandom } from '../shared/random.js';

export const tinyItemIds = Int32Array.from({ length: 60 }, (_, i) => 100 + i);

/** Client k likes items of one of three taste groups (20 items each). */
export function tinyDataset(k: number, seed = 1): LocalDataset {
  const rng = new SeededRandom(`${seed}:${k}`);
  const group = k % 3;
  const liked = Array.from({ length: 20 }, (_, i) => 100 + group * 20 + i);
  rng.shuffle(liked);
  const train: Interaction[] = liked.slice(0, 8).map((item, t) => ({ item, timestamp: t, kind: 'view' as const }));
  const others = Array.from({ length: 60 }, (_, i) => 100 + i).filter((i) => !liked.includes(i));
  return { train, heldOut: { item: liked[8], negatives: others.slice(0, 30) } };
}

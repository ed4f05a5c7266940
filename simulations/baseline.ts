// `fedrec baseline`: the same MF model trained centrally on the same leave-one-out split, and
// ItemPop, so a federated figure has something to be compared with.

import type { UserSplit } from '../shared/data/types.js';
import { RowIndex, makeCatalogue } from '../shared/model/catalogue.js';
import { trainLocally } from '../shared/model/local-trainer.js';
import { initModel, initUserVector, type MfModel } from '../shared/model/mf-model.js';
import { SeededRandom } from '../shared/random.js';
import { rankHeldOut } from '../client/evaluate.js';
import { mapToRows, type MappedData } from '../client/local-data.js';

export interface BaselineOptions {
  dim: number;
  epochs: number;
  lr: number;
  l2: number;
  negatives: number;
  seed: number;
}

export const baselineDefaults: BaselineOptions = { dim: 32, epochs: 20, lr: 0.05, l2: 0.01, negatives: 4, seed: 1 };

export interface Quality {
  hr10: number;
  ndcg10: number;
}

export interface BaselineResult {
  itemPop: Quality;
  model: Quality & { epochs: number };
  users: number;
  items: number;
}

export function runBaseline(itemIds: Int32Array, splits: UserSplit[], o: BaselineOptions, onEpoch?: (epoch: number, q: Quality) => void): BaselineResult {
  const index = new RowIndex(makeCatalogue(itemIds));
  const users = splits.map((s) => mapToRows({ train: s.train, heldOut: { item: s.test, negatives: s.evalNegatives } }, index));
  const model = initModel({ items: itemIds.length, dim: o.dim }, o.seed);
  const vectors = splits.map((s) => initUserVector(o.dim, `${o.seed}:sim-${s.user}:user`));
  const rng = new SeededRandom(o.seed);
  const order = Int32Array.from(users.keys());
  const cfg = { epochs: 1, lr: o.lr, l2: o.l2, negatives: o.negatives, batchSize: 1 };
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    rng.shuffle(order);
    // One user at a time, as a single SGD pass over that user's examples (same kernel as clients).
    for (const u of order) {
      const d = users[u];
      if (d.positives.length === 0) continue;
      const r = trainLocally({ model, user: vectors[u], positives: d.positives, exclude: d.exclude }, cfg, rng);
      const p = model.params;
      for (let i = 0; i < p.length; i++) if (r.delta[i] !== 0) p[i] += r.delta[i];
    }
    onEpoch?.(epoch, evaluate(model, vectors, users));
  }
  return { itemPop: evaluate(itemPopModel(users, itemIds.length, o.dim), users.map(() => new Float32Array(o.dim)), users), model: { ...evaluate(model, vectors, users), epochs: o.epochs }, users: splits.length, items: itemIds.length };
}

/** ItemPop as an MF model: zero user vectors, bias = training popularity. */
function itemPopModel(users: MappedData[], items: number, dim: number): MfModel {
  const params = new Float32Array(items * dim + items);
  const bias = params.subarray(items * dim);
  for (const u of users) for (const r of u.positives) bias[r]++;
  return { kind: 'mf', items, dim, params };
}

function evaluate(model: MfModel, vectors: Float32Array[], users: MappedData[]): Quality {
  let hr = 0;
  let ndcg = 0;
  let n = 0;
  users.forEach((u, i) => {
    if (!u.evaluation) return;
    const r = rankHeldOut(model, vectors[i], u.evaluation.row, u.evaluation.negatives);
    hr += r.hit;
    ndcg += r.ndcg;
    n++;
  });
  return { hr10: n ? hr / n : 0, ndcg10: n ? ndcg / n : 0 };
}

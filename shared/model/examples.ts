// Training examples for one client: each interaction (label 1) plus `negatives` sampled items the
// user never touched (label 0), the implicit-feedback recipe of NCF (He et al. 2017).

import type { SeededRandom } from '../random.js';
import { ErrorCodes, FedrecError } from '../protocol/errors.js';

export interface Examples {
  /** Global model row of each example. */
  rows: Int32Array;
  /** 1 for an interaction, 0 for a sampled negative. */
  labels: Float32Array;
}

/**
 * `positives` are the user's rows; `exclude` are rows never to draw as negatives (the training
 * history; a held-out evaluation item may be drawn, as in NCF). Negatives are drawn uniformly by
 * rejection, which is cheap because a user touches a tiny fraction of the catalogue.
 */
export function sampleExamples(
  positives: ArrayLike<number>,
  exclude: ReadonlySet<number>,
  items: number,
  negatives: number,
  rng: SeededRandom,
): Examples {
  if (exclude.size + negatives >= items) {
    throw new FedrecError(
      ErrorCodes.HISTORY_TOO_LARGE,
      `this history touches ${exclude.size} of the catalogue's ${items} items, leaving ${items - exclude.size} to draw ${negatives} negatives per interaction from (needs more than ${negatives}): lower the coordinator's round.negatives or leave this user out`,
    );
  }
  const n = positives.length * (1 + negatives);
  const rows = new Int32Array(n);
  const labels = new Float32Array(n);
  let e = 0;
  for (let p = 0; p < positives.length; p++) {
    rows[e] = positives[p];
    labels[e++] = 1;
    for (let j = 0; j < negatives; j++) {
      let r: number;
      do r = rng.int(items);
      while (exclude.has(r));
      rows[e] = r;
      labels[e++] = 0;
    }
  }
  return { rows, labels };
}

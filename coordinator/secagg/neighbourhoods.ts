// Draws a round's neighbour graph: random indices on a Harary ring (Bell et al. 2020) of the degree
// and threshold chosen for the round's size, or the configured ones; a full graph for small rounds.

import { chooseNeighbourhood, harary, randomPermutation } from '../../shared/secagg/graph.js';
import type { SecureAggregationConfig } from '../config.js';

export interface Neighbourhoods {
  /** indexOf[i]: the 1-based index given to the i-th advertiser (a random permutation). */
  indexOf: number[];
  /** Neighbour indices of each index, ascending. */
  neighbours: Map<number, number[]>;
  degree: number;
  threshold: number;
  full: boolean;
}

export function drawNeighbourhoods(n: number, c: SecureAggregationConfig): Neighbourhoods {
  const auto = chooseNeighbourhood(n, { dropout: c.dropoutRate, corrupt: c.corruptRate });
  let degree = c.degree ?? auto.degree;
  let threshold = c.threshold ?? auto.threshold;
  let full = auto.full;
  if (degree >= n - 1) {
    // Fewer clients than the configured degree: everyone neighbours everyone, with a majority threshold.
    full = true;
    degree = n - 1;
    threshold = Math.min(threshold, Math.max(2, Math.floor(n / 2) + 1));
  }
  const lists = harary(n, degree, randomPermutation(n));
  // Indices are drawn at random too, so they say nothing of the order in which keys arrived.
  const shuffled = randomPermutation(n);
  const indexOf = Array.from(shuffled, (j) => j + 1);
  const neighbours = new Map<number, number[]>();
  lists.forEach((list, i) => neighbours.set(indexOf[i], list.map((j) => indexOf[j]).sort((a, b) => a - b)));
  return { indexOf, neighbours, degree, threshold, full };
}

// The demo's simulated clients: the first `clients` users of a population (synthetic by default, or
// MovieLens with its titles), each split as `fedrec simulate` splits them. A data spec or file that
// cannot be used is a usage mistake: one sentence, exit code 2.

import { UsageError } from '../bin/args.js';
import { checkExists } from '../bin/path-checks.js';
import type { UserSplit } from '../shared/data/types.js';
import type { ItemMetadata } from '../shared/model/catalogue-listing.js';
import { ErrorCodes } from '../shared/protocol/errors.js';
import { BadDataFileError, BadPopulationSpecError } from '../simulations/populations/errors.js';
import { loadPopulation } from '../simulations/populations/load.js';
import { leaveOneOut } from '../simulations/populations/split.js';
import { DEMO_DEFAULTS } from './settings.js';

export interface DemoPopulation {
  name: string;
  itemIds: Int32Array;
  metadata: ItemMetadata | null;
  splits: UserSplit[];
}

/** The spec used when --data is not given: just enough users for the demo, a browsable catalogue. */
export function defaultDataSpec(clients: number): string {
  return `synthetic:users=${clients},items=${DEMO_DEFAULTS.syntheticItems}`;
}

export async function demoPopulation(spec: string, clients: number, seed: number): Promise<DemoPopulation> {
  const path = /^\s*movielens:(.+)$/.exec(spec)?.[1];
  if (path) await checkExists('--data', path, `movielens:${path}`);
  let population;
  try {
    population = await loadPopulation(spec, { seed });
  } catch (err) {
    if (err instanceof BadDataFileError) throw new UsageError(`--data ${err.message}`, ErrorCodes.BAD_PATH);
    if (err instanceof BadPopulationSpecError) throw new UsageError(`--data: ${err.message}`);
    throw err;
  }
  // Users with one interaction have nothing to train on; take the first `clients` of the rest.
  const users = population.users.filter((u) => u.interactions.length >= 2).slice(0, clients);
  if (users.length < 2) {
    throw new UsageError(`--data ${spec} has ${users.length} user(s) with two or more interactions; secure aggregation needs at least 2 clients`, ErrorCodes.BAD_PATH);
  }
  return {
    name: population.name,
    itemIds: population.itemIds,
    metadata: population.metadata ?? null,
    splits: leaveOneOut({ ...population, users }, { seed }),
  };
}

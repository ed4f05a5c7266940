// The shapes of interaction data that loaders produce and clients train on.

import type { ItemMetadata } from '../model/catalogue-listing.js';

export type InteractionKind = 'view' | 'purchase';

/** One thing a user did with an item. `item` is the catalogue's external item id. */
export interface Interaction {
  item: number;
  timestamp: number;
  kind: InteractionKind;
}

/** One user's history, as the user's own device holds it. */
export interface UserHistory {
  user: string;
  interactions: Interaction[];
}

/** A population for simulations: every user's history plus the public item catalogue. */
export interface Population {
  /** e.g. "synthetic(users=1000,items=2000,seed=1)" or "movielens:ratings.csv" */
  name: string;
  users: UserHistory[];
  /** Sorted, unique external item ids: the public catalogue (row r of the model is itemIds[r]). */
  itemIds: Int32Array;
  /** Titles and genres for people (GET /catalogue), when the data has them. */
  metadata?: ItemMetadata;
}

/**
 * Leave-one-out split of one user's history (the NCF protocol): the latest interaction is held out
 * and ranked against `evalNegatives`, items the user never interacted with.
 */
export interface UserSplit {
  user: string;
  train: Interaction[];
  test: number;
  evalNegatives: Int32Array;
}

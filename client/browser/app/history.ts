// The person's history as the page uses it: which kinds each item is marked with, and how much of it
// the consent lets train. The records themselves live in the app's IndexedDB (app-db.ts).

import type { Interaction, InteractionKind } from '../../../shared/data/types.js';

export type Marks = ReadonlyMap<number, ReadonlySet<InteractionKind>>;

export function marksOf(history: readonly Interaction[]): Marks {
  const m = new Map<number, Set<InteractionKind>>();
  for (const it of history) {
    let kinds = m.get(it.item);
    if (!kinds) m.set(it.item, (kinds = new Set()));
    kinds.add(it.kind);
  }
  return m;
}

/** Interactions of the kinds the person lets train (FedrecClient refuses to join with none). */
export function trainableCount(history: readonly Interaction[], kinds: readonly InteractionKind[]): number {
  return history.filter((i) => kinds.includes(i.kind)).length;
}

/** Unix seconds, as history files and MovieLens count time. */
export function nowSeconds(now = Date.now()): number {
  return Math.floor(now / 1000);
}

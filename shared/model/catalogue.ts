// The public item catalogue: external item ids ↔ model rows. It travels with the model so that a
// client can map its own history to rows without telling anyone what that history is.

export interface Catalogue {
  /** Sorted unique external ids; row r is itemIds[r]. */
  itemIds: Int32Array;
  /** Content hash, so a client can keep its copy across sessions. */
  version: string;
}

export function makeCatalogue(itemIds: Int32Array): Catalogue {
  for (let i = 1; i < itemIds.length; i++) {
    if (itemIds[i] <= itemIds[i - 1]) throw new RangeError('catalogue itemIds must be sorted and unique');
  }
  return { itemIds, version: catalogueVersion(itemIds) };
}

/** FNV-1a over the ids plus the count: cheap, stable, and identical in browsers and Node. */
export function catalogueVersion(itemIds: Int32Array): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ itemIds.length;
  for (let i = 0; i < itemIds.length; i++) {
    const v = itemIds[i];
    h1 = Math.imul(h1 ^ v, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ (v >>> 3), 0x5bd1e995) >>> 0;
  }
  return `${itemIds.length}-${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`;
}

/** Row lookup for a catalogue; -1 for ids outside it. */
export class RowIndex {
  private readonly map = new Map<number, number>();
  constructor(readonly catalogue: Catalogue) {
    const ids = catalogue.itemIds;
    for (let r = 0; r < ids.length; r++) this.map.set(ids[r], r);
  }
  rowOf(item: number): number {
    return this.map.get(item) ?? -1;
  }
  get size(): number {
    return this.catalogue.itemIds.length;
  }
}

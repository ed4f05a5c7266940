// Helpers for the public item catalogue: a sorted Int32Array of external item ids, where row r of
// the model is itemIds[r].

/** Row of `item` in the sorted catalogue, or -1 if the item is not in it (binary search). */
export function catalogueRow(itemIds: Int32Array, item: number): number {
  let lo = 0;
  let hi = itemIds.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = itemIds[mid];
    if (v < item) lo = mid + 1;
    else if (v > item) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** Sorted unique copy of `ids`: the catalogue of the items that occur in a data set. */
export function sortedUniqueIds(ids: ArrayLike<number>): Int32Array {
  const sorted = Int32Array.from(ids).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[n++] = sorted[i];
  }
  return sorted.slice(0, n);
}

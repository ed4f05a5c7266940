// A client's own data, mapped onto the public catalogue's rows. Built on the device; only the model
// update derived from it ever leaves.

import type { Interaction, InteractionKind } from '../shared/data/types.js';
import { RowIndex } from '../shared/model/catalogue.js';

/** The held-out interaction for on-device evaluation (NCF leave-one-out) and its ranked negatives. */
export interface HeldOut {
  item: number;
  negatives: ArrayLike<number>;
}

export interface LocalDataset {
  train: Interaction[];
  heldOut: HeldOut | null;
}

export interface MappedData {
  positives: Int32Array;
  /**
   * Rows never to draw as training negatives: the training history. The held-out item is NOT here:
   * as in the NCF protocol (He et al. 2017), it may be drawn as a negative; excluding it would tell
   * training which unseen item is special and inflate HR@10 (by ~0.02 on ML-100K).
   */
  exclude: Set<number>;
  /** History items the catalogue does not know (ignored, and counted so the user can be told). */
  ignored: number;
  /** Held-out row and negative rows, or null when unusable (no held-out item, or not in catalogue). */
  evaluation: { row: number; negatives: Int32Array } | null;
}

export function mapToRows(data: LocalDataset, index: RowIndex, kinds: ReadonlySet<InteractionKind> | null = null): MappedData {
  const positives = new Set<number>();
  const exclude = new Set<number>();
  let ignored = 0;
  for (const it of data.train) {
    const r = index.rowOf(it.item);
    if (r < 0) {
      ignored++;
      continue;
    }
    exclude.add(r);
    if (!kinds || kinds.has(it.kind)) positives.add(r);
  }
  let evaluation: MappedData['evaluation'] = null;
  if (data.heldOut) {
    const row = index.rowOf(data.heldOut.item);
    if (row >= 0) {
      const negs: number[] = [];
      for (let i = 0; i < data.heldOut.negatives.length; i++) {
        const r = index.rowOf(data.heldOut.negatives[i]);
        if (r >= 0) negs.push(r);
      }
      evaluation = { row, negatives: Int32Array.from(negs) };
    } else {
      ignored++;
    }
  }
  return { positives: Int32Array.from(positives), exclude, ignored, evaluation };
}

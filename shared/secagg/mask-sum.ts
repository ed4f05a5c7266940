// Adding a set of masks to a vector: a client's self mask and its pairwise masks (stage 3), or the
// masks the coordinator removes when unmasking. Each mask is the AES-256-CTR keystream of its key
// (prg.ts), added or subtracted mod 2^32, so the order does not change the result. Three routes, the
// first the expander offers:
//   - `addTo`: the expander adds them itself (Node: in a worker thread, node-prg.ts);
//   - `reader`: the masks are added a chunk of the vector at a time as their keystreams are read,
//     so none of them is ever a model-sized array (foldStreams);
//   - otherwise each mask is expanded whole (WebCrypto), the next one while the current one is added.

import { addInto, checkExpanderArgs, type MaskExpander, type MaskTerm, subInto } from './prg.js';
import { foldStreams } from './word-add.js';

export type { MaskTerm };

/** acc ± each term's mask (mod 2^32), in place. */
export async function applyMasks(acc: Uint32Array, terms: readonly MaskTerm[], expander: MaskExpander): Promise<void> {
  for (const t of terms) checkExpanderArgs(t.key, acc.length);
  if (terms.length === 0) return;
  if (expander.addTo) {
    await expander.addTo(acc, terms);
    return;
  }
  const reader = expander.reader;
  if (reader) {
    foldStreams(acc, terms.map((t) => ({ next: reader(t.key), sign: t.sign })));
    return;
  }
  const expand = (j: number) => {
    const p = expander(terms[j].key, acc.length);
    p.catch(() => {}); // awaited below; this only keeps an abandoned one from being "unhandled"
    return p;
  };
  let next = expand(0);
  for (let j = 0; j < terms.length; j++) {
    const mask = await next;
    if (j + 1 < terms.length) next = expand(j + 1);
    if (terms[j].sign > 0) addInto(acc, mask);
    else subInto(acc, mask);
  }
}

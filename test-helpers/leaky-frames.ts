// Frames a device would send if it leaked its person's history, built with the real codec, quantizer
// and mask PRG, so a test can show the frame audit (frame-audit.ts) flags each one, and passes the
// same update once it is masked as secure aggregation masks it.

import { encodeMessage } from '../shared/protocol/codec.js';
import { addInto, webCryptoExpander } from '../shared/secagg/prg.js';
import { quantizationScale, quantizeInto } from '../shared/secagg/quantize.js';
import { SeededRandom } from '../shared/random.js';
import type { PrivateHistory } from './frame-audit.js';

/** A clipped (L2 norm 1) dense update, non-zero only on the person's rows and biases, as local training makes it. */
export function plaintextDelta(h: PrivateHistory, rng = new SeededRandom(7)): Float32Array {
  const items = h.catalogue.length;
  const delta = new Float32Array(items * h.dim + items);
  for (const { id } of h.items) {
    const row = h.catalogue.indexOf(id);
    for (let k = 0; k < h.dim; k++) delta[row * h.dim + k] = rng.normal();
    delta[items * h.dim + row] = rng.normal();
  }
  const norm = Math.hypot(...delta);
  return delta.map((v) => v / norm);
}

/** The update as secure aggregation quantizes it for `clients` (+ the clip word), before any mask. */
export function quantized(delta: Float32Array, clients: number, rng = new SeededRandom(8)): Uint32Array {
  const words = new Uint32Array(delta.length + 1);
  quantizeInto(delta, quantizationScale(1, clients), words, () => rng.next());
  return words;
}

const bytesOf = (words: Uint32Array | Int32Array | Float32Array) => new Uint8Array(words.buffer, words.byteOffset, words.byteLength);

export interface ExampleFrames {
  /** What a device sends that keeps its history to itself: a join, a heartbeat, an update masked with a real self mask. */
  clean: Uint8Array[];
  /** One frame per way of leaking, by name. */
  leaks: Record<string, Uint8Array>;
}

export async function exampleFrames(h: PrivateHistory): Promise<ExampleFrames> {
  const delta = plaintextDelta(h);
  const unmasked = quantized(delta, 42);
  const masked = unmasked.slice();
  addInto(masked, await webCryptoExpander(crypto.getRandomValues(new Uint8Array(32)), masked.length));
  // "Noised but not masked": local noise on every word hides the zeros, not the update's scale.
  const rng = new SeededRandom(9);
  const noised = unmasked.map((w) => (w + Math.round(rng.normal() * 2 ** 22)) >>> 0);
  const ids = Int32Array.from(h.items, (it) => it.id);
  const join = { type: 'join', protocol: 1, clientId: 'c0ffee', mode: 'persistent', capabilities: { tasks: ['train'] } };
  const saMasked = (words: Uint32Array) => encodeMessage({ type: 'sa-masked', round: 3, modelVersion: 2, masked: bytesOf(words) });
  return {
    clean: [encodeMessage(join), encodeMessage({ type: 'heartbeat', sentAt: 1_700_000_000_000 }), saMasked(masked)],
    leaks: {
      'a plaintext update': encodeMessage({ type: 'update', round: 3, modelVersion: 2, delta: bytesOf(delta), clipped: false }),
      'a quantized update without masks': saMasked(unmasked),
      'a quantized update with noise but no masks': saMasked(noised),
      'the history as int32 inside a sealed share': encodeMessage({ type: 'sa-shares', round: 3, shares: [{ to: 2, sealed: bytesOf(ids) }] }),
      'the history as float32 inside a key': encodeMessage({ type: 'sa-keys', round: 3, encKey: bytesOf(Float32Array.from(ids)), maskKey: new Uint8Array(32) }),
      'an item id in a field': encodeMessage({ ...join, capabilities: { tasks: ['train'], seen: [h.items[0].id] } }),
      'a title in a string': encodeMessage({ ...join, clientId: `device of a fan of ${h.items[1].title}` }),
    },
  };
}

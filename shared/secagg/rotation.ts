// The randomized rotation of distributed DP (Kairouz, Liu & Steinke 2021 §4; Agarwal et al. 2021 §4):
// random signs D then a normalized Walsh–Hadamard transform H spread a vector's L2 norm over all
// coordinates, so each rotated coordinate is about ‖x‖/√w and the modular sum has room for a large
// scale without wrapping. The signs come from a public per-round seed: every client and the
// coordinator rotate with the same R, so the sum of rotated vectors is the rotated sum.
//
// H needs a power-of-two length w. Instead of padding d words up to the next power of two (which
// would change the size of every masked vector), two overlapping windows of w = 2^⌊log2 d⌋ ≥ d/2
// are rotated one after the other: [0, w) with signs D1, then [d − w, d) with signs D2. Each step is
// orthogonal, so R = R2·R1 is orthogonal (norms are kept exactly), and every coordinate ends up a
// random-sign combination over at least w ≥ d/2 entries (at most √2 worse than padding).

import type { MaskExpander } from './prg.js';

/** Window length: the largest power of two ≤ d. */
export function rotationWindow(d: number): number {
  if (!(Number.isInteger(d) && d >= 1)) throw new RangeError(`rotationWindow: d must be a positive integer, got ${d}`);
  return 2 ** Math.floor(Math.log2(d));
}

/** ±1 signs for both windows (2·w of them), one bit of the AES-CTR stream of `seed` each. */
export interface RotationSigns {
  d: number;
  w: number;
  /** Sign bits: bit i of word ⌊i/32⌋; i < w for window 1, w ≤ i < 2w for window 2. */
  bits: Uint32Array;
}

export async function rotationSigns(seed: Uint8Array, d: number, expander: MaskExpander): Promise<RotationSigns> {
  const w = rotationWindow(d);
  return { d, w, bits: await expander(seed, Math.ceil((2 * w) / 32)) };
}

function sign(bits: Uint32Array, i: number): number {
  return (bits[i >>> 5] >>> (i & 31)) & 1 ? -1 : 1;
}

/** In-place normalized fast Walsh–Hadamard transform of x[off, off + w): its own inverse. */
function fwht(x: Float64Array, off: number, w: number): void {
  for (let h = 1; h < w; h *= 2) {
    for (let i = off; i < off + w; i += 2 * h) {
      for (let j = i; j < i + h; j++) {
        const a = x[j];
        const b = x[j + h];
        x[j] = a + b;
        x[j + h] = a - b;
      }
    }
  }
  const norm = 1 / Math.sqrt(w);
  for (let i = off; i < off + w; i++) x[i] *= norm;
}

function applySigns(x: Float64Array, off: number, w: number, s: RotationSigns, first: number): void {
  for (let i = 0; i < w; i++) if (sign(s.bits, first + i) < 0) x[off + i] = -x[off + i];
}

function check(x: Float64Array, s: RotationSigns): void {
  if (x.length !== s.d) throw new RangeError(`rotation: vector has ${x.length} entries, the signs are for ${s.d}`);
}

/** x ← R x = H D2 (on [d−w, d)) · H D1 (on [0, w)) x, in place. */
export function rotate(x: Float64Array, s: RotationSigns): Float64Array {
  check(x, s);
  applySigns(x, 0, s.w, s, 0);
  fwht(x, 0, s.w);
  if (s.w < s.d) {
    applySigns(x, s.d - s.w, s.w, s, s.w);
    fwht(x, s.d - s.w, s.w);
  }
  return x;
}

/** x ← Rᵀ x (the inverse: H is symmetric and self-inverse, D its own inverse), in place. */
export function unrotate(x: Float64Array, s: RotationSigns): Float64Array {
  check(x, s);
  if (s.w < s.d) {
    fwht(x, s.d - s.w, s.w);
    applySigns(x, s.d - s.w, s.w, s, s.w);
  }
  fwht(x, 0, s.w);
  applySigns(x, 0, s.w, s, 0);
  return x;
}

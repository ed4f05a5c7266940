// Optional compression of client updates on the wire: float16 (half the bytes) or 8-bit
// stochastic quantization with one scale (a quarter). Both decode to Float32 at the coordinator
// BEFORE the guard and clip stages, so the DP sensitivity bound is enforced on what is summed.
// Stochastic rounding keeps the 8-bit code unbiased: E[decode(encode(x))] = x.

export type UpdateEncoding = 'f32' | 'f16' | 'q8';

export const UPDATE_ENCODINGS: readonly UpdateEncoding[] = ['f32', 'f16', 'q8'];

export function bytesPerValue(e: UpdateEncoding): number {
  return e === 'f32' ? 4 : e === 'f16' ? 2 : 1;
}

// ---- float16 (IEEE 754 binary16, round to nearest even) -------------------------------------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function toHalf(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → Inf (the guard then rejects it)
  if (e <= 0) {
    if (e < -10) return sign; // underflow → ±0
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (rem > mid || (rem === mid && half & 1) ? half + 1 : half);
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  return sign | (rem > 0x1000 || (rem === 0x1000 && half & 1) ? half + 1 : half);
}

const HALF_TO_FLOAT = (() => {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >>> 10) & 0x1f;
    const m = h & 0x3ff;
    t[h] = e === 0 ? s * m * 2 ** -24 : e === 0x1f ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return t;
})();

// ---- encode / decode ----------------------------------------------------------------------------

export interface EncodedUpdate {
  encoding: UpdateEncoding;
  bytes: Uint8Array;
  /** q8 only: value = code × scale. */
  scale: number;
}

/** `random` drives the stochastic rounding of q8 (uniform in [0, 1)). */
export function encodeUpdate(delta: Float32Array, encoding: UpdateEncoding, random: () => number = Math.random): EncodedUpdate {
  if (encoding === 'f32') return { encoding, bytes: new Uint8Array(delta.buffer, delta.byteOffset, delta.byteLength), scale: 1 };
  if (encoding === 'f16') {
    const out = new Uint16Array(delta.length);
    // Most of a client's dense update is exact zeros (untouched rows), already half 0x0000 here
    // (−0 becomes +0: the same number).
    for (let i = 0; i < delta.length; i++) {
      const v = delta[i];
      if (v !== 0) out[i] = toHalf(v);
    }
    return { encoding, bytes: new Uint8Array(out.buffer), scale: 1 };
  }
  let max = 0;
  for (let i = 0; i < delta.length; i++) {
    const a = Math.abs(delta[i]);
    if (a > max) max = a;
  }
  const scale = max > 0 && Number.isFinite(max) ? max / 127 : 1;
  const out = new Int8Array(delta.length);
  for (let i = 0; i < delta.length; i++) {
    const v = delta[i] / scale;
    if (v === 0) continue;
    const lo = Math.floor(v);
    out[i] = lo + (random() < v - lo ? 1 : 0);
  }
  return { encoding, bytes: new Uint8Array(out.buffer), scale };
}

/**
 * Float32 values of an encoded update; throws RangeError when the byte length does not fit. When a
 * copy is needed it goes into `scratch` if that is large enough (the coordinator reuses one buffer
 * per round instead of allocating 1.2 MB per update), so the result is only valid until the next call.
 */
export function decodeUpdate(bytes: Uint8Array, encoding: UpdateEncoding, scale: number, scratch?: Float32Array): Float32Array {
  const per = bytesPerValue(encoding);
  if (bytes.byteLength % per !== 0) throw new RangeError(`${bytes.byteLength} bytes is not a whole number of ${encoding} values`);
  const n = bytes.byteLength / per;
  const out = scratch && scratch.length >= n ? scratch.subarray(0, n) : new Float32Array(n);
  if (encoding === 'f32') {
    if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
    new Uint8Array(out.buffer, out.byteOffset, bytes.byteLength).set(bytes);
    return out;
  }
  if (encoding === 'f16') {
    const view = bytes.byteOffset % 2 === 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset, n) : new Uint16Array(copyBytes(bytes).buffer);
    for (let i = 0; i < n; i++) out[i] = HALF_TO_FLOAT[view[i]];
    return out;
  }
  const codes = new Int8Array(bytes.buffer, bytes.byteOffset, n);
  for (let i = 0; i < n; i++) out[i] = codes[i] * scale;
  return out;
}

/** An aligned copy. (Buffer#slice is a view, not a copy: never use it for this.) */
function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  out.set(bytes);
  return out;
}

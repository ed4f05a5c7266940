// Fixed-point encoding of clipped updates into Z_2^32 for secure aggregation (masks are added mod 2^32,
// prg.ts). Stochastic rounding makes the encoding unbiased, E[q] = v·scale, as in the distributed DP
// literature (Kairouz, Liu & Steinke 2021, "The Distributed Discrete Gaussian Mechanism", §4); the scale
// is chosen so the signed sum of every participant cannot wrap around 2^32.

/**
 * The largest power of two s with maxClients · (clipNorm · s + 1) < 2^31: every coordinate of a clipped
 * update is at most clipNorm in magnitude and rounding adds less than 1, so the int32 sum of up to
 * maxClients encoded updates cannot wrap.
 */
export function quantizationScale(clipNorm: number, maxClients: number): number {
  if (!(Number.isFinite(clipNorm) && clipNorm > 0)) throw new RangeError(`quantizationScale: clipNorm must be a positive number, got ${clipNorm}.`);
  if (!Number.isInteger(maxClients) || maxClients < 1) throw new RangeError(`quantizationScale: maxClients must be a positive integer, got ${maxClients}.`);
  const fits = (s: number) => maxClients * (clipNorm * s + 1) < 2 ** 31;
  if (!fits(1)) {
    throw new RangeError(
      `quantizationScale: ${maxClients} clients × (clipNorm ${clipNorm} + 1) = ${maxClients * (clipNorm + 1)} ≥ 2^31; ` +
        'the sum could wrap even at scale 1: lower maxClients or clipNorm.',
    );
  }
  let s = 2 ** Math.max(0, Math.floor(Math.log2((2 ** 31 / maxClients - 1) / clipNorm)));
  while (s > 1 && !fits(s)) s /= 2; // log2 may round up at the boundary
  while (fits(2 * s)) s *= 2;
  return s;
}

/**
 * out[i] = round_stochastic(x[i] · scale) as a two's-complement word, over all of x or only the given
 * ranges (elsewhere out is left untouched; the caller zero-fills). `uniform` returns values in [0, 1).
 */
export function quantizeInto(
  x: Float32Array,
  scale: number,
  out: Uint32Array,
  uniform: () => number,
  ranges?: (fn: (start: number, end: number) => void) => void,
): void {
  if (!(Number.isFinite(scale) && scale > 0)) throw new RangeError(`quantizeInto: scale must be a positive number, got ${scale}.`);
  if (out.length < x.length) throw new RangeError(`quantizeInto: out has ${out.length} words for ${x.length} values.`);
  const run = (start: number, end: number): void => {
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= x.length)) {
      throw new RangeError(`quantizeInto: range [${start}, ${end}) is outside 0..${x.length}.`);
    }
    for (let i = start; i < end; i++) {
      const y = x[i] * scale;
      // Also catches NaN: a non-finite or huge value would otherwise wrap silently.
      if (!(Math.abs(y) < 2147483647)) throw new RangeError(`quantizeInto: value ${x[i]} at index ${i} does not fit int32 at scale ${scale}.`);
      const f = Math.floor(y);
      out[i] = (f + (uniform() < y - f ? 1 : 0)) >>> 0;
    }
  };
  if (ranges) ranges(run);
  else run(0, x.length);
}

/** Reads each word as a signed int32 and divides by scale. */
export function dequantize(sum: Uint32Array, scale: number, out?: Float64Array, length = sum.length): Float64Array {
  if (!(Number.isInteger(length) && length >= 0 && length <= sum.length)) throw new RangeError(`dequantize: length ${length} is outside 0..${sum.length}.`);
  const result = out ?? new Float64Array(length);
  if (result.length < length) throw new RangeError(`dequantize: out has ${result.length} entries for ${length} words.`);
  for (let i = 0; i < length; i++) result[i] = (sum[i] | 0) / scale;
  return result;
}

/** Σ (w|0)² over the first `length` words, in the quantized domain (divide by scale² for the real norm). */
export function signedNormSquared(sum: Uint32Array, length: number): number {
  if (!(Number.isInteger(length) && length >= 0 && length <= sum.length)) throw new RangeError(`signedNormSquared: length ${length} is outside 0..${sum.length}.`);
  let total = 0;
  for (let i = 0; i < length; i++) {
    const w = sum[i] | 0;
    total += w * w;
  }
  return total;
}

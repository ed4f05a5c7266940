// Skellam noise for distributed DP (Agarwal, Kairouz & Liu 2021, "The Skellam Mechanism for
// Differentially Private Federated Learning"): Sk(μ) = Poisson(μ/2) − Poisson(μ/2) has mean 0 and
// variance μ, and a sum of independent Sk(μ_i) is Sk(Σμ_i), so n clients each adding Sk(μ/n) put
// exactly Sk(μ) into the secure sum. Integers, so it is added in Z_2^32 like the masks.
// Poisson draws are exact: multiplication (Knuth) below λ = 10, PTRS transformed rejection above
// (Hörmann 1993, "The transformed rejection method for generating Poisson random variables", the
// algorithm numpy uses). Randomness comes from the platform CSPRNG only, as in gaussian-noise.ts:
// a seeded generator would let whoever holds the seed subtract the noise.

const BLOCK_WORDS = 16384; // getRandomValues takes at most 65,536 bytes per call
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
const words = new Uint32Array(BLOCK_WORDS);
let pos = BLOCK_WORDS;

/** Uniform on [0, 1) from 53 CSPRNG bits. */
function uniform(): number {
  if (pos > BLOCK_WORDS - 2) {
    const c = globalThis.crypto;
    if (!c || typeof c.getRandomValues !== 'function') {
      throw new Error('skellam-noise: globalThis.crypto.getRandomValues is unavailable; refusing to fall back to a non-cryptographic RNG');
    }
    c.getRandomValues(words);
    pos = 0;
  }
  const hi = words[pos++] >>> 11;
  const lo = words[pos++];
  return (hi * TWO_POW_32 + lo) / TWO_POW_53;
}

/** log(k!) exactly from a table for k < 256, from Stirling's series beyond (error < 1e-16 there). */
const LOG_FACT = new Float64Array(256);
for (let k = 1; k < 256; k++) LOG_FACT[k] = LOG_FACT[k - 1] + Math.log(k);
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
function logFactorial(k: number): number {
  if (k < 256) return LOG_FACT[k];
  const x = k + 1; // log Γ(x)
  const inv = 1 / x;
  const inv2 = inv * inv;
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
}

/** Knuth's multiplication method: exact, O(λ) uniforms, used below λ = 10. */
function poissonSmall(lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = uniform();
  while (p > limit) {
    k++;
    p *= uniform();
  }
  return k;
}

/** PTRS (Hörmann 1993, §3, constants from Table 1): exact for λ ≥ 10, ~1.2 uniform pairs per draw. */
function poissonLarge(lambda: number): number {
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = uniform() - 0.5;
    const v = uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k)) return k;
  }
}

/** One exact Poisson(λ) draw from the CSPRNG. */
export function poissonSample(lambda: number): number {
  if (!(lambda >= 0 && Number.isFinite(lambda))) throw new RangeError(`poissonSample: lambda must be a finite number ≥ 0, got ${lambda}`);
  if (lambda === 0) return 0;
  return lambda < 10 ? poissonSmall(lambda) : poissonLarge(lambda);
}

function checkMu(mu: number): void {
  // Up to 2^50, λ and every draw are exact doubles; keeping the round's sum inside int32 is the
  // job of the scale choice (shared/secagg/distributed-dp.ts).
  if (!(mu >= 0 && mu <= 2 ** 50)) throw new RangeError(`Skellam variance mu must be in [0, 2^50], got ${mu}`);
}

/** `n` independent Sk(mu) draws (variance mu). */
export function skellamSamples(n: number, mu: number): Float64Array {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`n must be an integer ≥ 0, got ${n}`);
  checkMu(mu);
  const out = new Float64Array(n);
  if (mu === 0) return out;
  for (let i = 0; i < n; i++) out[i] = poissonSample(mu / 2) - poissonSample(mu / 2);
  return out;
}

/** Adds an independent Sk(mu) draw to each of the first `length` words, mod 2^32; returns `target`. */
export function addSkellamNoise(target: Uint32Array, mu: number, length = target.length): Uint32Array {
  checkMu(mu);
  if (!(Number.isInteger(length) && length >= 0 && length <= target.length)) throw new RangeError(`addSkellamNoise: length ${length} is outside 0..${target.length}`);
  if (mu === 0) return target;
  const lambda = mu / 2;
  for (let i = 0; i < length; i++) target[i] = (target[i] + poissonSample(lambda) - poissonSample(lambda)) >>> 0;
  return target;
}

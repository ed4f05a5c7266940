// The sparse communication graph of SecAgg+ (Bell, Bonawitz, Gascón, Lepoint & Raykova 2020, "Secure
// Single-Server Aggregation with (Poly)Logarithmic Overhead", §3–4): each client masks with, and shares
// its secrets among, k neighbours on a Harary-style ring (as in Flower's SecAgg+), instead of all n−1
// clients as in Bonawitz et al. 2017. k and the threshold t grow like log n; they are chosen here from
// the expected dropout and corruption rates by union bounds over the n clients.

export interface NeighbourhoodParams {
  /** Neighbours per client, self excluded. Each client splits its secrets into degree + 1 shares (one kept). */
  degree: number;
  /** Shares needed to reconstruct one client's secret. */
  threshold: number;
  /** Everyone is everyone's neighbour (small rounds). */
  full: boolean;
}

/** Shamir x-coordinates are single bytes: at most 255 shares, so at most 254 neighbours. */
const MAX_DEGREE = 254;

/** ln(i!) for i = 0..MAX_DEGREE + 1. */
const LOG_FACTORIAL = new Float64Array(MAX_DEGREE + 2);
for (let i = 1; i < LOG_FACTORIAL.length; i++) LOG_FACTORIAL[i] = LOG_FACTORIAL[i - 1] + Math.log(i);

/** ln P[Binomial(k, p) ≥ from], by log-sum-exp over the pmf (no underflow for k ≤ 255). */
function logBinomialTail(k: number, p: number, from: number): number {
  if (from <= 0) return 0;
  if (from > k) return -Infinity;
  if (p === 0) return -Infinity;
  if (p === 1) return 0;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  const terms: number[] = [];
  for (let i = from; i <= k; i++) terms.push(LOG_FACTORIAL[k] - LOG_FACTORIAL[i] - LOG_FACTORIAL[k - i] + i * lp + (k - i) * lq);
  const max = Math.max(...terms);
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - max);
  return max + Math.log(sum);
}

function fullGraph(n: number): NeighbourhoodParams {
  return { degree: n - 1, threshold: Math.max(2, Math.floor(n / 2) + 1), full: true };
}

/**
 * The smallest even degree k, and for it the smallest threshold t, such that (union bounds over n clients):
 *  (a) 2t > k + 1: a coordinator claiming a client dropped cannot collect t shares of its self-mask seed
 *      and t shares of its mask key from disjoint sets of honest holders;
 *  (b) n · P[Bin(k, corrupt) ≥ t] ≤ 2^-securityBits: corrupt neighbours cannot reconstruct on their own;
 *  (c) n · P[Bin(k + 1, dropout) > k + 1 − t] ≤ 2^-correctnessBits: enough share holders stay online;
 *  (d) n · (corrupt + dropout)^(k/2) ≤ 2^-securityBits: removing corrupt and dropped clients leaves no gap
 *      of k/2 consecutive clients, which is what would cut the ring.
 * When k would reach n − 1 the full graph is returned (t = ⌊n/2⌋ + 1, at least 2). If no k ≤ 254 passes
 * (only for extreme rates), returns k = 254 with the smallest t meeting (a) and (b): security is kept and
 * correctness is what degrades (rounds may fail to unmask).
 */
export function chooseNeighbourhood(
  n: number,
  o: { dropout?: number; corrupt?: number; securityBits?: number; correctnessBits?: number } = {},
): NeighbourhoodParams {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`chooseNeighbourhood: secure aggregation needs at least 2 clients, got n = ${n}.`);
  const { dropout = 0.05, corrupt = 0.05, securityBits = 40, correctnessBits = 20 } = o;
  for (const [name, rate] of [['dropout', dropout], ['corrupt', corrupt]] as const) {
    if (!(rate >= 0 && rate < 1)) throw new RangeError(`chooseNeighbourhood: ${name} must be in [0, 1), got ${rate}.`);
  }
  if (!(dropout + corrupt < 1)) throw new RangeError(`chooseNeighbourhood: dropout + corrupt must be below 1, got ${dropout + corrupt}.`);
  for (const [name, bits] of [['securityBits', securityBits], ['correctnessBits', correctnessBits]] as const) {
    if (!(Number.isFinite(bits) && bits > 0)) throw new RangeError(`chooseNeighbourhood: ${name} must be a positive number, got ${bits}.`);
  }

  const logN = Math.log(n);
  const securityLimit = -securityBits * Math.LN2;
  const correctnessLimit = -correctnessBits * Math.LN2;
  const secureThreshold = (k: number): number => {
    let t = k / 2 + 1; // (a) for even k
    while (logN + logBinomialTail(k, corrupt, t) > securityLimit) t++; // ends by t = k + 1, where the tail is 0
    return t;
  };

  for (let k = 2; k <= MAX_DEGREE; k += 2) {
    if (k >= n - 1) return fullGraph(n);
    if (logN + (k / 2) * Math.log(corrupt + dropout) > securityLimit) continue; // (d)
    // (c) only gets harder as t grows, so the smallest t meeting (a) and (b) is the only candidate.
    const t = secureThreshold(k);
    if (logN + logBinomialTail(k + 1, dropout, k + 2 - t) <= correctnessLimit) return { degree: k, threshold: t, full: false };
  }
  return { degree: MAX_DEGREE, threshold: secureThreshold(MAX_DEGREE), full: false };
}

/**
 * Neighbour lists of the ring that places client permutation[p] at position p and links it to the
 * degree/2 nearest positions on each side; with degree ≥ n − 1, everyone to everyone. Lists are indexed
 * by client, sorted ascending, symmetric, without self loops.
 */
export function harary(n: number, degree: number, permutation: Int32Array): number[][] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`harary: n must be a positive integer, got ${n}.`);
  if (permutation.length !== n) throw new RangeError(`harary: permutation has ${permutation.length} entries for n = ${n}.`);
  const seen = new Uint8Array(n);
  for (const c of permutation) {
    if (!(c >= 0 && c < n) || seen[c]) throw new RangeError(`harary: permutation is not a permutation of 0..${n - 1}.`);
    seen[c] = 1;
  }
  if (degree >= n - 1) return Array.from({ length: n }, (_, c) => Array.from({ length: n - 1 }, (_, j) => (j < c ? j : j + 1)));
  if (!Number.isInteger(degree) || degree < 0 || degree % 2 !== 0) throw new RangeError(`harary: degree must be even and non-negative below n − 1, got ${degree}.`);
  const neighbours: number[][] = Array.from({ length: n }, () => []);
  for (let p = 0; p < n; p++) {
    const list = neighbours[permutation[p]];
    for (let d = 1; d <= degree / 2; d++) list.push(permutation[(p + d) % n], permutation[(p - d + n) % n]);
  }
  for (const list of neighbours) list.sort((a, b) => a - b);
  return neighbours;
}

/** Uniform random permutation of 0..n−1: Fisher–Yates on crypto.getRandomValues, rejection-sampled. */
export function randomPermutation(n: number): Int32Array {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) throw new RangeError(`randomPermutation: n must be an integer in 0..2^31−1, got ${n}.`);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const block = new Uint32Array(Math.min(16384, Math.max(1, n))); // getRandomValues: at most 64 KiB
  let pos = block.length;
  const next = (): number => {
    if (pos === block.length) {
      crypto.getRandomValues(block);
      pos = 0;
    }
    return block[pos++];
  };
  for (let i = n - 1; i > 0; i--) {
    const bound = i + 1;
    const limit = 2 ** 32 - (2 ** 32 % bound); // largest multiple of bound: values at or above it are biased
    let r = next();
    while (r >= limit) r = next();
    const j = r % bound;
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm;
}

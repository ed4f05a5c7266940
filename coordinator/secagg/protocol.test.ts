import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../shared/protocol/errors.js';
import { SeededRandom } from '../../shared/random.js';
import { nodeSecAggCrypto } from '../../shared/node/node-secagg-crypto.js';
import type { SaUnmaskMessage } from '../../shared/protocol/secagg-messages.js';
import { type DriverOptions, type DropStage, driveSecureRound as drive } from '../../simulations/secure-round-driver.js';

// The coordinator side runs node:crypto, the devices WebCrypto (as browsers do): they must agree.
const driveSecureRound = (o: DriverOptions) => drive({ coordinatorCrypto: nodeSecAggCrypto, ...o });

function inputs(n: number, d: number, seed = 1): Float32Array[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: d }, () => (rng.next() - 0.5) * 0.2));
}

const equalWords = (a: Uint32Array, b: Uint32Array) => a.length === b.length && a.every((x, i) => x === b[i]);

describe('SecAgg+ round: the unmasked sum is the survivors\' quantized sum, bit for bit', () => {
  const sparse = { degree: 6, threshold: 4 }; // 12 clients, 6 neighbours each: a real sparse graph

  it('with no dropouts, sparse graph and full graph', async () => {
    for (const secure of [sparse, {}]) {
      const r = await driveSecureRound({ inputs: inputs(12, 50), clipNorm: 1, secure, clipped: Array.from({ length: 12 }, (_, i) => i % 3 === 0) });
      expect(r.survivors).toHaveLength(12);
      expect(equalWords(r.sum, r.expected)).toBe(true);
      expect(r.sum[50]).toBe(4); // the clipped-bit word counts the clients that clipped
    }
  });

  it('on P-256 as on X25519', async () => {
    const r = await driveSecureRound({ inputs: inputs(5, 20), clipNorm: 1, curve: 'p256' });
    expect(equalWords(r.sum, r.expected)).toBe(true);
  });

  const stages: DropStage[] = ['keys', 'shares', 'masked', 'unmask'];
  const full = { degree: 10, threshold: 6 }; // 11 clients, everyone's neighbour: tolerates n − t = 5
  for (const stage of stages) {
    it(`with 1 and with n − t dropouts at the ${stage} stage (full graph), and 2 on a sparse graph`, async () => {
      const cases: [typeof full, number, number][] = [[full, 11, 1], [full, 11, 11 - full.threshold], [sparse, 12, 2]];
      for (const [secure, n, count] of cases) {
        const drops = new Map<number, DropStage>(Array.from({ length: count }, (_, j) => [(j * 5) % n, stage]));
        // Silent before the keys: the graph is drawn over those who advertised (a smaller full graph).
        const r = await driveSecureRound({ inputs: inputs(n, 40, count), clipNorm: 1, secure: stage === 'keys' ? {} : secure, drops });
        expect(equalWords(r.sum, r.expected)).toBe(true);
        expect(r.survivors).toHaveLength(stage === 'unmask' ? n : n - count);
      }
    });
  }

  it('a lying holder at unmasking (a flipped share, a malformed one, one claiming another\'s x) costs nothing but a count', async () => {
    // Full graph of 11, t = 6: every secret has 10 holders; client 3 tampers with all it answers.
    const tamperUnmask = (client: number, m: SaUnmaskMessage): SaUnmaskMessage => {
      if (client !== 3) return m;
      const bad = (share: Uint8Array, k: number) => {
        const out = Uint8Array.from(share);
        if (k % 3 === 0) out[0] ^= 0xff; // wrong value: fails the check tag, other subsets are tried
        else if (k % 3 === 1) return out.subarray(0, 48); // malformed: dropped
        else out[48] = out[48] === 1 ? 2 : 1; // claims some other x-coordinate: dropped if disputed, else fails its check
        return out;
      };
      return { ...m, selfShares: m.selfShares.map((s, k) => ({ ...s, share: bad(s.share, k) })), keyShares: m.keyShares.map((s, k) => ({ ...s, share: bad(s.share, k) })) };
    };
    const r = await driveSecureRound({ inputs: inputs(11, 30), clipNorm: 1, secure: full, drops: new Map([[7, 'masked']]), tamperUnmask });
    expect(equalWords(r.sum, r.expected)).toBe(true);
    expect(r.badShares.dropped).toBeGreaterThan(0);
    expect(r.badShares.retried).toBeGreaterThan(0);
    // Honest holders only: nothing to report.
    const honest = await driveSecureRound({ inputs: inputs(11, 30), clipNorm: 1, secure: full });
    expect(honest.badShares).toEqual({ dropped: 0, retried: 0 });
  });

  it('below the threshold nothing is unmasked: FEDREC_SECAGG_BELOW_THRESHOLD', async () => {
    const drops6 = new Map<number, DropStage>(Array.from({ length: 6 }, (_, j) => [j * 2, 'masked']));
    await expect(driveSecureRound({ inputs: inputs(11, 10), clipNorm: 1, secure: full, drops: drops6 })).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BELOW_THRESHOLD });
    // 5 clients, full graph, t = 3: if 3 stay silent at unmasking, no secret has 3 shares.
    const drops = new Map<number, DropStage>([[0, 'unmask'], [1, 'unmask'], [2, 'unmask']]);
    await expect(driveSecureRound({ inputs: inputs(5, 10), clipNorm: 1, drops })).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BELOW_THRESHOLD });
  });
});

// The device's refusals: what an honest client will not reveal however the coordinator asks, and
// the distributed-DP noise it will not skimp on however the coordinator plans it.

import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../shared/protocol/errors.js';
import type { DistributedDpParams, SaNeighboursMessage } from '../../shared/protocol/secagg-messages.js';
import { planDistributed } from '../../shared/secagg/distributed-dp.js';
import { webCryptoSuite } from '../../shared/secagg/crypto-suite.js';
import type { NoiseFloorInput } from './noise-floor.js';
import { SecureClientRound } from './secure-client-round.js';

/** Four devices that went through keys, shares and relay with each other (full graph, t = 3). */
async function relayedRound() {
  const session = crypto.getRandomValues(new Uint8Array(16));
  const devices = Array.from({ length: 4 }, () => new SecureClientRound(1, { curve: 'x25519', session }, webCryptoSuite));
  const keys = await Promise.all(devices.map((d) => d.keys()));
  const neighbours = (i: number): SaNeighboursMessage => ({
    type: 'sa-neighbours', round: 1, index: i + 1, threshold: 3, scale: 1024,
    neighbours: keys.flatMap((k, j) => (j === i ? [] : [{ index: j + 1, encKey: k.encKey, maskKey: k.maskKey }])),
  });
  const shares = await Promise.all(devices.map((d, i) => d.shares(neighbours(i))));
  for (let i = 0; i < 4; i++) {
    await devices[i].receive({ type: 'sa-relay', round: 1, shares: shares.flatMap((s, j) => (j === i ? [] : [{ from: j + 1, sealed: s.shares.find((x) => x.to === i + 1)!.sealed }])) });
  }
  return { devices, keys };
}

describe('a device answering the unmasking request', () => {
  it('gives the shares asked for: self-mask shares of survivors, mask-key shares of the dropped', async () => {
    const { devices } = await relayedRound();
    const a = devices[0].unmask({ type: 'sa-unmask-request', round: 1, survivors: [1, 2, 3], dropped: [4] });
    expect(a.selfShares.map((s) => s.of)).toEqual([1, 2, 3]);
    expect(a.keyShares.map((s) => s.of)).toEqual([4]);
  });

  it('refuses to reveal both secrets of one client, in one request or across two', async () => {
    const { devices } = await relayedRound();
    expect(() => devices[0].unmask({ type: 'sa-unmask-request', round: 1, survivors: [1, 2, 3], dropped: [3] })).toThrow(expect.objectContaining({ code: ErrorCodes.SECAGG_BOTH_SHARES }));
    devices[1].unmask({ type: 'sa-unmask-request', round: 1, survivors: [1, 2, 3], dropped: [4] });
    expect(() => devices[1].unmask({ type: 'sa-unmask-request', round: 1, survivors: [2, 3, 4], dropped: [] })).toThrow(expect.objectContaining({ code: ErrorCodes.SECAGG_BOTH_SHARES }));
    expect(() => devices[1].unmask({ type: 'sa-unmask-request', round: 1, survivors: [2, 3], dropped: [1] })).toThrow(expect.objectContaining({ code: ErrorCodes.SECAGG_BOTH_SHARES }));
  });

  it('refuses to reveal its own mask key, and requests naming fewer survivors than the threshold', async () => {
    const { devices } = await relayedRound();
    expect(() => devices[2].unmask({ type: 'sa-unmask-request', round: 1, survivors: [1, 2, 4], dropped: [3] })).toThrow(expect.objectContaining({ code: ErrorCodes.SECAGG_BOTH_SHARES }));
    // Two survivors named, t = 3: unmasking them would expose the pairwise masks of too few.
    expect(() => devices[3].unmask({ type: 'sa-unmask-request', round: 1, survivors: [1, 4], dropped: [2, 3] })).toThrow(expect.objectContaining({ code: ErrorCodes.SECAGG_BELOW_THRESHOLD }));
  });

  it('refuses a threshold that is not more than half of the shares', async () => {
    const session = crypto.getRandomValues(new Uint8Array(16));
    const [a, b, c] = Array.from({ length: 3 }, () => new SecureClientRound(1, { curve: 'x25519', session }, webCryptoSuite));
    const [ka, kb, kc] = [await a.keys(), await b.keys(), await c.keys()];
    const m: SaNeighboursMessage = { type: 'sa-neighbours', round: 1, index: 1, threshold: 1, scale: 1024, neighbours: [{ index: 2, ...pick(kb) }, { index: 3, ...pick(kc) }] };
    await expect(a.shares(m)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_REQUEST });
    void ka;
  });

  it('makes fresh keys for every round', async () => {
    const session = crypto.getRandomValues(new Uint8Array(16));
    const k1 = await new SecureClientRound(1, { curve: 'x25519', session }, webCryptoSuite).keys();
    const k2 = await new SecureClientRound(2, { curve: 'x25519', session }, webCryptoSuite).keys();
    expect(Buffer.from(k1.encKey).equals(Buffer.from(k2.encKey))).toBe(false);
    expect(Buffer.from(k1.maskKey).equals(Buffer.from(k2.maskKey))).toBe(false);
    expect(Buffer.from(k1.encKey).equals(Buffer.from(k1.maskKey))).toBe(false);
  });
});

describe('a device asked to add its share of distributed-DP noise', () => {
  // Declared z = 1, C = 1, d = 100; the device has 3 neighbours, so it sees 4 clients.
  const declared: NoiseFloorInput = { noiseMultiplier: 1, clipNorm: 1, length: 100 };
  const plan = (o: { clients?: number; z?: number; p?: number } = {}) => {
    const x = planDistributed({ clipNorm: 1, clients: o.clients ?? 6, length: 100, noiseMultiplier: o.z ?? 1, dropoutRate: o.p ?? 0.05 });
    return { scale: x.scale, dp: { rotationSeed: new Uint8Array(32).fill(7), normBound: x.normBound, noise: x.noisePerClient, clients: o.clients ?? 6, dropoutRate: o.p ?? 0.05 } };
  };

  /** Device 1's sa-neighbours with the given plan, answered by a device that knows `floor`. */
  async function answer(p: { scale: number; dp: DistributedDpParams }, floor: NoiseFloorInput | null = declared) {
    const session = crypto.getRandomValues(new Uint8Array(16));
    const device = new SecureClientRound(1, { curve: 'x25519', session }, webCryptoSuite, floor ?? undefined);
    await device.keys();
    const peers = await Promise.all([2, 3, 4].map(async (index) => ({ index, ...pick(await new SecureClientRound(1, { curve: 'x25519', session }, webCryptoSuite).keys()) })));
    const m: SaNeighboursMessage = { type: 'sa-neighbours', round: 1, index: 1, threshold: 3, scale: p.scale, neighbours: peers, dp: p.dp };
    return { device, shares: () => device.shares(m) };
  }

  it('accepts the plan for the declared z (more noise is fine) and records n, μ_i, z and p', async () => {
    const honest = plan();
    const a = await answer(honest);
    expect((await a.shares()).shares).toHaveLength(3);
    expect(a.device.distributed).toEqual({ clients: 6, noise: honest.dp.noise, noiseMultiplier: 1, dropoutRate: 0.05 });
    const more = plan();
    more.dp.noise *= 1.5;
    await expect((await answer(more)).shares()).resolves.toMatchObject({ type: 'sa-shares' });
  });

  const tooLow = { code: ErrorCodes.SECAGG_NOISE_TOO_LOW, round: 1 };
  const honest = plan();
  it.each<[string, { scale: number; dp: DistributedDpParams }, NoiseFloorInput | null]>([
    ['μ_i halved', { ...honest, dp: { ...honest.dp, noise: honest.dp.noise / 2 } }, declared],
    ['Δ2 doubled (a larger sensitivity for the same noise)', { ...honest, dp: { ...honest.dp, normBound: 2 * honest.dp.normBound } }, declared],
    ['a different scale', { ...honest, scale: honest.scale / 2 }, declared],
    ['n below the k + 1 clients the device sees (the plan for that n)', plan({ clients: 3 }), declared],
    ['a dropout rate of 0.9 (the plan for it)', plan({ p: 0.9 }), declared],
    ['μ_i planned with z = 0.5 while z = 1 was declared', plan({ z: 0.5 }), declared],
    ['any plan, when no z was declared to the device', honest, { ...declared, noiseMultiplier: null }],
    ['any plan, when the device was given nothing to check it against', honest, null],
  ])('refuses %s, before sharing anything', async (_name, p, floor) => {
    const a = await answer(p, floor);
    await expect(a.shares()).rejects.toMatchObject(tooLow);
    expect(a.device.distributed).toBeNull();
  });
});

function pick(k: { encKey: Uint8Array; maskKey: Uint8Array }) {
  return { encKey: k.encKey, maskKey: k.maskKey };
}

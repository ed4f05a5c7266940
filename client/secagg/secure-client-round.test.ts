// The device's refusals: what an honest client will not reveal however the coordinator asks.

import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../shared/protocol/errors.js';
import type { SaNeighboursMessage } from '../../shared/protocol/secagg-messages.js';
import { webCryptoExpander } from '../../shared/secagg/prg.js';
import { SecureClientRound } from './secure-client-round.js';

/** Four devices that went through keys, shares and relay with each other (full graph, t = 3). */
async function relayedRound() {
  const session = crypto.getRandomValues(new Uint8Array(16));
  const devices = Array.from({ length: 4 }, () => new SecureClientRound(1, { curve: 'x25519', session }, webCryptoExpander));
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
    const [a, b, c] = Array.from({ length: 3 }, () => new SecureClientRound(1, { curve: 'x25519', session }, webCryptoExpander));
    const [ka, kb, kc] = [await a.keys(), await b.keys(), await c.keys()];
    const m: SaNeighboursMessage = { type: 'sa-neighbours', round: 1, index: 1, threshold: 1, scale: 1024, neighbours: [{ index: 2, ...pick(kb) }, { index: 3, ...pick(kc) }] };
    await expect(a.shares(m)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_REQUEST });
    void ka;
  });

  it('makes fresh keys for every round', async () => {
    const session = crypto.getRandomValues(new Uint8Array(16));
    const k1 = await new SecureClientRound(1, { curve: 'x25519', session }, webCryptoExpander).keys();
    const k2 = await new SecureClientRound(2, { curve: 'x25519', session }, webCryptoExpander).keys();
    expect(Buffer.from(k1.encKey).equals(Buffer.from(k2.encKey))).toBe(false);
    expect(Buffer.from(k1.maskKey).equals(Buffer.from(k2.maskKey))).toBe(false);
    expect(Buffer.from(k1.encKey).equals(Buffer.from(k1.maskKey))).toBe(false);
  });
});

function pick(k: { encKey: Uint8Array; maskKey: Uint8Array }) {
  return { encKey: k.encKey, maskKey: k.maskKey };
}

// What the coordinator sends when a secure round moves on a stage: each client's neighbourhood,
// the sealed shares it relays unopened, and the unmask requests that ask survivors for exactly
// the shares unmasking needs. Each sets the round's new stage before it sends.

import type { DistributedDpParams } from '../../shared/protocol/secagg-messages.js';
import type { Neighbourhoods } from './neighbourhoods.js';
import type { SecureRound } from './secure-round.js';

/**
 * Stage 1 → 2: numbers the advertisers, draws their neighbourhoods and sends each its neighbours'
 * keys, the round's scale and (distributed DP) what it needs to noise its own input.
 */
export function sendNeighbourhoods(r: SecureRound, graph: Neighbourhoods, scale: number, dp: DistributedDpParams | null): void {
  const ps = r.advertised();
  ps.forEach((p, i) => {
    p.index = graph.indexOf[i];
    r.byIndex.set(p.index, p);
  });
  for (const p of ps) p.neighbours = graph.neighbours.get(p.index)!;
  r.stage = 'shares';
  for (const p of ps) {
    if (p.gone) continue;
    const neighbours = p.neighbours.map((i) => {
      const q = r.byIndex.get(i)!;
      return { index: i, encKey: q.encKey, maskKey: q.maskKey };
    });
    r.spec.send(p.clientId, { type: 'sa-neighbours', round: r.spec.round, index: p.index, threshold: graph.threshold, scale, neighbours, ...(dp ? { dp } : {}) });
  }
}

/** Stage 2 → 3: gives each sharer the bundles its neighbours sealed for it. */
export function sendRelays(r: SecureRound): void {
  r.stage = 'masked';
  for (const v of r.shared()) {
    if (v.gone) continue;
    const shares: { from: number; sealed: Uint8Array }[] = [];
    for (const i of v.neighbours) {
      const sealed = r.byIndex.get(i)!.sealed?.get(v.index);
      if (sealed) shares.push({ from: i, sealed });
    }
    r.spec.send(v.clientId, { type: 'sa-relay', round: r.spec.round, shares });
  }
}

/**
 * Stage 3 → 4: asks every survivor for the self-mask shares of its surviving neighbours (and its
 * own) and the mask-key shares of its neighbours that shared keys but sent no input.
 */
export function sendUnmaskRequests(r: SecureRound): void {
  r.stage = 'unmask';
  for (const v of r.survivors()) {
    const survivors = new Set<number>([v.index]);
    const dropped = new Set<number>();
    for (const i of v.neighbours) {
      const u = r.byIndex.get(i)!;
      if (u.masked) survivors.add(i);
      else if (u.sealed) dropped.add(i); // it shared with v, so v holds its shares and masked with it
    }
    v.asked = { survivors, dropped };
    if (!v.gone) r.spec.send(v.clientId, { type: 'sa-unmask-request', round: r.spec.round, survivors: [...survivors], dropped: [...dropped] });
  }
}

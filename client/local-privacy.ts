// The device's own ε for what it released under local DP: each noised update is a Gaussian mechanism
// with sensitivity 2C and noise stddev σ, i.e. noise multiplier σ/(2C) with no subsampling (q = 1);
// RDP composes over the updates in the ledger and converts to (ε, δ) like the coordinator's.

import { RdpAccountant } from '../shared/privacy/rdp.js';
import type { LedgerEntry } from './store.js';

/** ε at δ over the ledger; Infinity if any update left without local noise, 0 if none left. */
export function localEpsilon(ledger: readonly LedgerEntry[], delta: number): number {
  if (ledger.length === 0) return 0;
  const acc = new RdpAccountant();
  for (const e of ledger) {
    if (!(e.localNoiseStddev > 0)) return Infinity;
    acc.compose({ q: 1, sigma: e.localNoiseStddev / (2 * e.clipNorm), steps: 1 });
  }
  return acc.epsilon(delta);
}

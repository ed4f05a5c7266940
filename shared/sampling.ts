// Poisson client selection that both sides can compute: for round seed s (fresh CSPRNG bytes,
// revealed when the round opens), client c takes part iff H(s, c) < q. With H a random oracle each
// client is in independently with probability q: exactly the sampling the RDP accountant assumes.
// The coordinator enforces it; a fleet of check-in clients uses it to avoid connecting when not picked.

import { sha256 } from './sha256.js';

const encoder = new TextEncoder();

/** Uniform in [0, 1) from the first 52 bits of SHA-256(seed ":" clientId). */
export function selectionScore(seedHex: string, clientId: string): number {
  const d = sha256(encoder.encode(`${seedHex}:${clientId}`));
  const hi = ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0;
  const lo = ((d[4] << 12) | (d[5] << 4) | (d[6] >>> 4)) >>> 0;
  return (hi * 2 ** 20 + lo) / 2 ** 52;
}

export function isSelected(seedHex: string, clientId: string, rate: number): boolean {
  return rate >= 1 || selectionScore(seedHex, clientId) < rate;
}

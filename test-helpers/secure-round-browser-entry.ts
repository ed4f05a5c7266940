// Bundled for the browser by client/browser-bundle.test.ts: one whole SecAgg+ round (devices and
// coordinator) on WebCrypto alone, with a dropout, checked against the plain sum.

import { driveSecureRound } from '../simulations/secure-round-driver.js';

export async function secureRoundSelfTest(): Promise<{ equal: boolean; survivors: number }> {
  const inputs = Array.from({ length: 6 }, (_, i) => Float32Array.from({ length: 64 }, (_, j) => Math.sin(i * 64 + j) * 0.1));
  const r = await driveSecureRound({ inputs, clipNorm: 1, drops: new Map([[2, 'masked']]) });
  return { equal: r.sum.every((w, i) => w === r.expected[i]), survivors: r.survivors.length };
}

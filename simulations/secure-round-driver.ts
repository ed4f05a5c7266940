// Drives one SecAgg+ round in memory (tests and the W5 benchmark): real SecureClientRound devices and a real coordinator
// SecureRound + unmask, messages passed by hand, with chosen clients dropping at chosen stages.
// What the coordinator receives is recorded, as a curious coordinator would keep it.

import { SecureClientRound } from '../client/secagg/secure-client-round.js';
import { defaultCoordinatorConfig, type SecureAggregationConfig } from '../coordinator/config.js';
import { drawNeighbourhoods } from '../coordinator/secagg/neighbourhoods.js';
import { SecureRound } from '../coordinator/secagg/secure-round.js';
import { type UnmaskResult, unmask } from '../coordinator/secagg/unmask.js';
import type { Curve, SaNeighboursMessage, SaRelayMessage, SaUnmaskMessage, SaUnmaskRequestMessage } from '../shared/protocol/secagg-messages.js';
import { type SecAggCrypto, webCryptoSuite } from '../shared/secagg/crypto-suite.js';
import { addInto } from '../shared/secagg/prg.js';
import { quantizationScale, quantizeInto } from '../shared/secagg/quantize.js';
import { SeededRandom } from '../shared/random.js';

export type DropStage = 'keys' | 'shares' | 'masked' | 'unmask';

export interface DriverOptions {
  inputs: Float32Array[];
  clipped?: boolean[];
  clipNorm: number;
  curve?: Curve;
  secure?: Partial<SecureAggregationConfig>;
  /** Client index → the stage at which it goes silent (it never sends that stage's message). */
  drops?: Map<number, DropStage>;
  round?: number;
  /** The coordinator's cryptography (node:crypto in Node tests; WebCrypto, the default, in a browser bundle). */
  coordinatorCrypto?: SecAggCrypto;
  /** The clients' (WebCrypto by default, as in a browser). */
  clientCrypto?: SecAggCrypto;
  /** Rewrites a client's unmask answer before the coordinator sees it (a lying or broken holder). */
  tamperUnmask?: (client: number, m: SaUnmaskMessage) => SaUnmaskMessage;
}

export interface DriverResult {
  sum: Uint32Array;
  /** Σ of the survivors' quantized inputs (+ clipped bits), computed independently. */
  expected: Uint32Array;
  survivors: number[];
  threshold: number;
  degree: number;
  scale: number;
  /** Every message the coordinator received, by client. */
  received: Map<number, object[]>;
  /** Time the coordinator spent removing the masks (reconstructing seeds and keys included). */
  unmaskMs: number;
  badShares: UnmaskResult['badShares'];
}

export async function driveSecureRound(o: DriverOptions): Promise<DriverResult> {
  const n = o.inputs.length;
  const d = o.inputs[0].length;
  const round = o.round ?? 1;
  const curve = o.curve ?? 'x25519';
  const session = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const drops = o.drops ?? new Map<number, DropStage>();
  const inbox = new Map<string, object[]>();
  const received = new Map<number, object[]>();
  const coordinator = new SecureRound({ round, modelVersion: 0, words: d + 1, curve, send: (id, m) => (inbox.get(id)!.push(m), true), checkKey: o.coordinatorCrypto?.checkPublicKey });
  const clients = o.inputs.map(() => new SecureClientRound(round, { curve, session }, o.clientCrypto ?? webCryptoSuite));
  const id = (i: number) => `c${i}`;
  const record = (i: number, m: object) => received.get(i)!.push(m);
  for (let i = 0; i < n; i++) {
    inbox.set(id(i), []);
    received.set(i, []);
  }
  const take = <T>(i: number, type: string): T => inbox.get(id(i))!.find((m) => (m as { type: string }).type === type) as T;

  for (let i = 0; i < n; i++) {
    if (drops.get(i) === 'keys') continue;
    const m = await clients[i].keys();
    record(i, m);
    coordinator.onKeys(id(i), m);
  }
  const advertisers = [...coordinator.byClient.keys()].length;
  const cfg = { ...defaultCoordinatorConfig().secureAggregation, ...o.secure };
  const graph = drawNeighbourhoods(advertisers, cfg);
  const scale = quantizationScale(o.clipNorm, advertisers);
  coordinator.assignNeighbourhoods(graph, scale);
  for (let i = 0; i < n; i++) {
    const nb = take<SaNeighboursMessage>(i, 'sa-neighbours');
    if (!nb || drops.get(i) === 'shares') continue;
    const m = await clients[i].shares(nb);
    record(i, m);
    coordinator.onShares(id(i), m);
  }
  coordinator.relayShares();
  const quantized: (Uint32Array | null)[] = new Array(n).fill(null);
  for (let i = 0; i < n; i++) {
    const relay = take<SaRelayMessage>(i, 'sa-relay');
    if (!relay) continue;
    await clients[i].receive(relay);
    if (drops.get(i) === 'masked') continue;
    const m = await clients[i].maskedInput({ delta: o.inputs[i], clipped: o.clipped?.[i] ?? false }, 0, rounding(i));
    // The same rounding draws, without masks: what the survivor's input is.
    const q = new Uint32Array(d + 1);
    quantizeInto(o.inputs[i], scale, q, rounding(i));
    q[d] = o.clipped?.[i] ? 1 : 0;
    quantized[i] = q;
    record(i, m);
    coordinator.onMasked(id(i), m);
  }
  coordinator.requestShares();
  for (let i = 0; i < n; i++) {
    const req = take<SaUnmaskRequestMessage>(i, 'sa-unmask-request');
    if (!req || drops.get(i) === 'unmask') continue;
    const answer = clients[i].unmask(req);
    const m = o.tamperUnmask ? o.tamperUnmask(i, answer) : answer;
    record(i, m);
    coordinator.onUnmask(id(i), m);
  }
  coordinator.close();
  const started = performance.now();
  const u = await unmask(coordinator, { threshold: graph.threshold, curve, session, crypto: o.coordinatorCrypto ?? webCryptoSuite });
  const unmaskMs = performance.now() - started;
  const expected = new Uint32Array(d + 1);
  const survivors: number[] = [];
  quantized.forEach((q, i) => {
    if (q) {
      addInto(expected, q);
      survivors.push(i);
    }
  });
  return { sum: u.sum, expected, survivors, threshold: graph.threshold, degree: graph.degree, scale, received, unmaskMs, badShares: u.badShares };
}

function rounding(i: number): () => number {
  const rng = new SeededRandom(`rounding:${i}`);
  return () => rng.next();
}

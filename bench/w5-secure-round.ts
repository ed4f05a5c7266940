// W5 secureRound: what secure aggregation costs, measured side by side in one run.
//   - one training round of all 671 users of ml-latest-small, plaintext and secure (runSimulation:
//     a real coordinator and one real FedrecClient per user), alternating, medians: seconds,
//     secureSeconds, ratio; where the secure round's time went (its stage times); and the CPU
//     seconds the process spent on each round (cpuSeconds, secureCpuSeconds), all threads;
//   - one client's work at 299,178 parameters with the default neighbourhood for 671 clients:
//     train + clip + encode (plain) against train + clip + keys + shares + opening the relay +
//     quantize + masks (secure), Node's AES-CTR (the masks summed in a worker thread) and WebCrypto's;
//   - the coordinator's unmasking with 10 % of clients silent after sharing (an in-memory round of
//     671 clients at full size), and the bytes each client sends in either mode.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SecureClientRound } from '../client/secagg/secure-client-round.js';
import { prepareUpdate } from '../client/tasks.js';
import { clipUpdate } from '../client/middleware/clip.js';
import { forEachRange } from '../client/middleware/types.js';
import type { RoundSummary } from '../coordinator/round-engine.js';
import { defaultCoordinatorConfig } from '../coordinator/config.js';
import { initModel } from '../shared/model/mf-model.js';
import { nodeSecAggCrypto } from '../shared/node/node-secagg-crypto.js';
import { silentNodeLogger } from '../shared/node/logger.js';
import { encodeMessage } from '../shared/protocol/codec.js';
import { float32ToBytes } from '../shared/protocol/binary.js';
import type { OfferMessage } from '../shared/protocol/messages.js';
import type { SaNeighboursMessage } from '../shared/protocol/secagg-messages.js';
import { chooseNeighbourhood } from '../shared/secagg/graph.js';
import { type SecAggCrypto, webCryptoSuite } from '../shared/secagg/crypto-suite.js';
import { quantizationScale } from '../shared/secagg/quantize.js';
import { SeededRandom } from '../shared/random.js';
import { runSimulation, simulationDefaults } from '../simulations/simulate.js';
import { type DropStage, driveSecureRound } from '../simulations/secure-round-driver.js';
import { median, progress, repoRoot, round, threadCpuSeconds } from './util.js';
import { applyMasks } from '../shared/secagg/mask-sum.js';

const USERS = 671;
const ITEMS = 9066;
const DIM = 32;

export async function runW5(o: { trials: number }): Promise<Record<string, unknown>> {
  const data = join(repoRoot(), '..', 'shared', 'data', 'ml-latest-small', 'ratings.csv');
  const client = await clientCost();
  progress('w5', `one client: plain ${client.clientMsPlain} ms, secure ${client.clientMsSecure} ms (WebCrypto masks ${client.clientMsSecureWebCrypto} ms), ${client.neighbours} neighbours`);
  const unmasking = await unmaskCost();
  progress('w5', `unmasking ${USERS} clients with ${unmasking.droppedAfterSharing} silent after sharing: ${unmasking.unmaskMs} ms`);
  let rounds: Record<string, unknown> = { skipped: `${data} not found` };
  if (existsSync(data)) {
    const plain: number[] = [];
    const secure: number[] = [];
    // CPU seconds of this process (coordinator, client workers, their helper threads) from the phase's
    // opening to the round's end: on shared cores the round is CPU-bound, so this is what it costs.
    const cpu = { plaintext: [] as number[], secure: [] as number[] };
    // The coordinator's event-loop thread alone (the clients run in worker threads): what a deployed
    // coordinator pays, where each client's crypto runs on its own device.
    const coordinatorCpu = { plaintext: [] as number[], secure: [] as number[] };
    let stages: RoundSummary['secure'] = null;
    for (let t = 0; t < o.trials; t++) {
      for (const mode of t % 2 === 0 ? (['plaintext', 'secure'] as const) : (['secure', 'plaintext'] as const)) {
        let opened = process.cpuUsage();
        let openedThread = threadCpuSeconds();
        const r = await runSimulation({ ...simulationDefaults, data: `movielens:${data}`, rounds: 1, clientsPerRound: USERS, samplingRate: null, evalEvery: 0, stateDir: null, aggregation: mode }, silentNodeLogger(), silentNodeLogger(), silentNodeLogger(), {
          onCoordinator: (c) => {
            c.engine.on('phase-open', () => {
              opened = process.cpuUsage();
              openedThread = threadCpuSeconds();
            });
            c.engine.on('round', (s: RoundSummary) => {
              const used = process.cpuUsage(opened);
              cpu[mode].push(round((used.user + used.system) / 1e6, 2));
              const thread = threadCpuSeconds();
              if (thread !== null && openedThread !== null) coordinatorCpu[mode].push(round(thread - openedThread, 2));
              if (mode === 'secure') stages = s.secure;
            });
          },
        });
        const s = r.rounds[0];
        if (!s?.committed) throw new Error(`the ${mode} round did not commit`);
        (mode === 'secure' ? secure : plain).push(s.seconds);
        progress('w5', `trial ${t + 1}/${o.trials} ${mode}: ${s.seconds.toFixed(2)} s (${cpu[mode].at(-1)} CPU-s)`);
      }
    }
    rounds = {
      seconds: round(median(plain), 3),
      secureSeconds: round(median(secure), 3),
      ratio: round(median(secure) / median(plain), 3),
      cpuSeconds: round(median(cpu.plaintext), 2),
      secureCpuSeconds: round(median(cpu.secure), 2),
      coordinatorCpuSeconds: coordinatorCpu.plaintext.length ? round(median(coordinatorCpu.plaintext), 2) : null,
      coordinatorSecureCpuSeconds: coordinatorCpu.secure.length ? round(median(coordinatorCpu.secure), 2) : null,
      // What the masks alone add when all clients share these cores: (plain CPU + USERS × one client's
      // mask CPU) / plain CPU, a lower bound on the ratio here whatever the rest costs.
      keystreamFloorRatio: round((median(cpu.plaintext) + (USERS * client.clientMsMasks) / 1000) / median(cpu.plaintext), 2),
      trials: { plaintext: plain, secure, cpuPlaintext: cpu.plaintext, cpuSecure: cpu.secure, coordinatorCpuPlaintext: coordinatorCpu.plaintext, coordinatorCpuSecure: coordinatorCpu.secure },
      lastSecureRound: stages,
    };
  }
  const out = {
    users: USERS,
    parameters: ITEMS * DIM + ITEMS,
    ...rounds,
    ...client,
    ...unmasking,
    target: 'ratio ≤ 3; bytesSecure ≤ 1.1 × bytesPlain + key traffic',
    met: {
      ratio: typeof rounds.ratio === 'number' ? rounds.ratio <= 3 : null,
      bytes: client.bytesSecure <= 1.1 * client.bytesPlain + client.keyTrafficBytes,
    },
  };
  console.log(`W5 secureRound: round ${rounds.seconds ?? '?'} s plaintext vs ${rounds.secureSeconds ?? '?'} s secure → ratio ${rounds.ratio ?? '?'} (target ≤ 3); client ${client.clientMsPlain} → ${client.clientMsSecure} ms; unmask ${unmasking.unmaskMs} ms; bytes ${client.bytesPlain} → ${client.bytesSecure}`);
  return out;
}

/** One client's work in both modes, at full size, with the neighbourhood 671 clients get by default. */
async function clientCost() {
  const model = initModel({ items: ITEMS, dim: DIM }, 1, 0.1);
  const rng = new SeededRandom('w5');
  const positives = Int32Array.from({ length: 100 }, () => rng.int(ITEMS));
  const data = { positives, exclude: new Set(positives), evaluation: null, ignored: 0 } as never;
  const config = { ...defaultCoordinatorConfig().round };
  const offer = { type: 'offer', round: 1, task: 'train', modelVersion: 0, shape: { items: ITEMS, dim: DIM }, catalogueVersion: 'x', params: float32ToBytes(model.params), config, deadlineMs: 1 } as OfferMessage;
  const options = { middleware: [clipUpdate], maxPayloadBytes: Infinity, compression: 'f32' as const };
  const { degree, threshold } = chooseNeighbourhood(USERS);
  const plainRun = async () => {
    const t = performance.now();
    const p = await prepareUpdate(offer, model, new Float32Array(DIM).fill(0.1), data, new SeededRandom(1), options);
    return { ms: performance.now() - t, bytes: encodeMessage(p.frame).byteLength };
  };
  const secureRun = async (suite: SecAggCrypto) => {
    const session = crypto.getRandomValues(new Uint8Array(16));
    const secure = { curve: 'x25519' as const, session };
    const peers = Array.from({ length: degree }, () => new SecureClientRound(1, secure, suite));
    const peerKeys = await Promise.all(peers.map((p) => p.keys()));
    const t0 = performance.now();
    const me = new SecureClientRound(1, secure, suite);
    const keys = await me.keys();
    const p = await prepareUpdate(offer, model, new Float32Array(DIM).fill(0.1), data, new SeededRandom(1), options);
    const neighbours: SaNeighboursMessage = { type: 'sa-neighbours', round: 1, index: 1, threshold, scale: quantizationScale(config.clipNorm, USERS), neighbours: peerKeys.map((k, i) => ({ index: i + 2, encKey: k.encKey, maskKey: k.maskKey })) };
    const shares = await me.shares(neighbours);
    const t1 = performance.now();
    // The neighbours' bundles for this client (their own work is not counted).
    const relay = await Promise.all(peers.map(async (peer, i) => {
      const m = await peer.shares({ type: 'sa-neighbours', round: 1, index: i + 2, threshold: 2, scale: neighbours.scale, neighbours: [{ index: 1, encKey: keys.encKey, maskKey: keys.maskKey }] });
      return { from: i + 2, sealed: m.shares[0].sealed };
    }));
    const t2 = performance.now();
    await me.receive({ type: 'sa-relay', round: 1, shares: relay });
    // As the client does: quantization reads only the rows the update can touch.
    const u = p.update;
    const masked = await me.maskedInput({ delta: u.delta, clipped: u.clipped, ranges: (fn) => forEachRange(u, fn) }, 0, () => rng.next());
    const unmask = me.unmask({ type: 'sa-unmask-request', round: 1, survivors: [1, ...relay.map((r) => r.from)], dropped: [] });
    const ms = t1 - t0 + (performance.now() - t2);
    const keyTraffic = [keys, shares, unmask].reduce((n, m) => n + encodeMessage(m).byteLength, 0);
    return { ms, bytes: keyTraffic + encodeMessage(masked).byteLength, keyTraffic };
  };
  // One client's k + 1 masks alone (Node route: keystream pieces summed in the worker thread), CPU of
  // all threads of this process while nothing else runs in it.
  const maskCpu: number[] = [];
  const acc = new Uint32Array(ITEMS * DIM + ITEMS + 1);
  const terms = Array.from({ length: degree + 1 }, (_, j) => ({ key: crypto.getRandomValues(new Uint8Array(32)), sign: (j % 2 ? -1 : 1) as 1 | -1 }));
  for (let i = 0; i < 12; i++) {
    const c0 = process.cpuUsage();
    await applyMasks(acc, terms, nodeSecAggCrypto.expander);
    const c = process.cpuUsage(c0);
    if (i >= 2) maskCpu.push((c.user + c.system) / 1000);
  }
  const plain: number[] = [];
  const node: number[] = [];
  const web: number[] = [];
  let bytesPlain = 0;
  let bytesSecure = 0;
  let keyTrafficBytes = 0;
  for (let i = 0; i < 12; i++) {
    const a = await plainRun();
    const b = await secureRun(nodeSecAggCrypto);
    const c = await secureRun(webCryptoSuite);
    if (i < 2) continue; // warm-up
    plain.push(a.ms);
    node.push(b.ms);
    web.push(c.ms);
    bytesPlain = a.bytes;
    bytesSecure = b.bytes;
    keyTrafficBytes = b.keyTraffic;
  }
  return {
    neighbours: degree,
    threshold,
    clientMsPlain: round(median(plain), 2),
    clientMsSecure: round(median(node), 2),
    clientMsSecureWebCrypto: round(median(web), 2),
    clientMsMasks: round(median(maskCpu), 2),
    bytesPlain,
    bytesSecure,
    keyTrafficBytes,
  };
}

/** The coordinator's unmasking for 671 clients at full size, 10 % silent after sharing their keys. */
async function unmaskCost() {
  const d = ITEMS * DIM + ITEMS;
  const rng = new SeededRandom('w5-unmask');
  const inputs = Array.from({ length: USERS }, () => {
    const x = new Float32Array(d);
    for (let j = 0; j < 5_000; j++) x[rng.int(d)] = (rng.next() - 0.5) * 0.1;
    return x;
  });
  const dropped = Math.round(USERS * 0.1);
  const drops = new Map<number, DropStage>(Array.from({ length: dropped }, (_, j) => [Math.floor((j * USERS) / dropped), 'masked']));
  const r = await driveSecureRound({ inputs, clipNorm: 10, drops, coordinatorCrypto: nodeSecAggCrypto });
  if (!r.sum.every((w, i) => w === r.expected[i])) throw new Error('W5: the unmasked sum differs from the survivors\' sum');
  return { unmaskMs: round(r.unmaskMs, 1), droppedAfterSharing: dropped, unmaskNeighbours: r.degree };
}

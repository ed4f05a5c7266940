// W2 ingest: how many full dense updates per second a running coordinator accepts through the real
// protocol (decode → validate → guard/clip → Float64 sum, and an ack back), sent over loopback by raw
// ws clients living in OTHER processes; against a bare `ws` WebSocketServer in the same process
// position that receives the same frames from the same senders and drops them (it answers each with
// a tiny frame, as the coordinator's ack, so both see the same flow control). Trials alternate
// coordinator / bare; medians reported. A separate trial (forced GC at each checkpoint) measures
// the coordinator's memory after 0, 100 and 400 accepted updates. When the ratio is under target,
// one more coordinator trial runs under the V8 CPU profiler and the hottest functions are reported.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { parameterCount } from '../shared/model/mf-model.js';
import { encodeMessage } from '../shared/protocol/codec.js';
import { countTakenIn, DIM, go, type IntakeTrial, ITEMS, SENDERS, startIntakeCoordinator, sumErrors, withSenders } from './w2-common.js';
import { profilePair, startProfiler, W2_WATCH } from './profile.js';
import { Child, forceGc, type MemorySample, memorySample, median, progress, round, siblingScript } from './util.js';
import type { SenderIn, SenderOut } from './w2-sender.js';

const spawnSender = () => new Child<SenderIn, SenderOut>(siblingScript('w2-sender'));

export interface W2Options {
  trials: number;
  /** Updates per trial (= connections, one update each: a client reports once per round). */
  updates?: number;
  /** Uploads in flight per sender process. */
  inFlight?: number;
}

type Trial = IntakeTrial;

async function coordinatorTrial(updates: number, inFlight: number, hooks: { memoryAt?: number[]; profile?: boolean } = {}) {
  const { coordinator, roundDone } = await startIntakeCoordinator(updates, 'plaintext');
  let t0 = 0;
  let tLast = 0;
  let accepted = 0;
  const memory: Record<string, MemorySample> = {};
  const memoryAt = new Set(hooks.memoryAt ?? []);
  countTakenIn(coordinator.engine, 'onUpdate', () => true, (n) => {
    accepted = n;
    tLast = performance.now();
    if (memoryAt.has(n)) {
      forceGc();
      memory[String(n)] = memorySample();
    }
  });
  const ids = Array.from({ length: updates }, (_, i) => `bench-${i}`);
  let profile: unknown = null;
  try {
    const r = await withSenders(spawnSender, coordinator.url, 'fedrec', ids, 180_000, async (senders, ready) => {
      const offered = ready.reduce((a, r) => a + r.offered, 0);
      if (offered !== updates) throw new Error(`only ${offered} of ${updates} connections were offered the round`);
      if (memoryAt.size) {
        forceGc();
        memory['0'] = memorySample();
      }
      const stop = hooks.profile ? await startProfiler() : null;
      t0 = performance.now();
      const done = await go(senders, inFlight);
      if (stop) profile = await stop();
      return { done, frameBytes: ready[0].frameBytes };
    });
    const summary = await Promise.race([roundDone, new Promise<null>((res) => setTimeout(() => res(null), 30_000).unref())]);
    const seconds = (tLast - t0) / 1000;
    const { errors, errorCodes } = sumErrors(r.done);
    const trial: Trial = { updates: accepted, seconds: round(seconds, 3), updatesPerSecond: round(accepted / seconds, 1), errors, errorCodes };
    return { trial, memory, frameBytes: r.frameBytes, committed: summary?.committed ?? false, reported: summary?.reported ?? null, profile };
  } finally {
    await coordinator.close();
  }
}

async function bareTrial(updates: number, inFlight: number, maxPayload: number, hooks: { profile?: (p: unknown) => void } = {}): Promise<Trial> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, maxPayload, perMessageDeflate: false });
  const answer = encodeMessage({ type: 'ack', round: 1 });
  let received = 0;
  let tLast = 0;
  wss.on('connection', (ws) => {
    ws.on('message', () => {
      received++;
      tLast = performance.now();
      ws.send(answer, { binary: true });
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  try {
    const ids = Array.from({ length: updates }, (_, i) => `bench-${i}`);
    return await withSenders(spawnSender, url, 'bare', ids, 180_000, async (senders) => {
      const stop = hooks.profile ? await startProfiler() : null;
      const t0 = performance.now();
      const done = await go(senders, inFlight);
      if (stop) hooks.profile!(await stop());
      const seconds = (tLast - t0) / 1000;
      const { errors, errorCodes } = sumErrors(done);
      return { updates: received, seconds: round(seconds, 3), updatesPerSecond: round(received / seconds, 1), errors, errorCodes };
    });
  } finally {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    await new Promise<void>((r) => http.close(() => r()));
  }
}

export async function runW2(o: W2Options): Promise<Record<string, unknown>> {
  const updates = o.updates ?? 400;
  const trials = Math.max(5, o.trials);
  const inFlight = o.inFlight ?? 8;
  const params = parameterCount({ items: ITEMS, dim: DIM });
  const updateBytes = params * 4;
  const coord: Trial[] = [];
  const bare: Trial[] = [];
  let frameBytes = 0;
  let committed = true;
  for (let t = 0; t < trials; t++) {
    // Alternate which side goes first so that drift in the machine's load hits both.
    const order = t % 2 === 0 ? (['coordinator', 'bare'] as const) : (['bare', 'coordinator'] as const);
    for (const side of order) {
      if (side === 'coordinator') {
        const r = await coordinatorTrial(updates, inFlight);
        frameBytes = r.frameBytes;
        committed &&= r.committed && r.reported === updates;
        coord.push(r.trial);
        progress('w2', `trial ${t + 1}/${trials} coordinator: ${r.trial.updates} updates in ${r.trial.seconds} s = ${r.trial.updatesPerSecond}/s (errors ${r.trial.errors}, round committed ${r.committed}, reported ${r.reported})`);
      } else {
        const r = await bareTrial(updates, inFlight, updateBytes + 64 * 1024);
        bare.push(r);
        progress('w2', `trial ${t + 1}/${trials} bare ws:     ${r.updates} frames in ${r.seconds} s = ${r.updatesPerSecond}/s`);
      }
    }
  }
  progress('w2', 'memory trial: forced GC and a sample after 0, 100 and 400 accepted updates');
  const mem = await coordinatorTrial(Math.max(400, updates), inFlight, { memoryAt: [100, 400] });
  const m0 = mem.memory['0'], m100 = mem.memory['100'], m400 = mem.memory['400'];
  // Each update is 1.2 MB: keeping even 5% of 300 of them would add ~18 MB of live memory.
  const live = (m: MemorySample) => m.heapUsedMiB + m.arrayBuffersMiB;
  const liveGrowth = live(m400) - live(m100);
  const rssGrowth = m400.rssMiB - m100.rssMiB;
  const memoryFlat = liveGrowth < (0.05 * 300 * updateBytes) / (1024 * 1024) && rssGrowth < 64;

  const updatesPerSecond = median(coord.map((t) => t.updatesPerSecond));
  const bareUpdatesPerSecond = median(bare.map((t) => t.updatesPerSecond));
  const ratio = updatesPerSecond / bareUpdatesPerSecond;
  // Each trial's coordinator rate over the bare rate measured right beside it: robust to drift in the machine's load.
  const pairedRatios = coord.map((c, k) => round(c.updatesPerSecond / bare[k].updatesPerSecond, 3));

  let profile: unknown = null;
  if (ratio < 0.7) {
    progress('w2', `ratio ${ratio.toFixed(2)} < 0.7: one more coordinator trial under the CPU profiler`);
    profile = await profilePair('w2', () => coordinatorTrial(updates, inFlight, { profile: true }), (onProfile) => bareTrial(updates, inFlight, updateBytes + 64 * 1024, { profile: onProfile }), W2_WATCH, {
      coordinator: 'accepted update',
      bare: 'received update frame',
    });
  }

  const out = {
    updates,
    inFlight: inFlight * SENDERS,
    senders: `${SENDERS} child processes × ${updates / SENDERS} ws connections`,
    updateBytes,
    frameBytes,
    updatesPerSecond: round(updatesPerSecond, 1),
    bareUpdatesPerSecond: round(bareUpdatesPerSecond, 1),
    ratio: round(ratio, 3),
    pairedRatios,
    pairedRatioMedian: round(median(pairedRatios), 3),
    target: 'ratio ≥ 0.7',
    met: ratio >= 0.7,
    megabytesPerSecond: round((updatesPerSecond * frameBytes) / 1e6, 1),
    bareMegabytesPerSecond: round((bareUpdatesPerSecond * frameBytes) / 1e6, 1),
    roundsCommitted: committed,
    trials: { coordinator: coord, bare },
    memory: { after0: m0, after100: m100, after400: m400, liveGrowthMiB100to400: round(liveGrowth, 1), rssGrowthMiB100to400: round(rssGrowth, 1) },
    memoryFlat,
    profile,
  };
  console.log(
    `W2 ingest: coordinator ${out.updatesPerSecond} updates/s vs bare ws ${out.bareUpdatesPerSecond}/s → ratio ${out.ratio} (target ≥ 0.7, ${out.met ? 'met' : 'NOT met'}); ` +
      `${(updateBytes / 1e6).toFixed(3)} MB each; memory after 100 → 400 updates: RSS ${m100.rssMiB} → ${m400.rssMiB} MiB, heap+buffers ${round(live(m100), 1)} → ${round(live(m400), 1)} MiB (flat: ${memoryFlat})`,
  );
  return out;
}

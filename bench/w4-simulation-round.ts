// W4 simulationRound: one full training round (no evaluation) of all 671 users of ml-latest-small
// with runSimulation — a real coordinator plus one real FedrecClient per user in worker threads —
// with workers = availableParallelism() and with workers = 1, alternating, medians reported. The
// round's seconds come from the coordinator's round summary (population loading and registration
// of every user are not in it). The bound is what the clients' own work would take if perfectly
// spread over the cores, with a 2× allowance: 2 × users × W1.msProject / cores.

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { silentNodeLogger } from '../shared/node/logger.js';
import { performance } from 'node:perf_hooks';
import type { RoundSummary } from '../coordinator/round-engine.js';
import { runSimulation, simulationDefaults } from '../simulations/simulate.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { startProfiler, summarizeProfile, W4_WATCH } from './profile.js';
import { availableCores, median, progress, repoRoot, round } from './util.js';

export interface W4Options {
  trials: number;
  msProject: number | null;
}

export async function runW4(o: W4Options): Promise<Record<string, unknown>> {
  const data = join(repoRoot(), '..', 'shared', 'data', 'ml-latest-small', 'ratings.csv');
  if (!existsSync(data)) {
    progress('w4', `${data} not found: skipping W4`);
    console.log(`W4 simulationRound: skipped (${data} not found)`);
    return { skipped: `${data} not found` };
  }
  const cores = availableParallelism();
  const once = async (workers: number, profile = false, fleet: 'persistent' | 'checkin' = 'persistent') => {
    const t = Date.now();
    // Over the train phase only: how busy the coordinator's thread (this one) was, and how many
    // cores the whole process (coordinator + client worker threads) kept busy on average.
    let usage: { coordinatorEventLoopUtilization: number; processCores: number } | null = null;
    let stopProfiler: Promise<() => Promise<unknown>> | null = null;
    let profiled: Promise<unknown> | null = null;
    const r = await runSimulation(
      // Plaintext, as W4 has always measured it: W5 puts secure and plaintext rounds side by side.
      { ...simulationDefaults, data: `movielens:${data}`, rounds: 1, clientsPerRound: 671, samplingRate: null, evalEvery: 0, workers, stateDir: null, fleet, aggregation: 'plaintext' },
      silentNodeLogger(),
      silentNodeLogger(),
      silentNodeLogger(),
      {
        onCoordinator: (c) => {
          let elu0 = performance.eventLoopUtilization();
          let cpu0 = process.cpuUsage();
          let t0 = performance.now();
          c.engine.on('phase-open', (e: { task: string }) => {
            if (e.task !== 'train') return;
            elu0 = performance.eventLoopUtilization();
            cpu0 = process.cpuUsage();
            t0 = performance.now();
            if (profile) stopProfiler = startProfiler(500);
          });
          c.engine.on('round', (_s: RoundSummary) => {
            const cpu = process.cpuUsage(cpu0);
            usage = {
              coordinatorEventLoopUtilization: round(performance.eventLoopUtilization(elu0).utilization, 3),
              processCores: round((cpu.user + cpu.system) / 1000 / (performance.now() - t0), 2),
            };
            if (stopProfiler) profiled = stopProfiler.then((stop) => stop());
          });
        },
      },
    );
    const round1 = r.rounds[0];
    if (!round1) throw new Error('the simulation finished without a round summary');
    return {
      seconds: round1.seconds,
      participants: round1.participants,
      committed: round1.committed,
      users: r.config.users as number,
      wallSeconds: (Date.now() - t) / 1000,
      usage: usage as { coordinatorEventLoopUtilization: number; processCores: number } | null,
      profile: profiled ? await profiled : null,
    };
  };
  const many: number[] = [];
  const one: number[] = [];
  let clients = 0;
  const participants: number[] = [];
  const usage: { workers: number; coordinatorEventLoopUtilization: number; processCores: number }[] = [];
  const coresAvailable: number[] = [];
  for (let t = 0; t < o.trials; t++) {
    coresAvailable.push(await availableCores());
    progress('w4', `cores this process can get right now (spin test): ${coresAvailable[t]} of ${cores}`);
    const order = t % 2 === 0 ? [cores, 1] : [1, cores];
    for (const workers of order) {
      const r = await once(workers);
      clients = r.users;
      participants.push(r.participants);
      if (r.usage) usage.push({ workers, ...r.usage });
      (workers === 1 && cores > 1 ? one : many).push(r.seconds);
      if (cores === 1) one.push(r.seconds);
      progress('w4', `trial ${t + 1}/${o.trials} workers=${workers}: round ${r.seconds.toFixed(2)} s, ${r.participants} updates, committed ${r.committed}; coordinator thread busy ${r.usage ? Math.round(100 * r.usage.coordinatorEventLoopUtilization) : '?'}%, process CPU ${r.usage?.processCores ?? '?'} cores (whole run incl. loading and registration ${r.wallSeconds.toFixed(1)} s)`);
    }
  }
  const seconds = median(many);
  const oneWorkerSeconds = median(one);
  const speedup = oneWorkerSeconds / seconds;
  const boundSeconds = o.msProject === null ? null : (2 * clients * o.msProject) / cores / 1000;
  // The first design, for comparison: clients that connect per phase (as 50,000-user runs must).
  progress('w4', `one round with a check-in fleet (workers=${cores}) for comparison`);
  const checkinSeconds = (await once(cores, false, 'checkin')).seconds;
  let profile: unknown = null;
  if (speedup < 1.6) {
    progress('w4', `speedup ${speedup.toFixed(2)} < 1.6: one more round (workers=${cores}) with the coordinator thread under the CPU profiler`);
    const p = await once(cores, true);
    if (p.profile) {
      const root = repoRoot();
      await mkdir(join(root, 'results'), { recursive: true });
      await writeFile(join(root, 'results', 'w4-coordinator.cpuprofile'), JSON.stringify(p.profile));
      profile = { file: 'results/w4-coordinator.cpuprofile', roundSeconds: round(p.seconds, 2), ...summarizeProfile(p.profile as never, root, p.participants, W4_WATCH, 'client in the round') };
    }
  }
  const out = {
    clients,
    participants: Math.min(...participants),
    workers: cores,
    coresAvailable,
    seconds: round(seconds, 3),
    oneWorkerSeconds: round(oneWorkerSeconds, 3),
    fleet: 'persistent',
    checkinFleetSeconds: round(checkinSeconds, 3),
    speedup: round(speedup, 3),
    boundSeconds: boundSeconds === null ? null : round(boundSeconds, 3),
    withinBound: boundSeconds === null ? null : seconds <= boundSeconds,
    target: 'speedup ≥ 1.6 on 2 cores; seconds ≤ boundSeconds',
    met: speedup >= 1.6,
    trials: { workersAll: many.map((s) => round(s, 3)), workers1: one.map((s) => round(s, 3)) },
    // Median over trials, per worker count: coordinator thread's event-loop utilization and the
    // average number of cores the process used during the round.
    usage: Object.fromEntries(
      [...new Set(usage.map((u) => u.workers))].map((wk) => {
        const us = usage.filter((u) => u.workers === wk);
        return [`workers${wk}`, { coordinatorEventLoopUtilization: median(us.map((u) => u.coordinatorEventLoopUtilization)), processCores: median(us.map((u) => u.processCores)) }];
      }),
    ),
    profile,
  };
  console.log(
    `W4 simulationRound: ${clients} clients, one round ${out.seconds} s with ${cores} workers vs ${out.oneWorkerSeconds} s with 1 → speedup ${out.speedup} (target ≥ 1.6, ${out.met ? 'met' : 'NOT met'}); ` +
      `bound ${out.boundSeconds ?? 'n/a'} s (${out.withinBound ? 'within' : 'NOT within'})`,
  );
  return out;
}

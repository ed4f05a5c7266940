// The V8 sampling profiler on the bench's own thread (where the coordinator runs), and a summary of
// a profile: self time by function, and inclusive time of a few named functions, per unit of work.
// Note: samples are taken on wall-clock ticks, so on a machine where this thread waits for a core,
// the waiting shows up in whatever function was running.

import { Session } from 'node:inspector/promises';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot, round } from './util.js';

export async function startProfiler(intervalUs = 200): Promise<() => Promise<unknown>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    return profile;
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export const W2_WATCH = ['writev', 'receiverOnMessage', 'onFrame', 'decodeFrame', 'validateClientMessage', 'onUpdate', 'bytesToFloat32', 'accept', 'getData', 'concat', 'unmask', '(garbage collector)', '(idle)', '(program)'];
export const W4_WATCH = ['writev', 'receiverOnMessage', 'onFrame', 'decodeFrame', 'onUpdate', 'bytesToFloat32', 'accept', 'join', 'offerIfSelected', 'completeUpgrade', 'handleUpgrade', 'serveHttp', 'onClose', 'getData', 'unmask', '(garbage collector)', '(idle)', '(program)'];

/** Self time by function (file:line) and inclusive time of `watch`ed functions, in % and ms per unit. */
export function summarizeProfile(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, root: string, units: number, watch: string[], unit: string) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // The profiler's own start-up and the bench's bookkeeping are not the server's work: leave them out.
  const benchOnly = (id: number) => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (['startProfiler', 'wait', 'go'].includes(f.functionName) && f.url.includes('/bench/')) return true;
    }
    return false;
  };
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    if (benchOnly(profile.samples[i])) continue;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const label = (n: ProfileNode) => {
    const url = n.callFrame.url.replace(`file://${root}/`, '');
    return `${n.callFrame.functionName || '(anonymous)'} ${url ? `${url}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
  };
  const selfByLabel = new Map<string, number>();
  for (const [id, t] of self) {
    const l = label(byId.get(id)!);
    selfByLabel.set(l, (selfByLabel.get(l) ?? 0) + t);
  }
  // Inclusive time of the watched functions (each counted once per stack, however deep it recurses).
  const inclusive = new Map<string, number>();
  for (const [id, t] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      const name = n.callFrame.functionName;
      if (!watch.includes(name)) continue;
      const key = name === 'accept' ? `accept ${n.callFrame.url.split('/').slice(-1)[0]}` : name;
      if (!seen.has(key)) {
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + t);
      }
    }
  }
  const pct = (t: number) => round((100 * t) / total, 1);
  const perUnit = (t: number) => round(t / 1000 / units, 3);
  return {
    sampledMs: round(total / 1000, 0),
    msPerUnitIsPer: `${unit} (${units} in the profiled window)`,
    topSelf: [...selfByLabel.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([fn, t]) => ({ fn, selfPct: pct(t), msPerUnit: perUnit(t) })),
    inclusive: Object.fromEntries([...inclusive.entries()].sort((a, b) => b[1] - a[1]).map(([k, t]) => [k, { pct: pct(t), msPerUnit: perUnit(t) }])),
  };
}

interface ProfiledTrial {
  updates: number;
  updatesPerSecond: number;
}

/**
 * One more coordinator trial and one more floor trial, each under the profiler, when an intake
 * workload misses its ratio: both profiles go to results/NAME-{coordinator,bare}.cpuprofile and
 * their summaries (per unit of work) into the workload's JSON.
 */
export async function profilePair(
  name: string,
  coordinator: () => Promise<{ profile: unknown; trial: ProfiledTrial }>,
  bare: (onProfile: (p: unknown) => void) => Promise<ProfiledTrial>,
  watch: string[],
  units: { coordinator: string; bare: string },
) {
  const p = await coordinator();
  let bareProfile: unknown = null;
  const b = await bare((x) => (bareProfile = x));
  const root = repoRoot();
  await mkdir(join(root, 'results'), { recursive: true });
  const files = { coordinator: `results/${name}-coordinator.cpuprofile`, bare: `results/${name}-bare.cpuprofile` };
  await writeFile(join(root, files.coordinator), JSON.stringify(p.profile));
  await writeFile(join(root, files.bare), JSON.stringify(bareProfile));
  return {
    coordinator: { file: files.coordinator, updatesPerSecondWhileProfiled: p.trial.updatesPerSecond, ...summarizeProfile(p.profile as never, root, p.trial.updates, watch, units.coordinator) },
    bare: { file: files.bare, updatesPerSecondWhileProfiled: b.updatesPerSecond, ...summarizeProfile(bareProfile as never, root, b.updates, watch, units.bare) },
  };
}

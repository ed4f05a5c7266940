// Small helpers shared by the benchmark workloads: statistics, progress lines on stderr, memory
// snapshots, a forced GC, the repo root, and child processes the benchmark starts (and always ends).

import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
}

export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export const MiB = 1024 * 1024;

export function mib(bytes: number): number {
  return round(bytes / MiB, 1);
}

/** A progress line on stderr (stdout carries only the human result lines and the JSON). */
/**
 * CPU seconds of the calling thread alone (Linux: /proc/thread-self/stat, utime + stime in clock ticks
 * of 1/100 s); null elsewhere. process.cpuUsage() counts every thread of the process.
 */
export function threadCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the name may contain spaces
    return (Number(fields[11]) + Number(fields[12])) / 100; // fields 14 and 15 of proc(5)
  } catch {
    return null;
  }
}

export function progress(tag: string, text: string): void {
  process.stderr.write(`[bench ${tag}] ${text}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

let gcFn: (() => void) | null = null;
/** A full GC, without needing --expose-gc on the command line. */
export function forceGc(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
}

export interface MemorySample {
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  arrayBuffersMiB: number;
}

export function memorySample(): MemorySample {
  const m = process.memoryUsage();
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), externalMiB: mib(m.external), arrayBuffersMiB: mib(m.arrayBuffers) };
}

/** The repo root: the nearest ancestor of this file holding the fedrec package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'fedrec') return dir;
      } catch {
        // keep climbing
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the fedrec repo root above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** A compiled sibling script (the workloads' child processes run from dist/bench/). */
export function siblingScript(name: string): string {
  return fileURLToPath(new URL(`./${name}.js`, import.meta.url));
}

/** A child process speaking JSON messages over IPC, with typed waits and a guaranteed kill. */
export class Child<In, Out extends { type: string }> {
  /** Every child still running, so that an exiting bench never leaves one behind. */
  static readonly live = new Set<ChildProcess>();
  readonly proc: ChildProcess;
  private readonly inbox: Out[] = [];
  private waiters: { pred: (m: Out) => boolean; resolve: (m: Out) => void; reject: (e: Error) => void }[] = [];
  private exited: Error | null = null;

  constructor(script: string, args: string[] = [], execArgv: string[] = []) {
    this.proc = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv, serialization: 'advanced' });
    Child.live.add(this.proc);
    this.proc.on('message', (m: Out) => this.deliver(m));
    this.proc.on('exit', (code, signal) => {
      Child.live.delete(this.proc);
      this.exited = new Error(`${script} exited (code ${code}, signal ${signal})`);
      for (const w of this.waiters.splice(0)) w.reject(this.exited);
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  send(m: In): void {
    if (this.proc.connected) this.proc.send(m as object);
  }

  private deliver(m: Out): void {
    const i = this.waiters.findIndex((w) => w.pred(m));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      w.resolve(m);
    } else this.inbox.push(m);
  }

  /** The next message of `type` (queued ones first), or a rejection after `timeoutMs`. */
  wait<T extends Out['type']>(type: T, timeoutMs: number): Promise<Extract<Out, { type: T }>> {
    const pred = (m: Out) => m.type === type || m.type === 'fatal';
    const queued = this.inbox.findIndex(pred);
    const check = (m: Out): Extract<Out, { type: T }> => {
      if (m.type === 'fatal' && type !== 'fatal') throw new Error(`child ${this.pid}: ${(m as unknown as { message: string }).message}`);
      return m as Extract<Out, { type: T }>;
    };
    if (queued >= 0) {
      const [m] = this.inbox.splice(queued, 1);
      return Promise.resolve().then(() => check(m));
    }
    if (this.exited) return Promise.reject(this.exited);
    return new Promise<Out>((resolve, reject) => {
      const w = { pred, resolve, reject };
      this.waiters.push(w);
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`child ${this.pid}: no "${type}" message within ${timeoutMs} ms`));
      }, timeoutMs);
      t.unref();
    }).then(check);
  }

  /** Asks nicely (a message of type 'exit'), then kills this child (by its pid) if it lingers. */
  async stop(graceMs = 3_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.send({ type: 'exit' } as In);
    const t = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(t);
  }
}

/** Kills (by pid) every child this process started and that is still running. */
export function killAllChildren(): void {
  for (const p of Child.live) {
    try {
      p.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** In a child: the typed IPC side. */
export function parentPort<In, Out>(): { send(m: Out): void; on(fn: (m: In) => void): void } {
  if (!process.send) throw new Error('this script runs as a child of bench/run.js');
  process.on('disconnect', () => process.exit(0)); // the bench went away: never linger
  return {
    send: (m) => process.send!(m as object),
    on: (fn) => process.on('message', (m) => fn(m as In)),
  };
}

/**
 * How many cores this process can actually get right now (the machine may be shared): one spinning
 * worker thread per core for `ms`, then process CPU time / wall time.
 */
export async function availableCores(ms = 1_000): Promise<number> {
  const { Worker } = await import('node:worker_threads');
  const { availableParallelism } = await import('node:os');
  const n = availableParallelism();
  const code = `const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1); require('node:worker_threads').parentPort.postMessage(x);`;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, () => new Promise<void>((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once('message', () => void w.terminate().then(() => resolve()));
      w.once('error', reject);
    })),
  );
  const cpu = process.cpuUsage(cpu0);
  return round((cpu.user + cpu.system) / 1000 / (performance.now() - t0), 2);
}

// The coordinator as operators run it: a separate process, killed with SIGKILL mid-training and
// started again on the same state dir. Clients reconnect by themselves.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FedrecClient } from '../client/fedrec-client.js';
import { nodeSocketFactory } from '../client/node/ws-socket.js';
import { MemoryStore } from '../client/store.js';
import { grantedConsent } from '../test-helpers/cluster.js';
import { tinyDataset, tinyItemIds } from '../test-helpers/tiny.js';
import { CheckpointStore } from './checkpoint-store.js';
import { freePort } from '../test-helpers/free-port.js';

const bin = fileURLToPath(new URL('../bin/fedrec.js', import.meta.url));
let dir = '';
const procs: ChildProcess[] = [];
const clients: FedrecClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.stop();
  for (const p of procs.splice(0)) p.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

function startCoordinator(port: number, catalogue: string, rounds: number): ChildProcess {
  const p = spawn(process.execPath, [bin, 'coordinator', '--port', String(port), '--state-dir', join(dir, 'state'), '--catalogue', catalogue, '--rounds', String(rounds), '--clients-per-round', '3', '--min-clients', '3', '--dim', '8', '--noise-multiplier', '0.8', '--clip', '1', '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
  procs.push(p);
  return p;
}

async function status(port: number): Promise<{ modelVersion: number; round: number } | null> {
  try {
    return (await (await fetch(`http://127.0.0.1:${port}/round`)).json()) as { modelVersion: number; round: number };
  } catch {
    return null;
  }
}

async function until<T>(probe: () => Promise<T | null>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null && ok(v)) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('kill -9 and restart', () => {
  it('resumes from the last committed round with the same model and ledger', async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedrec-kill-'));
    const catalogue = join(dir, 'catalogue.csv');
    await writeFile(catalogue, 'item_id\n' + Array.from(tinyItemIds).join('\n') + '\n');
    const port = await freePort();
    const first = startCoordinator(port, catalogue, 8);
    await until(() => status(port), () => true, 20_000);
    for (let k = 0; k < 3; k++) {
      const c = new FedrecClient({ url: `ws://127.0.0.1:${port}`, socketFactory: nodeSocketFactory(), store: new MemoryStore(), data: tinyDataset(k), seed: 1, clientId: `client-${k}`, consent: grantedConsent });
      clients.push(c);
      void c.run().catch(() => {});
    }
    await until(() => status(port), (s) => s.modelVersion >= 2, 30_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const saved = await new CheckpointStore(join(dir, 'state')).load();
    expect(saved).not.toBeNull();
    expect(saved!.round).toBeGreaterThanOrEqual(2);
    expect(saved!.modelVersion).toBe(saved!.round);

    const second = startCoordinator(port, catalogue, 8);
    let log = '';
    second.stderr!.on('data', (d) => (log += d));
    const exit = new Promise<number | null>((r) => second.once('exit', (code) => r(code)));
    // It runs to round 8 with the clients that reconnected by themselves, then stays up serving until
    // stopped (a finished coordinator still answers /privacy and /round): Ctrl-C ends it with 0.
    await until(async () => (log.includes('"event":"finished"') ? true : null), () => true, 60_000);
    second.kill('SIGINT');
    expect(await exit).toBe(0);
    const resumed = JSON.parse(log.split('\n').find((l) => l.includes('"event":"resumed"'))!);
    expect(resumed.round).toBe(saved!.round);
    const summaries = log.split('\n').filter((l) => l.includes('"event":"round-summary"')).map((l) => JSON.parse(l));
    expect(summaries[0].round).toBe(saved!.round + 1);
    expect(summaries.at(-1).round).toBe(8);
    const final = await new CheckpointStore(join(dir, 'state')).load();
    expect(final!.round).toBe(8);
    expect((final!.privacy as { rounds: number }).rounds).toBe(8); // the ledger went on, not reset
  }, 90_000);
});

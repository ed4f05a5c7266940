// The README's laptop walk-throughs, run verbatim: each `<!-- walkthrough:NAME:PART -->` block is read
// from README.md and its lines run by bash in a fresh directory, with `npx fedrec` going to this
// checkout's build (a shim `npx` first on PATH). setup runs first, the coordinator stays up, alice and
// bob run side by side until the coordinator is done, then `after`. If the README drifts, this fails.

import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repo, useReadmeShell, walkthroughBlocks as walkthrough } from '../test-helpers/readme-shell.js';
import { STACK_LINE } from '../test-helpers/run-cli.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

interface Ran { line: string; code: number | null; out: string }

const shell = useReadmeShell('fedrec-walkthrough-', afterEach);
const freshDir = () => shell.fresh();
const start = (line: string, env: NodeJS.ProcessEnv) => shell.run(line, env);

async function runLines(lines: string[], env: NodeJS.ProcessEnv): Promise<Ran[]> {
  const ran: Ran[] = [];
  for (const line of lines) {
    const p = start(line, env);
    const code = await p.exited;
    ran.push({ line, code, out: p.output() });
    expect(code, `${line}\n${p.output()}`).toBe(0);
  }
  return ran;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer().once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Runs one walk-through; returns the `after` part's outputs and the coordinator's log. */
async function run(name: string, port: number): Promise<{ after: Ran[]; log: () => string }> {
  const parts = walkthrough(await readFile(join(repo, 'README.md'), 'utf8'), name);
  for (const part of ['coordinator', 'alice', 'bob', 'after']) expect(parts[part], `README block walkthrough:${name}:${part}`).toBeDefined();
  expect(parts.coordinator).toHaveLength(1);
  expect(await portFree(port), `port ${port} (the README's) is busy on this machine`).toBe(true);
  const env = await freshDir();
  if (parts.setup) await runLines(parts.setup, env);
  const c = start(parts.coordinator[0], env);
  shell.keep(c.child);
  for (let i = 0; i < 200 && !c.output().includes('"event":"listening"'); i++) await new Promise((r) => setTimeout(r, 50));
  expect(c.output()).toContain('"event":"listening"');
  const people = await Promise.all([runLines(parts.alice, env), runLines(parts.bob, env)]);
  for (const ran of people) expect(ran.at(-1)!.out).toContain('client done');
  const after = await runLines(parts.after, env);
  // Ctrl-C stops the finished coordinator at once, cleanly.
  c.child.kill('SIGINT');
  expect(await c.exited).toBe(0);
  shell.keep(null);
  for (const r of [...people.flat(), ...after]) expect(r.out, r.line).not.toMatch(STACK_LINE);
  return { after, log: c.output };
}

const out = (ran: Ran[], start: string) => ran.find((r) => r.line.startsWith(start))!.out;

describe('the README walk-throughs, verbatim', () => {
  it('laptop: coordinator + two people + ledger + recommend + forget + opt-out + an ε limit refused', async () => {
    const { after, log } = await run('laptop', 8787);
    expect(log()).toContain('"event":"finished"');
    const ledger = JSON.parse(out(after, 'npx fedrec client ledger'));
    expect(ledger.updates).toHaveLength(5);
    for (const u of ledger.updates) expect(u.aggregation).toBe('secure');
    // Titles from examples/laptop/catalogue.csv, and an explanation, for 5 unseen items.
    const catalogue = await readFile(join(repo, 'examples/laptop/catalogue.csv'), 'utf8');
    const titles = catalogue.split('\n').slice(1).filter(Boolean).map((l) => l.replace(/^\d+,"?/, '').replace(/"?,[^,]*$/, ''));
    const table = out(after, 'npx fedrec recommend').split('\n').filter((l) => /^\s*[1-5]\s/.test(l));
    expect(table).toHaveLength(5);
    for (const row of table) {
      expect(titles.some((t) => row.includes(t)), row).toBe(true);
      expect(row).toMatch(/because you (watched|bought)|popular overall|fits your taste overall/);
    }
    expect(table.some((row) => /because you (watched|bought)/.test(row)), table.join('\n')).toBe(true);
    // forget --server: Alice's id is off the coordinator's disk at once; Bob's stays.
    const registry = JSON.parse(await readFile(join(shell.dir, 'laptop-state/registry.json'), 'utf8'));
    expect(registry.clients).not.toContain(ledger.clientId);
    expect(registry.clients).toHaveLength(1);
    expect(JSON.parse(await readFile(join(shell.dir, 'bob/consent.json'), 'utf8')).granted).toBe(false);
    const carol = out(after, 'npx fedrec client --server');
    expect(carol).toContain('FEDREC_PRIVACY_LIMIT');
    expect(carol).toContain('refused, as asked');
  }, 120_000);

  it.skipIf(!hasOpenssl)('laptop-tls: the same over wss:// with enrollment tokens; a device without one is refused (needs openssl)', async () => {
    const { after, log } = await run('laptop-tls', 8788);
    expect(log()).toContain('"tls":true');
    const ledger = JSON.parse(out(after, 'npx fedrec client ledger'));
    expect(ledger.updates).toHaveLength(5);
    const mallory = out(after, 'npx fedrec client --server');
    expect(mallory).toContain('FEDREC_UNAUTHORIZED');
    expect(mallory).toContain('refused: no token');
    const registry = JSON.parse(await readFile(join(shell.dir, 'tls-state/registry.json'), 'utf8'));
    expect(registry.clients).toHaveLength(2); // alice and bob; mallory was never registered
    expect(JSON.stringify(registry)).not.toContain('alice@example.org'); // a salted hash, not the account
  }, 120_000);
});

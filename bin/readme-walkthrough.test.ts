// The README's laptop walk-throughs, run verbatim: each `<!-- walkthrough:NAME:PART -->` block is read
// from README.md and its lines run by bash in a fresh directory, with `npx fedrec` going to this
// checkout's build (a shim `npx` first on PATH). setup runs first, the coordinator stays up, alice and
// bob run side by side until the coordinator is done, then `after`. If the README drifts, this fails.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { STACK_LINE } from '../test-helpers/run-cli.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

/** The command lines of every block tagged walkthrough:NAME:PART, by PART. */
export function walkthrough(readme: string, name: string): Record<string, string[]> {
  const parts: Record<string, string[]> = {};
  const re = new RegExp(`<!-- walkthrough:${name}:(\\w+) -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\``, 'g');
  for (const m of readme.matchAll(re)) {
    parts[m[1]] = m[2].split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  }
  return parts;
}

interface Ran { line: string; code: number | null; out: string }

let dir = '';
let coordinator: ChildProcess | null = null;
afterEach(async () => {
  coordinator?.kill('SIGKILL');
  coordinator = null;
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function freshDir(): Promise<Record<string, string | undefined>> {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-walkthrough-'));
  await symlink(join(repo, 'examples'), join(dir, 'examples'));
  const bin = join(dir, '.shim');
  await mkdir(bin);
  const realNpx = spawnSync('sh', ['-c', 'command -v npx']).stdout.toString().trim();
  await writeFile(join(bin, 'npx'), `#!/bin/sh\nif [ "$1" = fedrec ]; then shift; exec "${process.execPath}" "${join(repo, 'bin/fedrec.js')}" "$@"; fi\nexec "${realNpx}" "$@"\n`);
  await chmod(join(bin, 'npx'), 0o755);
  const env: Record<string, string | undefined> = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  delete env.FEDREC_LOG_LEVEL;
  return env;
}

function start(line: string, env: Record<string, string | undefined>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn('bash', ['-c', line], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out, exited: new Promise((r) => child.on('close', (code) => r(code))) };
}

async function runLines(lines: string[], env: Record<string, string | undefined>): Promise<Ran[]> {
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
  coordinator = c.child;
  for (let i = 0; i < 200 && !c.output().includes('"event":"listening"'); i++) await new Promise((r) => setTimeout(r, 50));
  expect(c.output()).toContain('"event":"listening"');
  const people = await Promise.all([runLines(parts.alice, env), runLines(parts.bob, env)]);
  for (const ran of people) expect(ran.at(-1)!.out).toContain('client done');
  const after = await runLines(parts.after, env);
  // Ctrl-C stops the finished coordinator at once, cleanly.
  c.child.kill('SIGINT');
  expect(await c.exited).toBe(0);
  coordinator = null;
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
    const registry = JSON.parse(await readFile(join(dir, 'laptop-state/registry.json'), 'utf8'));
    expect(registry.clients).not.toContain(ledger.clientId);
    expect(registry.clients).toHaveLength(1);
    expect(JSON.parse(await readFile(join(dir, 'bob/consent.json'), 'utf8')).granted).toBe(false);
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
    const registry = JSON.parse(await readFile(join(dir, 'tls-state/registry.json'), 'utf8'));
    expect(registry.clients).toHaveLength(2); // alice and bob; mallory was never registered
    expect(JSON.stringify(registry)).not.toContain('alice@example.org'); // a salted hash, not the account
  }, 120_000);
});

// `fedrec client` as a process (node bin/fedrec.js, built dist/): a dead port ends in a bounded
// number of tries, Ctrl-C ends it within a second, and a revoke from another process stops it
// within a second and is never written back.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fedrecBin, runCli, STACK_LINE } from '../../test-helpers/run-cli.js';
import { oneClientRounds, useHarness } from '../../test-helpers/harness.js';
import { tinyItemIds } from '../../test-helpers/tiny.js';

const h = useHarness();

type Proc = { child: ChildProcess; stderr: () => string; exit: Promise<{ code: number | null; at: number }> };

function startClient(args: string[]): Proc {
  const child = spawn(process.execPath, [fedrecBin, 'client', ...args], {
    env: { ...process.env, FEDREC_DEBUG: '', FEDREC_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.resume();
  const exit = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  return { child, stderr: () => err, exit };
}

async function until(ok: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** A state dir with consent granted and a history of catalogue items. */
async function device(): Promise<{ dir: string; history: string }> {
  const dir = await h.tempDir('fedrec-proc-');
  const history = join(dir, 'history.csv');
  await writeFile(history, 'item_id,timestamp\n' + Array.from(tinyItemIds.slice(0, 10), (id, t) => `${id},${t}`).join('\n') + '\n');
  const r = await runCli(['client', 'consent', '--state-dir', join(dir, 'me'), '--grant']);
  expect(r.code).toBe(0);
  return { dir: join(dir, 'me'), history };
}

const jsonLines = (text: string) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event?: string; time: number });

describe('fedrec client (process)', () => {
  it('gives up on a closed port after its bounded tries: exit 1, one sentence, FEDREC_UNREACHABLE', async () => {
    const { dir, history } = await device();
    const started = Date.now();
    const r = await runCli(['client', '--server', `ws://127.0.0.1:${await deadPort()}`, '--history', history, '--state-dir', dir], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FEDREC_UNREACHABLE: could not reach the coordinator .* in 5 tries/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 40_000);

  it('Ctrl-C stops it within a second, also while it waits to reconnect', async () => {
    const { dir, history } = await device();
    const p = startClient(['--server', `ws://127.0.0.1:${await deadPort()}`, '--history', history, '--state-dir', dir, '--log-format', 'json']);
    await until(() => p.stderr().includes('"event":"disconnected"'), 10_000, 'a reconnect wait');
    const sent = Date.now();
    p.child.kill('SIGINT');
    const { code, at } = await p.exit;
    expect(code).toBe(0);
    expect(at - sent).toBeLessThan(1_000);
  }, 20_000);

  it('a revoke from another process stops a running client within a second and stays revoked', async () => {
    const running = await h.coordinator({ ...oneClientRounds, model: { dim: 4 } });
    const { dir, history } = await device();
    const p = startClient(['--server', running.url, '--history', history, '--state-dir', dir, '--allow-plaintext', '--log-format', 'json']);
    await until(() => p.stderr().includes('"event":"update-sent"'), 20_000, 'a first update');
    const revoke = await runCli(['client', 'consent', '--state-dir', dir, '--revoke']);
    expect(revoke.code).toBe(0);
    const revokedAt = Date.now();
    const { code, at } = await p.exit;
    expect(code).toBe(0);
    expect(at - revokedAt).toBeLessThan(1_000);
    expect(p.stderr()).toContain('consent was revoked');
    // Nothing left the device later than the poll interval after the revoke was written.
    const late = jsonLines(p.stderr()).filter((l) => l.event === 'update-sent' && l.time > revokedAt + 500);
    expect(late).toEqual([]);
    // The running client's own saves never wrote granted: true back.
    expect(JSON.parse(await readFile(join(dir, 'consent.json'), 'utf8')).granted).toBe(false);
  }, 40_000);

  it('refuses an empty history before connecting, with the reason', async () => {
    const { dir } = await device();
    const empty = join(dir, '..', 'empty.csv');
    await writeFile(empty, 'item_id,timestamp\n');
    const r = await runCli(['client', '--server', `ws://127.0.0.1:${await deadPort()}`, '--history', empty, '--state-dir', dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/FEDREC_EMPTY_HISTORY|empty/);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});

// `fedrec status` spawned for real against real coordinators: the summary after real rounds (text
// and --json), the operator token, https with --ca, --watch following a run and stopping at Ctrl-C
// within a second, and the coded one-sentence failures (exit 1 unreachable, exit 2 usage).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DashboardSnapshot } from '../coordinator/dashboard/snapshot.js';
import type { RoundSummary } from '../coordinator/round-engine.js';
import { ErrorCodes } from '../shared/protocol/errors.js';
import { freePort } from '../test-helpers/free-port.js';
import { useHarness } from '../test-helpers/harness.js';
import { fedrecBin, runCli, STACK_LINE, type CliResult } from '../test-helpers/run-cli.js';
import { nodeSocketFactory } from '../client/node/ws-socket.js';
import { nodeFetch } from '../client/node/https-fetch.js';

const h = useHarness();
const TOKEN = '5e1f0c9b8a7d6e5f4a3b2c1d0e9f8a7b';
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const rounds2 = { rounds: 2, minClients: 2, clientsPerRound: 2, roundDeadlineMs: 10_000, evaluation: { every: 1, clientsPerRound: 2, deadlineMs: 10_000 } };

/** A coordinator run through its rounds by two real clients; resolves with the round summaries. */
async function finishedRun(patch: Parameters<typeof h.coordinator>[0] = {}) {
  const c = await h.coordinator({ ...rounds2, ...patch });
  const rounds: RoundSummary[] = [];
  c.engine.on('round', (s: RoundSummary) => rounds.push(s));
  const done = new Promise((r) => c.engine.once('done', r));
  for (let k = 0; k < 2; k++) void h.client(c.url, k).run().catch(() => {});
  await done;
  return { c, rounds };
}

async function file(name: string, content: string): Promise<string> {
  const path = join(await h.tempDir('fedrec-status-'), name);
  await writeFile(path, content);
  return path;
}

function expectFailure(r: CliResult, exit: number, code: string, sentence: RegExp): void {
  expect(r.code, r.stderr).toBe(exit);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(new RegExp(`^fedrec status: ${code}: `));
  expect(r.stderr).toMatch(sentence);
}

describe('fedrec status', () => {
  it('prints the phase, clients, privacy, last evaluation and the rounds after a real run', async () => {
    const { c, rounds } = await finishedRun();
    const r = await runCli(['status', c.httpUrl]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`fedrec coordinator at ${c.httpUrl}`);
    expect(r.stdout).toMatch(/now {9}finished: all rounds done \(last round 2, model v2\)/);
    expect(r.stdout).toMatch(/clients {5}\d connected, 2 enrolled/);
    expect(r.stdout).toContain('privacy     ε ∞ (no noise) at δ 1e-5, no budget; clip norm');
    expect(r.stdout).toContain(`evaluation  HR@10 ${rounds[1].evaluation!.hr10.toFixed(3)}, NDCG@10 ${rounds[1].evaluation!.ndcg10.toFixed(3)} (round 2, 2 clients)`);
    expect(r.stdout).toContain('rounds      2 committed, 0 abandoned (2 planned)');
    expect(r.stdout).toMatch(/^ {4}round {2}outcome {4}reports {2}dropped {2}seconds {2}ε after$/m);
    expect(r.stdout).toMatch(/^ {8}2 {2}committed {6}2\/2 {8}0 +\d+\.\d {2}∞ \(no noise\)$/m);
    expect(r.stdout).toMatch(/^ {8}1 {2}committed/m);
    expect(r.stdout).toContain('rejections  none');

    const j = await runCli(['status', c.url, '--json']); // a ws:// URL works too
    expect(j.code, j.stderr).toBe(0);
    const s = JSON.parse(j.stdout) as DashboardSnapshot;
    expect(s.status).toMatchObject({ round: 2, phase: 'done', modelVersion: 2 });
    expect(s.rounds.map((x) => [x.round, x.committed, x.reported, x.sampled, x.epsilon])).toEqual([[1, true, 2, 2, null], [2, true, 2, 2, null]]);
    expect(s.rounds.map((x) => x.evaluation)).toEqual(rounds.map((x) => x.evaluation));
    expect(s.privacy).toMatchObject({ epsilon: null, budget: null, aggregation: 'secure' });
  });

  it('sends the operator token from --token-file, and says which flag is missing or wrong', async () => {
    const c = await h.coordinator({ adminTokenFile: await file('admin.token', TOKEN) });
    expectFailure(await runCli(['status', c.httpUrl]), 1, ErrorCodes.UNAUTHORIZED, /needs the operator token: give --token-file FILE/);
    expectFailure(await runCli(['status', c.httpUrl, '--token-file', await file('other.token', 'x'.repeat(32))]), 1, ErrorCodes.UNAUTHORIZED, /refused the operator token from --token-file/);
    const r = await runCli(['status', c.httpUrl, '--token-file', await file('same.token', `${TOKEN}\n`)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('now         waiting for clients: 0 of 2 connected');
  });

  it.skipIf(!hasOpenssl)('reads an https:// coordinator with --ca, and says --ca when the certificate is not trusted', async () => {
    const dir = await h.tempDir('fedrec-status-tls-');
    const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    const c = await h.coordinator({ tls: { certFile, keyFile }, rounds: 1, minClients: 2, clientsPerRound: 2, evaluation: { every: 0 } });
    const ca = execFileSync('cat', [certFile]);
    const done = new Promise((r) => c.engine.once('done', r));
    for (let k = 0; k < 2; k++) void h.client(c.url, k, { socketFactory: nodeSocketFactory({ ca }), fetch: nodeFetch(ca) }).run().catch(() => {});
    await done;
    const r = await runCli(['status', c.httpUrl, '--ca', certFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('rounds      1 committed, 0 abandoned (1 planned)');
    expectFailure(await runCli(['status', c.httpUrl]), 1, ErrorCodes.UNREACHABLE, /certificate is not trusted: give --ca FILE.pem/);
  });

  it('--watch redraws as the run goes and stops within a second of Ctrl-C, exit 0', async () => {
    const c = await h.coordinator({ ...rounds2, rounds: 1, evaluation: { every: 0 } });
    const child = spawn(process.execPath, [fedrecBin, 'status', c.httpUrl, '--watch'], { env: { ...process.env, FEDREC_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const until = async (text: string) => {
      for (let i = 0; i < 150 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out, `--watch output never showed "${text}"`).toContain(text);
    };
    try {
      await until('waiting for clients: 0 of 2 connected');
      for (let k = 0; k < 2; k++) void h.client(c.url, k).run().catch(() => {});
      await until('finished: all rounds done');
      // Piped, every refresh is its own block: at least two, the first before the clients came.
      expect(out.split('fedrec coordinator at ').length - 1).toBeGreaterThanOrEqual(2);
      const sent = Date.now();
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(Date.now() - sent).toBeLessThan(1_000);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('an unreachable coordinator: one sentence, FEDREC_UNREACHABLE, exit 1 (with or without --watch)', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    for (const extra of [[], ['--watch']]) {
      expectFailure(await runCli(['status', url, ...extra]), 1, ErrorCodes.UNREACHABLE, /cannot reach the coordinator at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED; is it running/);
    }
  });

  it.each([
    [['status'], ErrorCodes.USAGE, /give the coordinator URL/],
    [['status', 'http://127.0.0.1:1', 'http://127.0.0.1:2'], ErrorCodes.USAGE, /one URL, please; got 2/],
    [['status', 'localhost:8787'], ErrorCodes.USAGE, /must be http\(s\):\/\/ or ws\(s\):\/\//],
    [['status', 'not a url'], ErrorCodes.USAGE, /is not a URL/],
    [['status', 'http://127.0.0.1:1', '--wach'], ErrorCodes.USAGE, /unknown flag --wach; did you mean --watch\?/],
    [['status', 'http://127.0.0.1:1', '--token-file'], ErrorCodes.USAGE, /--token-file needs a value/],
    [['status', 'http://127.0.0.1:1', '--token-file', '/nonexistent/admin.token'], ErrorCodes.BAD_PATH, /--token-file \/nonexistent\/admin.token does not exist/],
    [['status', 'http://127.0.0.1:1', '--ca', '/nonexistent/ca.pem'], ErrorCodes.BAD_PATH, /--ca \/nonexistent\/ca.pem does not exist/],
  ])('fedrec %j: exit 2, %s', async (args, code, sentence) => {
    expectFailure(await runCli(args), 2, code, sentence);
  });

  it('-h / --help prints the usage (exit 0), and `fedrec --help` lists the command', async () => {
    for (const flag of ['-h', '--help']) {
      const r = await runCli(['status', flag]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.startsWith('fedrec status URL [--watch] [--token-file FILE] [--ca FILE.pem] [--json]')).toBe(true);
    }
    expect((await runCli(['--help'])).stdout).toMatch(/^ {2}status +a coordinator's phase/m);
  });

  it('refuses to send the token in clear beyond loopback (exit 2, FEDREC_INSECURE_TRANSPORT)', async () => {
    const token = await file('admin.token', TOKEN);
    expectFailure(await runCli(['status', 'http://coordinator.example.org:8787', '--token-file', token]), 2, ErrorCodes.INSECURE_TRANSPORT, /use https:\/\//);
  });
});

// `fedrec demo` as a person meets it: the built CLI spawned for real. Mistakes are one coded sentence
// (exit 2, no stack); a good start prints the address, serves the app, runs rounds with every client
// and stops on Ctrl-C within a second.

import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoProcess } from '../test-helpers/demo-process.js';
import { runCli, STACK_LINE, type CliResult } from '../test-helpers/run-cli.js';

let dir = '';
let web = '';
let busy: Server;
let busyPort = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-demo-cli-'));
  web = join(dir, 'web');
  await mkdir(web);
  await writeFile(join(web, 'index.html'), '<!doctype html><title>placeholder app</title>');
  await mkdir(join(dir, 'no-ratings'));
  await mkdir(join(dir, 'no-index'));
  busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  busyPort = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((r) => busy?.close(r));
  await rm(dir, { recursive: true, force: true });
});

function expectUsage(r: CliResult, code: string, sentence: string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(STACK_LINE);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0].startsWith(`fedrec demo: ${code}: `), lines[0]).toBe(true);
  expect(lines[0]).toContain(sentence);
}

describe('fedrec demo: usage mistakes', () => {
  it('-h and --help print the usage and the demo settings', async () => {
    for (const flag of ['-h', '--help']) {
      const r = await runCli(['demo', flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^fedrec demo \[--port 8787\]/);
      expect(r.stdout).toContain('q = 1');
      expect(r.stdout).toContain('budget ε 250000');
    }
  });

  it.each([
    [['--prot', '0'], 'FEDREC_USAGE', 'unknown flag --prot; did you mean --port?'],
    [['--port', 'x'], 'FEDREC_USAGE', '--port must be a port number from 0 to 65535, got "x"'],
    [['--clients', '1'], 'FEDREC_USAGE', '--clients must be an integer from 2 to 1000'],
    [['--log-format', 'xml'], 'FEDREC_USAGE', '--log-format must be pretty or json, got "xml"'],
    [['--data', 'nonsense'], 'FEDREC_USAGE', 'bad population spec "nonsense"'],
    [['--data', 'synthetic:users=abc'], 'FEDREC_USAGE', '"users=abc" is not key=number'],
  ])('fedrec demo %j is refused', async (args, code, sentence) => {
    expectUsage(await runCli(['demo', '--port', '0', '--web-dir', web, ...args]), code, sentence);
  });

  it('a --data path that does not exist', async () => {
    const missing = join(dir, 'nowhere', 'ratings.csv');
    expectUsage(await runCli(['demo', '--port', '0', '--web-dir', web, '--data', `movielens:${missing}`]), 'FEDREC_BAD_PATH', `--data movielens:${missing} does not exist`);
  });

  it('a --data directory without a ratings file', async () => {
    expectUsage(await runCli(['demo', '--port', '0', '--web-dir', web, '--data', `movielens:${join(dir, 'no-ratings')}`]), 'FEDREC_BAD_PATH', 'holds none of');
  });

  it('a port that is in use', async () => {
    expectUsage(await runCli(['demo', '--port', String(busyPort), '--web-dir', web]), 'FEDREC_PORT_IN_USE', `port ${busyPort} on 127.0.0.1 is already in use`);
  });

  it('a --state-dir that is a file', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    expectUsage(await runCli(['demo', '--port', '0', '--web-dir', web, '--state-dir', file]), 'FEDREC_BAD_PATH', `--state-dir ${file} is a file, not a directory`);
  });

  it('a --web-dir without index.html', async () => {
    expectUsage(await runCli(['demo', '--port', '0', '--web-dir', join(dir, 'no-index')]), 'FEDREC_BAD_PATH', 'holds no index.html');
  });
});

describe('fedrec demo: a run', () => {
  it('prints the address, serves the app, commits rounds with every client, keeps its state in --state-dir, and stops on Ctrl-C within a second', async () => {
    const state = join(dir, 'state');
    const demo = await startDemoProcess(['--port', '0', '--clients', '4', '--web-dir', web, '--state-dir', state]);
    try {
      expect(demo.startLine).toMatch(/^fedrec demo: open http:\/\/127\.0\.0\.1:\d+\/ in a browser\. Demo settings: 4 simulated clients/);
      expect(demo.startLine).toContain('(q = 1)');
      expect(demo.startLine).toContain('noise z 0.2 with clip 1, budget ε 250000 at δ 1e-5');
      const page = await fetch(demo.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("connect-src 'self' ws: wss:");
      expect(await page.text()).toContain('placeholder app');
      // Rounds keep coming: wait for two committed ones (a few seconds each).
      let status = { modelVersion: 0, registered: 0 };
      const deadline = Date.now() + 40_000;
      while (status.modelVersion < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        status = await (await fetch(`${demo.url}round`)).json();
      }
      expect(status.modelVersion, demo.stderr().slice(-2000)).toBeGreaterThanOrEqual(2);
      expect(status.registered).toBe(4);
      const privacy = await (await fetch(`${demo.url}privacy`)).json();
      expect(privacy).toMatchObject({ aggregation: 'secure', samplingRate: 1, noiseMultiplier: 0.2, budget: { epsilon: 250_000, delta: 1e-5 }, noiseFree: false });
      expect(privacy.epsilon).toBeGreaterThan(0);
      // Every client was selected and sent its masked update in each round.
      const rounds = demo.stderr().split('\n').filter((l) => l.includes('"event":"demo-round"')).map((l) => JSON.parse(l));
      expect(rounds.length).toBeGreaterThanOrEqual(2);
      for (const r of rounds) expect(r).toMatchObject({ committed: true, sampled: 4, reported: 4 });
      // --state-dir: the checkpoint and the registry of the four simulated clients' ids are on disk.
      expect((await readdir(state)).sort()).toEqual(['checkpoint.msgpack', 'registry.json']);
      const registry = JSON.parse(await readFile(join(state, 'registry.json'), 'utf8')) as { clients: string[] };
      expect(registry.clients).toHaveLength(4);
    } finally {
      const { code, ms } = await demo.interrupt();
      expect(code).toBe(0);
      expect(ms).toBeLessThan(1_000);
    }
  });
});

// The command line as a user meets it: the built `fedrec` spawned for real. Ordinary mistakes give
// one sentence with a FEDREC_* code and exit code 2, runtime failures exit 1, neither shows a stack.

import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, STACK_LINE, type CliResult } from '../test-helpers/run-cli.js';

const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string;
let dir = '';
const path = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-cli-errors-'));
  await writeFile(path('a-file'), 'not a directory\n');
  await writeFile(path('ratings.csv'), 'userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n');
  await writeFile(path('movies.csv'), 'movieId,title,genres\n1,Toy Story (1995),Comedy\n2,Jumanji (1995),Adventure\n');
  await mkdir(path('existing-dir'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Asserts the one-line, coded, stack-free refusal that exit code 2 stands for. */
function expectUsage(r: CliResult, command: string, code: string, sentence: RegExp | string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(STACK_LINE);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0].startsWith(`${command}: ${code}: `), lines[0]).toBe(true);
  if (typeof sentence === 'string') expect(lines[0]).toContain(sentence);
  else expect(lines[0]).toMatch(sentence);
}

describe('fedrec --version and --help', () => {
  it.each([['--version'], ['-V']])('%s prints the package version', async (flag) => {
    const r = await runCli([flag]);
    expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each([
    [[], 'usage: fedrec'],
    ['coordinator'.split(' '), 'fedrec coordinator'],
    ['client'.split(' '), 'fedrec client'],
    ['client consent'.split(' '), 'fedrec client consent'],
    ['client ledger'.split(' '), 'fedrec client'],
    ['client forget'.split(' '), 'fedrec client'],
    ['recommend'.split(' '), 'fedrec recommend'],
    ['privacy'.split(' '), 'fedrec privacy'],
    ['baseline'.split(' '), 'fedrec baseline'],
    ['simulate'.split(' '), 'fedrec simulate'],
    ['keys'.split(' '), 'fedrec keys'],
    ['token'.split(' '), 'fedrec token issue'],
    ['token issue'.split(' '), 'fedrec token issue'],
  ])('fedrec %j -h / --help prints the usage and exits 0', async (words, start) => {
    for (const flag of ['-h', '--help']) {
      const r = await runCli([...words, flag]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.startsWith(start), r.stdout).toBe(true);
    }
  });
});

describe('unknown flags and commands', () => {
  it.each([
    [['simulat'], 'fedrec', 'unknown command "simulat"; did you mean "simulate"?'],
    [['--verison'], 'fedrec', 'unknown flag --verison; did you mean --version?'],
    [['simulate', '--sampling-rat', '0.1'], 'fedrec simulate', 'unknown flag --sampling-rat; did you mean --sampling-rate?'],
    [['simulate', '--sampling', '0.1'], 'fedrec simulate', 'unknown flag --sampling; did you mean --sampling-rate?'],
    [['baseline', '--epoch', '3'], 'fedrec baseline', 'unknown flag --epoch; did you mean --epochs?'],
    [['coordinator', '--catalog', 'x'], 'fedrec coordinator', 'unknown flag --catalog; did you mean --catalogue?'],
    [['recommend', '--state-dri', 'x'], 'fedrec recommend', 'unknown flag --state-dri; did you mean --state-dir?'],
    [['privacy', '--epsilon', '3'], 'fedrec privacy', 'unknown flag --epsilon; did you mean --target-epsilon?'],
    [['keys', '--froce'], 'fedrec keys', 'unknown flag --froce; did you mean --force?'],
    [['client', 'consnt'], 'fedrec client', 'unknown client subcommand "consnt"; did you mean "consent"?'],
    [['token', 'isue'], 'fedrec token', 'unknown token subcommand "isue"; did you mean "issue"?'],
    [['coordinator', '--zzzzzz'], 'fedrec coordinator', /^fedrec coordinator: FEDREC_USAGE: unknown flag --zzzzzz \(--help lists the flags\)$/],
    [['simulate', 'results.json'], 'fedrec simulate', 'unexpected argument "results.json"'],
  ])('%j → one sentence naming it, exit 2', async (args, command, sentence) => {
    expectUsage(await runCli(args), command, 'FEDREC_USAGE', sentence);
  });
});

describe('ordinary mistakes: exit 2, one coded sentence, before any work', () => {
  let busy: Server;
  let busyPort = 0;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
  });

  it('a port in use → FEDREC_PORT_IN_USE', async () => {
    const r = await runCli(['coordinator', '--items', '10', '--port', String(busyPort)]);
    expectUsage(r, 'fedrec coordinator', 'FEDREC_PORT_IN_USE', `port ${busyPort} on 127.0.0.1 is already in use`);
  });

  it.each([
    ['no-such-host.invalid', /--host no-such-host\.invalid cannot be resolved/],
    ['192.0.2.1', /--host 192\.0\.2\.1 is not an address of this machine/], // TEST-NET-1: never local
  ])('host %s → FEDREC_BAD_HOST', async (host, sentence) => {
    // --registration open: off loopback token enrollment is the default and would be refused first.
    expectUsage(await runCli(['coordinator', '--items', '10', '--port', '0', '--host', host, '--registration', 'open']), 'fedrec coordinator', 'FEDREC_BAD_HOST', sentence);
  });

  it.each([
    [['coordinator', '--items', '10', '--port', '0', '--state-dir', 'a-file'], 'fedrec coordinator'],
    [['simulate', '--state-dir', 'a-file'], 'fedrec simulate'],
    [['client', 'consent', '--state-dir', 'a-file', '--grant'], 'fedrec client'],
  ])('%j: a --state-dir that is a file → FEDREC_BAD_PATH', async (args, command) => {
    expectUsage(await runCli(args, { cwd: dir }), command, 'FEDREC_BAD_PATH', '--state-dir a-file is a file, not a directory');
  });

  it('a ratings file as --catalogue → FEDREC_BAD_PATH, "looks like a ratings file"', async () => {
    const r = await runCli(['coordinator', '--port', '0', '--catalogue', path('ratings.csv')]);
    expectUsage(r, 'fedrec coordinator', 'FEDREC_BAD_PATH', 'looks like a ratings file (user, item, rating columns), not a catalogue; give movies.csv or one id per line');
  });

  it('a budget that round 1 already exceeds → FEDREC_BUDGET_TOO_SMALL with the z that fits', async () => {
    const r = await runCli(['coordinator', '--port', '0', '--items', '10', '--noise-multiplier', '1', '--target-epsilon', '4', '--delta', '1e-5', '--rounds', '1']);
    expectUsage(r, 'fedrec coordinator', 'FEDREC_BUDGET_TOO_SMALL', /round 1 alone would spend ε 4\.75 > budget ε 4 .* use --noise-multiplier 1\.\d+ \(from `fedrec privacy --sampling-rate 1 --target-epsilon 4 --rounds 1 --delta 0\.00001`\)/);
  });

  it('a missing --catalogue → FEDREC_BAD_PATH naming it', async () => {
    expectUsage(await runCli(['coordinator', '--port', '0', '--catalogue', path('nope.csv')]), 'fedrec coordinator', 'FEDREC_BAD_PATH', `--catalogue ${path('nope.csv')} does not exist`);
  });

  it.each([
    [['coordinator', '--port', '0', '--catalogue', 'movies.csv', '--items', '5'], 'fedrec coordinator', '--catalogue and --items conflict'],
    [['coordinator', '--port', '0', '--items', '5', '--clients-per-round', '3', '--sampling-rate', '0.1'], 'fedrec coordinator', '--clients-per-round and --sampling-rate conflict'],
    [['simulate', '--clients-per-round', '3', '--sampling-rate', '0.1'], 'fedrec simulate', '--clients-per-round and --sampling-rate conflict'],
  ])('%j: conflicting flags → FEDREC_USAGE naming both', async (args, command, sentence) => {
    expectUsage(await runCli(args, { cwd: dir }), command, 'FEDREC_USAGE', sentence);
  });

  it.each([['simulate'], ['baseline']])('%s --out: a directory or a path under a file is refused before the run', async (command) => {
    const started = Date.now();
    expectUsage(await runCli([command, '--out', path('existing-dir')]), `fedrec ${command}`, 'FEDREC_BAD_PATH', `--out ${path('existing-dir')} is a directory: give a file name`);
    expectUsage(await runCli([command, '--out', path('a-file/result.json')]), `fedrec ${command}`, 'FEDREC_BAD_PATH', `--out ${path('a-file/result.json')} cannot be used`);
    expect(Date.now() - started).toBeLessThan(10_000); // far less than a run
  });

  it('baseline --out creates the missing directories and writes there', async () => {
    const out = path('new/deeper/b.json');
    const r = await runCli(['baseline', '--data', 'synthetic:users=60,items=50', '--epochs', '1', '--dim', '8', '--log-format', 'json', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8')).model.hr10).toBeGreaterThanOrEqual(0);
  });

  it('fedrec client with a missing --history → FEDREC_BAD_PATH, and nothing connects', async () => {
    const r = await runCli(['client', '--server', 'ws://127.0.0.1:9', '--history', path('no-history.csv'), '--state-dir', path('me')]);
    expectUsage(r, 'fedrec client', 'FEDREC_BAD_PATH', `--history ${path('no-history.csv')} does not exist`);
  });

  it('fedrec client with a --server that is not a ws:// URL → FEDREC_USAGE', async () => {
    const r = await runCli(['client', '--server', 'localhost:8787', '--history', path('movies.csv'), '--state-dir', path('me')]);
    expectUsage(r, 'fedrec client', 'FEDREC_USAGE', '--server must be a ws:// or wss:// URL');
  });

  it.each([
    [['recommend', '--state-dir', 'existing-dir'], 'fedrec recommend', '--state-dir existing-dir holds no fedrec client state'],
    [['client', 'ledger', '--state-dir', 'existing-dir'], 'fedrec client', '--state-dir existing-dir holds no fedrec client state'],
    [['recommend', '--state-dir', 'nowhere'], 'fedrec recommend', '--state-dir nowhere does not exist'],
    [['client', 'ledger', '--state-dir', 'nowhere'], 'fedrec client', '--state-dir nowhere does not exist'],
  ])('%j: a wrong --state-dir says there is no state there', async (args, command, sentence) => {
    expectUsage(await runCli(args, { cwd: dir }), command, 'FEDREC_BAD_PATH', sentence);
  });

  it('a number flag with a bad value names the flag', async () => {
    expectUsage(await runCli(['simulate', '--rounds', 'ten']), 'fedrec simulate', 'FEDREC_USAGE', '--rounds must be a positive integer, got "ten"');
    expectUsage(await runCli(['privacy', '--delta']), 'fedrec privacy', 'FEDREC_USAGE', '--delta needs a value');
  });
});

describe('runtime failures', () => {
  it('exit 1 with "code: message" and no stack; FEDREC_DEBUG=1 adds the stack', async () => {
    const me = path('consented');
    expect((await runCli(['client', 'consent', '--state-dir', me, '--grant'])).code).toBe(0);
    const r = await runCli(['recommend', '--state-dir', me]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^fedrec recommend: FEDREC_NO_MODEL: no trained model in .* yet/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    const debug = await runCli(['recommend', '--state-dir', me], { env: { FEDREC_DEBUG: '1' } });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(STACK_LINE);
  });
});

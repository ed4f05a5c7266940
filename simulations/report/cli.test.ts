// `fedrec report` as a user meets it (the built command, spawned): on the JSON of real small runs of
// `fedrec simulate` and `fedrec baseline`, the README's own report commands, and the mistakes that
// must end in one coded sentence with exit code 2.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fedrecBin, runCli, STACK_LINE, type CliResult } from '../../test-helpers/run-cli.js';
import { markupProblems, plottedPoints, referenceLines } from '../../test-helpers/svg-points.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let dir = '';
const at = (...p: string[]) => join(dir, ...p);
const readJson = async (p: string) => JSON.parse(await readFile(p, 'utf8'));

// Three real runs on one small population (no noise, z = 1, z = 2), evaluated at rounds 2 and 3 only
// (so round 1 has no HR@10), and the central baseline of the same population, at the paths the
// README's commands read.
const population = ['--data', 'synthetic:users=60,items=40', '--dim', '8', '--seed', '1'];
const runs = { '0': 'z0.json', '1.0': 'z1.0.json', '2.0': 'z2.0.json' } as const;
const pu = (name: string) => at('results', 'privacy-utility', name);

function ok(r: CliResult): CliResult {
  expect(r.code, r.stderr).toBe(0);
  return r;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-report-'));
  await mkdir(at('results', 'privacy-utility'), { recursive: true });
  await mkdir(at('results', 'movielens'), { recursive: true });
  const simulate = (z: string, out: string) =>
    runCli(['simulate', ...population, '--rounds', '3', '--eval-every', '2', '--sampling-rate', '0.5', '--workers', '1', '--noise-multiplier', z, '--log-format', 'json', '--out', out], { timeoutMs: 120_000 });
  const results = await Promise.all([
    ...Object.entries(runs).map(([z, name]) => simulate(z, pu(name))),
    runCli(['baseline', ...population, '--epochs', '2', '--log-format', 'json', '--out', pu('baseline.json')], { timeoutMs: 120_000 }),
  ]);
  for (const r of results) ok(r);
  // The quality section's files: the same noise-free run and baseline under the names it uses.
  await writeFile(at('results', 'movielens', 'sim-f32.json'), await readFile(pu('z0.json')));
  await writeFile(at('results', 'movielens', 'baseline.json'), await readFile(pu('baseline.json')));
}, 240_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  rounds: Array<{ round: number; hr10: number | null; ndcg10: number | null; epsilon: number | null }>;
  final: { hr10: number; epsilon: number | null };
}

describe('fedrec report on real runs', () => {
  it('charts one run: HR@10/NDCG@10 at its evaluated rounds only, and ε after every round', async () => {
    const r = ok(await runCli(['report', pu('z1.0.json'), '--out', at('one')]));
    expect(r.stdout).toBe(`wrote ${at('one', 'index.html')} and 2 chart(s) from 1 file(s)\n`);
    expect((await readdir(at('one'))).sort()).toEqual(['index.html', 'z1.0-epsilon.svg', 'z1.0-quality.svg']);
    const run = (await readJson(pu('z1.0.json'))) as Run;
    const evaluated = run.rounds.filter((x) => x.hr10 !== null);
    expect(evaluated.map((x) => x.round)).toEqual([2, 3]); // round 1 had no evaluation: not drawn
    const quality = plottedPoints(await readFile(at('one', 'z1.0-quality.svg'), 'utf8'));
    expect(quality.filter((p) => p.series === 'HR@10').map((p) => [p.x, p.y])).toEqual(evaluated.map((x) => [x.round, x.hr10]));
    expect(quality.filter((p) => p.series === 'NDCG@10').map((p) => [p.x, p.y])).toEqual(evaluated.map((x) => [x.round, x.ndcg10]));
    const epsilon = plottedPoints(await readFile(at('one', 'z1.0-epsilon.svg'), 'utf8'));
    expect(epsilon.map((p) => [p.x, p.y])).toEqual(run.rounds.map((x) => [x.round, x.epsilon]));
    expect(run.rounds.every((x) => typeof x.epsilon === 'number' && x.epsilon > 0)).toBe(true);
    const html = await readFile(at('one', 'index.html'), 'utf8');
    for (const f of ['z1.0-quality.svg', 'z1.0-epsilon.svg']) expect(html).toContain(`<a href="${f}">${f}</a>`);
  });

  it('across runs: the privacy–utility curve places each noisy run, the noise-free run and the baseline are lines', async () => {
    ok(await runCli(['report', ...Object.values(runs).map(pu), pu('baseline.json'), '--out', at('all'), '--title', 'Small runs']));
    const svg = await readFile(at('all', 'privacy-utility.svg'), 'utf8');
    expect(markupProblems(svg)).toEqual([]);
    const z1 = (await readJson(pu('z1.0.json'))) as Run;
    const z2 = (await readJson(pu('z2.0.json'))) as Run;
    const free = (await readJson(pu('z0.json'))) as Run;
    const base = await readJson(pu('baseline.json'));
    expect(plottedPoints(svg).map((p) => [p.x, p.y])).toEqual([[z2.final.epsilon, z2.final.hr10], [z1.final.epsilon, z1.final.hr10]]);
    expect(svg).toContain('>z = 1.0</text>');
    expect(svg).toContain('>z = 2.0</text>');
    expect(free.final.epsilon).toBeNull();
    expect(referenceLines(svg).map((l) => l.y)).toEqual([free.final.hr10, base.model.hr10, base.itemPop.hr10]);
    // The noise-free run's ε chart says so rather than plotting anything.
    const freeEpsilon = await readFile(at('all', 'z0-epsilon.svg'), 'utf8');
    expect(freeEpsilon).toContain('no noise (ε = ∞)');
    expect(plottedPoints(freeEpsilon)).toEqual([]);
    const html = await readFile(at('all', 'index.html'), 'utf8');
    expect(html).toContain('<h1>Small runs</h1>');
    for (const f of await readdir(at('all'))) if (f.endsWith('.svg')) expect(html).toContain(`<a href="${f}">`);
  });
});

/** Lines of the README's shell blocks that run `fedrec report`. */
async function readmeReportCommands(): Promise<{ readme: string; lines: string[] }> {
  const readme = await readFile(join(repo, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const lines = blocks.flatMap((b) => b.split('\n')).map((l) => l.trim()).filter((l) => l.startsWith('npx fedrec report '));
  return { readme, lines };
}

/** Runs a README line with bash, `npx fedrec` going to this checkout's build. */
function bash(line: string, cwd: string): Promise<{ code: number | null; out: string }> {
  const shim = `npx() { if [ "$1" = fedrec ]; then shift; "${process.execPath}" "${fedrecBin}" "$@"; else command npx "$@"; fi; }`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `${shim}\n${line}`], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

const outDir = (line: string) => /--out (\S+)/.exec(line)![1];

describe("the README's report commands", () => {
  it('each runs as written on the files the sections above them write', async () => {
    const { lines } = await readmeReportCommands();
    expect(lines.length).toBeGreaterThanOrEqual(2); // Quality and Privacy–utility
    for (const line of lines) {
      const r = await bash(line, dir);
      expect(r.code, `${line}\n${r.out}`).toBe(0);
      expect(existsSync(join(dir, outDir(line), 'index.html')), line).toBe(true);
    }
    const quality = lines.find((l) => l.includes('results/movielens/'))!;
    const curve = lines.find((l) => l.includes('results/privacy-utility/'))!;
    const sim = (await readJson(at('results', 'movielens', 'sim-f32.json'))) as Run;
    const hr = plottedPoints(await readFile(join(dir, outDir(quality), 'sim-f32-quality.svg'), 'utf8')).filter((p) => p.series === 'HR@10');
    expect(hr.map((p) => [p.x, p.y])).toEqual(sim.rounds.filter((x) => x.hr10 !== null).map((x) => [x.round, x.hr10]));
    expect(plottedPoints(await readFile(join(dir, outDir(curve), 'privacy-utility.svg'), 'utf8'))).toHaveLength(2);
  });

  it('the chart the README shows is one its report command writes, and is in the repository', async () => {
    const { readme, lines } = await readmeReportCommands();
    const images = [...readme.matchAll(/!\[[^\]]+\]\(([^)]+\.svg)\)/g)].map((m) => m[1]);
    expect(images.length).toBeGreaterThanOrEqual(1);
    for (const image of images) {
      expect(lines.some((l) => dirname(image) === outDir(l)), `${image} is written by no README report command`).toBe(true);
      const svg = await readFile(join(repo, image), 'utf8');
      expect(markupProblems(svg)).toEqual([]);
      expect(svg).toMatch(/<title id="[^"]+">[^<]+<\/title>\n<desc id="[^"]+">[^<]+<\/desc>/);
      expect(plottedPoints(svg).length).toBeGreaterThan(0);
    }
  });

  // The committed chart is the command's output: where the README's result files exist (they are
  // not in git; the Quality section's commands make them), running the command again gives it byte
  // for byte. The SVG holds only data, no paths or dates.
  const ml = ['sim-f32.json', 'baseline.json'].map((f) => join(repo, 'results', 'movielens', f));
  it.skipIf(!ml.every((f) => existsSync(f)))('redrawn from results/movielens, the committed chart is unchanged', async () => {
    const { readme, lines } = await readmeReportCommands();
    const image = [...readme.matchAll(/!\[[^\]]+\]\((docs\/[^)]+\.svg)\)/g)].map((m) => m[1]).find((i) => i.includes('movielens'))!;
    const out = at('redrawn');
    ok(await runCli(['report', ...ml, '--out', out]));
    expect(lines.some((l) => l.includes('results/movielens/sim-f32.json'))).toBe(true);
    expect(await readFile(join(out, image.split('/').at(-1)!), 'utf8')).toBe(await readFile(join(repo, image), 'utf8'));
  });
});

/** Exit code 2, nothing on stdout, one line `fedrec report: CODE: …`, no stack trace. */
function expectRefusal(r: CliResult, code: string, sentence: string | RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(STACK_LINE);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0].startsWith(`fedrec report: ${code}: `), lines[0]).toBe(true);
  if (typeof sentence === 'string') expect(lines[0]).toContain(sentence);
  else expect(lines[0]).toMatch(sentence);
}

describe('fedrec report mistakes', () => {
  beforeAll(async () => {
    await writeFile(at('a-file'), 'not a directory\n');
    await writeFile(at('notes.txt'), 'HR@10 went up\n');
    await writeFile(at('other.json'), '{"name": "fedrec", "version": "0.1.0"}\n');
    const run = await readJson(pu('z1.0.json'));
    delete run.final;
    await writeFile(at('no-final.json'), JSON.stringify(run));
  });

  it.each([
    [[], 'FEDREC_USAGE', 'give at least one result file: fedrec report FILE.json... --out DIR'],
    [['results/privacy-utility/z0.json'], 'FEDREC_USAGE', '--out DIR is required'],
    [['missing.json', '--out', 'out'], 'FEDREC_BAD_PATH', 'result file missing.json does not exist'],
    [['notes.txt', '--out', 'out'], 'FEDREC_BAD_RESULT_FILE', /notes\.txt is not JSON \(.+\)$/],
    [['other.json', '--out', 'out'], 'FEDREC_BAD_RESULT_FILE', 'other.json is not a fedrec result: it has neither "rounds" and "final"'],
    [['no-final.json', '--out', 'out'], 'FEDREC_BAD_RESULT_FILE', 'no-final.json is not a fedrec result: final is missing'],
    [['results/privacy-utility/z0.json', '--out', 'a-file'], 'FEDREC_BAD_PATH', '--out a-file is a file, not a directory'],
    [['results/privacy-utility/z0.json', '--out', 'a-file/report'], 'FEDREC_BAD_PATH', '--out a-file/report cannot be used: a part of the path is a file, not a directory'],
    [['results/privacy-utility/z0.json', '--otu', 'out'], 'FEDREC_USAGE', 'unknown flag --otu; did you mean --out?'],
    [['results/privacy-utility/z0.json', '--out', 'out', '--titel', 'x'], 'FEDREC_USAGE', 'unknown flag --titel; did you mean --title?'],
    [['results/privacy-utility/z0.json', '--out'], 'FEDREC_USAGE', '--out needs a value'],
  ])('%j → one coded sentence, exit 2', async (args, code, sentence) => {
    expectRefusal(await runCli(['report', ...args], { cwd: dir }), code, sentence);
  });

  it('writes nothing when one of the files is wrong', async () => {
    const r = await runCli(['report', 'results/privacy-utility/z0.json', 'other.json', '--out', 'half'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(existsSync(at('half'))).toBe(false);
  });

  it.each(['-h', '--help'])('%s prints the usage', async (flag) => {
    const r = await runCli(['report', flag]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.startsWith('fedrec report FILE.json... --out DIR [--title TEXT]')).toBe(true);
  });

  it('is listed by fedrec --help', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/^\s+report\s+write an HTML page and SVG charts/m);
  });
});

// buildReport on result objects shaped as `fedrec simulate/baseline --out` writes them: what is drawn
// is read back from the SVG and compared with the inputs.

import { describe, expect, it } from 'vitest';
import { markupProblems, plottedPoints, referenceLines } from '../../test-helpers/svg-points.js';
import { buildReport, type ReportFile } from './report.js';
import { type ResultFile, parseResultFile } from './result-files.js';

const population = 'synthetic(users=60,items=40,seed=1)';

function run(name: string, z: number, rounds: Array<[hr: number | null, eps: number | null]>, extra: Record<string, unknown> = {}): ResultFile {
  const json = {
    config: { population, users: 60, items: 40, noiseMultiplier: z, samplingRate: 0.5, clientsPerRound: null, clip: 10, aggregation: 'secure', delta: 1e-5, ...extra },
    rounds: rounds.map(([hr, eps], i) => ({ round: i + 1, participants: 30, committed: true, hr10: hr, ndcg10: hr === null ? null : hr / 2, evaluatedClients: hr === null ? 0 : 60, clipNorm: 10, epsilon: eps, seconds: 1 })),
    final: { hr10: [...rounds].reverse().find(([hr]) => hr !== null)?.[0] ?? null, ndcg10: null, epsilon: rounds.at(-1)?.[1] ?? null, delta: 1e-5, stoppedBy: 'rounds' },
    wallSeconds: 3,
  };
  return parseResultFile(JSON.stringify(json), `results/${name}.json`);
}

const baseline = (data = population) => parseResultFile(JSON.stringify({ data, itemPop: { hr10: 0.31, ndcg10: 0.2 }, model: { hr10: 0.72, ndcg10: 0.45 }, users: 60, items: 40 }), 'results/baseline.json');

const file = (files: ReportFile[], name: string) => {
  const f = files.find((x) => x.name === name);
  if (!f) throw new Error(`${name} not written; got ${files.map((x) => x.name).join(', ')}`);
  return f.content;
};

/** The drawn y must be one linear, decreasing function of the value: what is drawn is to scale. */
function expectToScale(points: Array<{ x: number; y: number; cx: number; cy: number }>): void {
  const [a, b] = points;
  const slope = (b.cy - a.cy) / (b.y - a.y);
  expect(slope).toBeLessThan(0);
  for (const p of points) expect(p.cy).toBeCloseTo(a.cy + (p.y - a.y) * slope, 0);
  const xs = [...points].sort((p, q) => p.x - q.x);
  for (let i = 1; i < xs.length; i++) if (xs[i].x > xs[i - 1].x) expect(xs[i].cx).toBeGreaterThan(xs[i - 1].cx);
}

describe('per-run charts', () => {
  it('draws HR@10 and NDCG@10 at the evaluated rounds only, with the baseline as reference lines', () => {
    const files = buildReport([run('sim', 0, [[null, null], [0.5, null], [null, null], [0.65, null]]), baseline()]);
    const svg = file(files, 'sim-quality.svg');
    const points = plottedPoints(svg);
    expect(points.filter((p) => p.series === 'HR@10').map((p) => [p.x, p.y])).toEqual([[2, 0.5], [4, 0.65]]);
    expect(points.filter((p) => p.series === 'NDCG@10').map((p) => [p.x, p.y])).toEqual([[2, 0.25], [4, 0.325]]);
    expectToScale(points);
    expect(referenceLines(svg).map((r) => r.y)).toEqual([0.72, 0.31]);
    expect(svg).toContain('central MF HR@10 0.720');
    expect(svg).toContain('ItemPop HR@10 0.310');
  });

  it('says "no noise (ε = ∞)" instead of plotting ε for a noise-free run', () => {
    const svg = file(buildReport([run('free', 0, [[0.5, null], [0.6, null]])]), 'free-epsilon.svg');
    expect(svg).toContain('no noise (ε = ∞)');
    expect(plottedPoints(svg)).toEqual([]);
    expect(svg).toMatch(/<desc[^>]*>[^<]*no noise[^<]*infinite/);
  });

  it('plots ε after every round of a noisy run, and the budget line when one was set', () => {
    const eps = [1.2, 1.5, 1.8];
    const svg = file(buildReport([run('noisy', 1, eps.map((e) => [0.5, e]), { budget: { epsilon: 2, delta: 1e-5 } })]), 'noisy-epsilon.svg');
    const points = plottedPoints(svg);
    expect(points.map((p) => [p.x, p.y])).toEqual(eps.map((e, i) => [i + 1, e]));
    expectToScale(points);
    expect(referenceLines(svg)).toEqual([expect.objectContaining({ y: 2 })]);
    expect(svg).toContain('ε at δ = 1e-5');
  });

  it('a run without any evaluation gets a sentence, not a line at 0', () => {
    const svg = file(buildReport([run('blind', 0, [[null, null], [null, null]])]), 'blind-quality.svg');
    expect(plottedPoints(svg)).toEqual([]);
    expect(svg).toContain('no evaluation released');
  });
});

describe('the privacy–utility curve', () => {
  const runs = [run('z0', 0, [[0.7, null]]), run('z1.0', 1, [[0.6, 1.9]]), run('z2.0', 2, [[0.5, 0.8]]), baseline()];

  it('places each noisy run at (final ε, final HR@10), labelled by z, with the noise-free run as a line', () => {
    const svg = file(buildReport(runs), 'privacy-utility.svg');
    const points = plottedPoints(svg);
    expect(points.map((p) => [p.x, p.y]).sort()).toEqual([[0.8, 0.5], [1.9, 0.6]]);
    expectToScale(points);
    expect(svg).toContain('>z = 1.0</text>');
    expect(svg).toContain('>z = 2.0</text>');
    const refs = referenceLines(svg);
    expect(refs.map((r) => r.y)).toEqual([0.7, 0.72, 0.31]);
    expect(refs[0].series).toMatch(/^no noise \(ε = ∞\)/);
  });

  it('is not drawn from fewer than two runs with a finite ε, and the page says why', () => {
    const files = buildReport([runs[0], runs[1]]);
    expect(files.map((f) => f.name)).not.toContain('privacy-utility.svg');
    expect(file(files, 'index.html')).toContain('needs two runs with a finite ε');
  });

  it('keeps populations apart, and a baseline of another population off the charts', () => {
    const other = run('other', 1, [[0.4, 3]], { population: 'movielens(ml-latest-small)' });
    const files = buildReport([...runs.slice(0, 3), other, baseline('movielens(ml-latest-small)')]);
    expect(plottedPoints(file(files, 'privacy-utility.svg'))).toHaveLength(2);
    expect(files.map((f) => f.name)).not.toContain('privacy-utility-2.svg');
    expect(referenceLines(file(files, 'z1.0-quality.svg'))).toEqual([]);
    expect(referenceLines(file(files, 'other-quality.svg')).map((r) => r.y)).toEqual([0.72, 0.31]);
  });
});

describe('the files', () => {
  const files = buildReport([run('z1.0', 1, [[0.6, 1.9]]), run('z2.0', 2, [[0.5, 0.8]]), run('z1.0', 1, [[0.55, 1.9]]), baseline()], 'Report <&> title');
  const html = file(files, 'index.html');
  const svgs = files.filter((f) => f.name.endsWith('.svg'));

  it('gives repeated file names distinct charts', () => {
    expect(svgs.map((f) => f.name).sort()).toEqual(['privacy-utility.svg', 'z1.0-2-epsilon.svg', 'z1.0-2-quality.svg', 'z1.0-epsilon.svg', 'z1.0-quality.svg', 'z2.0-epsilon.svg', 'z2.0-quality.svg']);
  });

  it.each(['privacy-utility.svg', 'z1.0-quality.svg', 'z2.0-epsilon.svg'])('%s is a balanced 640×400 SVG with its own <title> and <desc>', (name) => {
    const svg = file(files, name);
    expect(markupProblems(svg)).toEqual([]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="640" height="400" viewBox="0 0 640 400" role="img"/);
    const id = /aria-labelledby="([^ "]+)-title /.exec(svg)![1];
    expect(svg).toMatch(new RegExp(`<title id="${id}-title">[^<]+</title>\\n<desc id="${id}-desc">[^<]{40,}</desc>`));
    expect(svg).toContain('class="legend"');
  });

  it('the page inlines and links every chart, escapes what it shows, and needs nothing else', () => {
    for (const f of svgs) {
      expect(html).toContain(`<a href="${f.name}">`);
      expect(html).toContain(f.content.trimEnd());
    }
    expect(markupProblems(html, ['meta', 'br'])).toEqual([]);
    expect(html).toContain('<title>Report &lt;&amp;&gt; title</title>');
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    // Ids must stay unique once every chart is inline on one page.
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('tables each run with its final figures', () => {
    expect(html).toContain('<td class="n">0.6000</td>');
    expect(html).toContain('1.90 (δ = 1e-5)');
    expect(html).toContain('<td class="n">0.7200</td>'); // central MF HR@10
  });

  it('is the same for the same inputs (nothing in it depends on when it was made)', () => {
    const again = buildReport([run('z1.0', 1, [[0.6, 1.9]]), run('z2.0', 2, [[0.5, 0.8]]), run('z1.0', 1, [[0.55, 1.9]]), baseline()], 'Report <&> title');
    expect(again).toEqual(files);
  });
});

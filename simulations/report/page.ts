// The report's index.html: one self-contained page (inline CSS, the charts inline as SVG and linked as
// files, no script, nothing fetched) with a table of each run's settings and final figures.

import { fmt, fmtDelta, fmtEpsilon, noiseLabel, populationOf } from './charts.js';
import type { BaselineFigures, RunResult } from './result-files.js';
import { escapeXml as esc } from './svg-chart.js';

export interface PageChart {
  file: string;
  svg: string;
  caption: string;
}

export interface PageInput {
  title: string;
  runs: RunResult[];
  baselines: BaselineFigures[];
  /** One per population with runs: its curve, or why there is none. */
  curves: Array<{ population: string; chart: PageChart | null; note: string | null }>;
  perRun: Array<{ run: RunResult; charts: PageChart[] }>;
}

const CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; margin: 2rem auto; max-width: 1340px; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin-bottom: 0.4rem; }
.sources { color: #444; font-size: 0.9rem; }
table { border-collapse: collapse; font-size: 0.88rem; margin: 0.6rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; border: 1px solid #e3e3e3; padding: 0.4rem; background: #fff; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: #333; max-width: 640px; }
.note { color: #555; font-style: italic; }
`;

const dash = '—';
const cell = (v: unknown): string => (v === undefined || v === null ? dash : esc(String(v)));
const n = (v: number | null, f: (x: number) => string = (x) => fmt(x, 4)) => (v === null ? dash : f(v));

function clientsPerRound(c: Record<string, unknown>): string {
  if (typeof c.clientsPerRound === 'number') return String(c.clientsPerRound);
  if (typeof c.samplingRate === 'number') return `q = ${c.samplingRate}`;
  return dash;
}

function runRow(r: RunResult): string {
  const c = r.config;
  const committed = r.rounds.filter((x) => x.committed).length;
  const size = typeof c.users === 'number' && typeof c.items === 'number' ? `${c.users} × ${c.items}` : dash;
  const epsilon = r.final.epsilon === null ? '∞ (no noise)' : `${fmtEpsilon(r.final.epsilon)}${r.final.delta === null ? '' : ` (δ = ${fmtDelta(r.final.delta)})`}`;
  return `<tr><td><a href="#${esc(r.name)}">${esc(r.name)}</a><br><small>${esc(r.source)}</small></td><td>${esc(populationOf(r))}</td><td class="n">${size}</td>`
    + `<td class="n">${committed} / ${r.rounds.length}</td><td class="n">${esc(clientsPerRound(c))}</td><td class="n">${esc(noiseLabel(r)?.replace('z = ', '') ?? dash)}</td>`
    + `<td class="n">${cell(c.clip)}</td><td>${cell(c.aggregation)}</td><td>${cell(c.serverOptimizer)} ${typeof c.serverLr === 'number' ? `(lr ${c.serverLr})` : ''}</td>`
    + `<td class="n">${n(r.final.hr10)}</td><td class="n">${n(r.final.ndcg10)}</td><td class="n">${esc(epsilon)}</td><td>${cell(r.final.stoppedBy)}</td>`
    + `<td class="n">${r.wallSeconds === null ? dash : `${r.wallSeconds.toFixed(0)} s`}</td></tr>`;
}

function baselineRow(b: BaselineFigures, runs: RunResult[]): string {
  const used = runs.some((r) => populationOf(r) === b.population);
  return `<tr><td>${esc(b.name)}<br><small>${esc(b.source)}</small></td><td>${cell(b.population)}${used ? '' : ' <span class="note">(no run in this report is on this population)</span>'}</td>`
    + `<td class="n">${fmt(b.model.hr10, 4)}</td><td class="n">${fmt(b.model.ndcg10, 4)}</td><td class="n">${fmt(b.itemPop.hr10, 4)}</td><td class="n">${fmt(b.itemPop.ndcg10, 4)}</td></tr>`;
}

function figure(c: PageChart): string {
  return `<figure>\n${c.svg}<figcaption>${esc(c.caption)} <a href="${esc(c.file)}">${esc(c.file)}</a></figcaption>\n</figure>`;
}

export function renderPage(p: PageInput): string {
  const out: string[] = [];
  out.push('<!doctype html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${esc(p.title)}</title>`, `<style>${CSS}</style>`, '</head>', '<body>');
  out.push(`<h1>${esc(p.title)}</h1>`);
  out.push(`<p class="sources">Made by <code>fedrec report</code> from ${[...p.runs, ...p.baselines].map((r) => `<code>${esc(r.source)}</code>`).join(', ')}.</p>`);

  if (p.runs.length) {
    out.push('<h2>Runs</h2>', '<table>');
    out.push('<tr><th>run</th><th>population</th><th>users × items</th><th>committed / rounds</th><th>clients a round</th><th>noise z</th><th>clip</th><th>aggregation</th><th>server optimizer</th><th>final HR@10</th><th>final NDCG@10</th><th>final ε</th><th>stopped by</th><th>wall time</th></tr>');
    for (const r of p.runs) out.push(runRow(r));
    out.push('</table>');
  }
  if (p.baselines.length) {
    out.push('<h2>Central baselines</h2>', '<table>');
    out.push('<tr><th>file</th><th>population</th><th>central MF HR@10</th><th>central MF NDCG@10</th><th>ItemPop HR@10</th><th>ItemPop NDCG@10</th></tr>');
    for (const b of p.baselines) out.push(baselineRow(b, p.runs));
    out.push('</table>');
  }
  if (p.curves.some((c) => c.chart || c.note)) {
    out.push('<h2>Privacy–utility</h2>');
    for (const c of p.curves) {
      if (c.chart) out.push(`<div class="charts">${figure(c.chart)}</div>`);
      else if (c.note) out.push(`<p class="note">${esc(c.population)}: ${esc(c.note)}</p>`);
    }
  }
  for (const { run, charts } of p.perRun) {
    out.push(`<h2 id="${esc(run.name)}">${esc(run.name)}</h2>`);
    out.push(`<div class="charts">${charts.map(figure).join('\n')}</div>`);
  }
  out.push('</body>', '</html>');
  return out.join('\n') + '\n';
}

// What each chart of a report shows, as chart specs: quality per round and ε per round for one run,
// and the privacy–utility curve across runs of one population. Values are taken as the result files
// give them; a round without evaluation is left out, never drawn as 0, and ε = ∞ is said, not plotted.

import type { BaselineFigures, RunResult } from './result-files.js';
import type { ChartPoint, ChartSpec, ReferenceLine } from './svg-chart.js';

// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies.
const BLUE = '#0072B2';
const VERMILLION = '#D55E00';
const GREEN = '#009E73';
const PURPLE = '#CC79A7';
const BLACK = '#222222';

export const fmt = (v: number, digits = 3) => v.toFixed(digits);
export const fmtEpsilon = (v: number) => (v >= 0.1 ? v.toFixed(2) : v.toPrecision(2));
/** δ as people write it: 1e-5, not 0.00001. */
export const fmtDelta = (v: number) => (v < 1e-3 ? v.toExponential() : String(v));

/** "z = 1.0" from a run's config (null when the file does not say). */
export function noiseLabel(run: RunResult): string | null {
  const z = run.config.noiseMultiplier;
  if (typeof z !== 'number') return null;
  return `z = ${Number.isInteger(z) ? z.toFixed(1) : z}`;
}

/** The population a run was on, as the baseline command names it too. */
export function populationOf(run: RunResult): string {
  const p = run.config.population ?? run.config.data;
  return typeof p === 'string' ? p : 'unknown population';
}

function baselineLines(b: BaselineFigures | undefined): ReferenceLine[] {
  if (!b) return [];
  return [
    { name: `central MF HR@10 ${fmt(b.model.hr10)}`, y: b.model.hr10, color: GREEN, dash: '8 4' },
    { name: `ItemPop HR@10 ${fmt(b.itemPop.hr10)}`, y: b.itemPop.hr10, color: PURPLE, dash: '2 3' },
  ];
}

function lastRound(run: RunResult): number | null {
  return run.rounds.length ? Math.max(...run.rounds.map((r) => r.round)) : null;
}

function describeTrend(what: string, pts: ChartPoint[]): string {
  if (pts.length === 0) return '';
  const first = pts[0];
  const last = pts[pts.length - 1];
  const best = pts.reduce((a, b) => (b.y > a.y ? b : a));
  return `${what} went from ${fmt(first.y)} at round ${first.x} to ${fmt(last.y)} at round ${last.x} (best ${fmt(best.y)} at round ${best.x}).`;
}

/** HR@10 and NDCG@10 at the evaluated rounds of one run, with the central baselines when known. */
export function qualityChart(run: RunResult, baseline: BaselineFigures | undefined, id: string): ChartSpec {
  const evaluated = run.rounds.filter((r) => r.hr10 !== null && r.ndcg10 !== null);
  const hr = evaluated.map((r) => ({ x: r.round, y: r.hr10!, tooltip: `round ${r.round}: HR@10 ${fmt(r.hr10!, 4)}` }));
  const ndcg = evaluated.map((r) => ({ x: r.round, y: r.ndcg10!, tooltip: `round ${r.round}: NDCG@10 ${fmt(r.ndcg10!, 4)}` }));
  const last = lastRound(run);
  const references = baselineLines(baseline);
  const refText = baseline ? ` Same population, trained centrally: MF HR@10 ${fmt(baseline.model.hr10)}, ItemPop HR@10 ${fmt(baseline.itemPop.hr10)}.` : '';
  return {
    id,
    title: `${run.name}: HR@10 and NDCG@10 per round`,
    desc:
      evaluated.length === 0
        ? `No round of ${run.name} released an evaluation, so there is no quality to plot.`
        : `Leave-one-out HR@10 and NDCG@10 measured on the clients, at the ${evaluated.length} evaluated round(s) of ${run.rounds.length}; rounds without evaluation are left out. ${describeTrend('HR@10', hr)} ${describeTrend('NDCG@10', ndcg)}${refText}`,
    xLabel: 'round',
    yLabel: 'HR@10 / NDCG@10',
    series: [
      { name: 'HR@10', points: hr, color: BLUE, marker: 'circle', line: true },
      { name: 'NDCG@10', points: ndcg, color: VERMILLION, marker: 'square', dash: '6 3', line: true },
    ],
    references: evaluated.length ? references : [],
    xRange: last === null ? undefined : [1, last],
    xInteger: true,
    message: evaluated.length ? undefined : run.rounds.length ? 'no evaluation released in this run' : 'no rounds in this run',
  };
}

/** ε spent after each round (the coordinator's accountant), with the budget when one was set. */
export function epsilonChart(run: RunResult, id: string): ChartSpec {
  const delta = run.final.delta ?? (typeof run.config.delta === 'number' ? run.config.delta : null);
  const deltaText = delta === null ? '' : ` at δ = ${fmtDelta(delta)}`;
  const finite = run.rounds.filter((r) => r.epsilon !== null);
  const points = finite.map((r) => ({ x: r.round, y: r.epsilon!, tooltip: `round ${r.round}${r.committed ? '' : ' (abandoned: nothing published, no ε spent)'}: ε ${fmtEpsilon(r.epsilon!)}` }));
  const budget = (run.config.budget as { epsilon?: unknown } | null | undefined)?.epsilon;
  const references: ReferenceLine[] = typeof budget === 'number' && points.length ? [{ name: `budget ε = ${budget}`, y: budget, color: BLACK, dash: '4 4' }] : [];
  const last = lastRound(run);
  const noiseFree = finite.length === 0 && run.rounds.length > 0;
  const z = noiseLabel(run);
  return {
    id,
    title: `${run.name}: privacy spent (ε${deltaText}) per round`,
    desc: noiseFree
      ? `${run.name} added no noise${z ? ` (${z})` : ''}: ε is infinite, the run has no differential-privacy guarantee, and there is nothing to plot.`
      : points.length
        ? `ε${deltaText} after each round, from the coordinator's RDP accountant${z ? ` (${z})` : ''}: ${fmtEpsilon(points[0].y)} after round ${points[0].x}, ${fmtEpsilon(points[points.length - 1].y)} after round ${points[points.length - 1].x}.${references.length ? ` Budget ε = ${budget}.` : ''}`
        : `${run.name} has no rounds.`,
    xLabel: 'round',
    yLabel: `ε${deltaText}`,
    series: [{ name: `ε spent${z ? ` (${z})` : ''}`, points, color: BLUE, marker: 'circle', line: true }],
    references,
    xRange: last === null ? undefined : [1, last],
    xInteger: true,
    yFromZero: true,
    message: noiseFree ? 'no noise (ε = ∞): no privacy guarantee' : points.length ? undefined : 'no rounds in this run',
  };
}

/** Runs of one population that the curve can place: a finite ε and a released final HR@10. */
export function curveRuns(runs: RunResult[]): RunResult[] {
  return runs.filter((r) => r.final.epsilon !== null && r.final.hr10 !== null);
}

/**
 * Final HR@10 against final ε across runs of one population (null below two placeable runs); noise-free
 * runs and the central baselines are horizontal lines.
 */
export function privacyUtilityChart(runs: RunResult[], baseline: BaselineFigures | undefined, id: string): ChartSpec | null {
  const placed = curveRuns(runs);
  if (placed.length < 2) return null;
  const deltas = [...new Set(placed.map((r) => r.final.delta))];
  const deltaText = deltas.length === 1 && deltas[0] !== null ? ` at δ = ${fmtDelta(deltas[0])}` : '';
  const points = placed.map((r) => ({
    x: r.final.epsilon!,
    y: r.final.hr10!,
    label: noiseLabel(r) ?? r.name,
    tooltip: `${r.name}: ${noiseLabel(r) ?? 'z unknown'}, ε ${fmtEpsilon(r.final.epsilon!)}, HR@10 ${fmt(r.final.hr10!)}`,
  }));
  const noiseFree = runs.filter((r) => r.final.epsilon === null && r.final.hr10 !== null);
  const references: ReferenceLine[] = [
    ...noiseFree.map((r) => ({ name: `no noise (ε = ∞)${noiseFree.length > 1 ? ` ${r.name}` : ''} HR@10 ${fmt(r.final.hr10!)}`, y: r.final.hr10!, color: BLACK, dash: '4 4' })),
    ...baselineLines(baseline),
  ];
  const sorted = [...points].sort((a, b) => a.x - b.x);
  return {
    id,
    title: `Privacy–utility: final HR@10 against ε${deltaText}`,
    desc: `Final HR@10 of ${placed.length} runs on ${populationOf(placed[0])} against the ε each spent${deltaText}: ${sorted.map((p) => `${p.label}: ε ${fmtEpsilon(p.x)}, HR@10 ${fmt(p.y)}`).join('; ')}.${references.map((r) => ` ${r.name}.`).join('')}`,
    xLabel: `ε${deltaText} (final)`,
    yLabel: 'HR@10 (final)',
    series: [{ name: 'final HR@10 at final ε', points, color: BLUE, marker: 'circle', line: true }],
    references,
    xFromZero: true,
  };
}

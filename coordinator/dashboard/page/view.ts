// Puts a snapshot on the page: the phase sentence, the tiles, the four per-round charts and the two
// tables. Text only through textContent: nothing the coordinator sends is parsed as HTML.

import { type DashboardSnapshot, formatDelta, formatEpsilon, lastEvaluation, num3, waitingFor } from '../snapshot.js';
import { RoundChart } from './charts.js';

const $ = (id: string) => document.getElementById(id)!;
const text = (id: string, value: string) => {
  const el = $(id);
  if (el.textContent !== value) el.textContent = value;
};

const COLORS = { blue: '#0b5cad', red: '#b42318', green: '#1a7f37', amber: '#9a6700', grey: '#57606a' };

export class DashboardView {
  private readonly charts = {
    reports: new RoundChart($('chart-reports'), [{ label: 'selected', color: COLORS.grey, dash: [4, 4], digits: 0 }, { label: 'reports', color: COLORS.blue, digits: 0 }, { label: 'dropped', color: COLORS.red, digits: 0 }]),
    duration: new RoundChart($('chart-duration'), [{ label: 'seconds', color: COLORS.amber, digits: 1 }]),
    epsilon: new RoundChart($('chart-epsilon'), [{ label: 'ε spent', color: COLORS.blue, digits: 3 }, { label: 'budget', color: COLORS.red, dash: [6, 4], digits: 3 }]),
    quality: new RoundChart($('chart-quality'), [{ label: 'HR@10', color: COLORS.green, digits: 3 }, { label: 'NDCG@10', color: COLORS.blue, digits: 3 }]),
  };

  render(s: DashboardSnapshot): void {
    $('board').hidden = false;
    const phase = $('phase');
    phase.dataset.state = s.status.phase;
    const since = s.openPhase ? ` (open ${Math.max(0, Math.round((s.at - s.openPhase.openedAt) / 1000))} s)` : '';
    text('phase', waitingFor(s) + since);
    text('updated', `updated ${new Date(s.at).toLocaleTimeString()}`);
    this.tiles(s);
    this.plot(s);
    this.tables(s);
  }

  private tiles(s: DashboardSnapshot): void {
    const committed = s.rounds.filter((r) => r.committed).length;
    text('round', String(s.status.round));
    text('round-note', `${s.plannedRounds > 0 ? `of ${s.plannedRounds} · ` : ''}${committed} committed, ${s.rounds.length - committed} abandoned · model v${s.status.modelVersion}`);
    text('clients', String(s.clients.connected));
    text('clients-note', `connected · ${s.clients.enrolled} enrolled · ${s.clients.available} available, rounds need ${s.clients.minClients}`);
    const p = s.privacy;
    text('epsilon', p.epsilon === null ? '∞' : num3(p.epsilon));
    // The bar fills with the share of the budget spent; a noise-free run (ε = ∞) fills it at once.
    const share = p.epsilon === null ? 1 : p.budget ? Math.min(1, p.epsilon / p.budget.epsilon) : 0;
    const delta = `δ ${formatDelta(p.budget?.delta ?? p.delta)}`;
    text('epsilon-note', p.budget ? `of ${p.budget.epsilon}${p.epsilon === null ? '' : ` (${Math.round(share * 100)} %)`} · ${delta}` : `${p.epsilon === null ? 'no noise' : 'no budget'} · ${delta}`);
    const bar = $('epsilon-bar');
    bar.style.width = `${(share * 100).toFixed(1)}%`;
    bar.dataset.level = share > 0.9 ? 'high' : 'normal';
    text('clip', num3(p.clipNorm));
    text('clip-note', `noise z ${p.noiseMultiplier} · ${p.aggregation} aggregation`);
    const ev = lastEvaluation(s);
    text('evaluation', ev?.evaluation ? ev.evaluation.hr10.toFixed(3) : '–');
    text('evaluation-note', ev?.evaluation ? `HR@10 · NDCG@10 ${ev.evaluation.ndcg10.toFixed(3)} · round ${ev.round}, ${ev.evaluation.clients} clients` : 'none released yet');
  }

  private plot(s: DashboardSnapshot): void {
    const x = s.rounds.map((r) => r.round);
    this.charts.reports.update(x, [s.rounds.map((r) => r.sampled), s.rounds.map((r) => r.reported), s.rounds.map((r) => r.dropped)]);
    this.charts.duration.update(x, [s.rounds.map((r) => r.seconds)]);
    const budget = s.privacy.budget?.epsilon ?? null;
    this.charts.epsilon.update(x, [s.rounds.map((r) => r.epsilon), s.rounds.map(() => budget)]);
    text('epsilon-caption', s.privacy.epsilon === null && s.rounds.length > 0 ? 'ε spent: ∞, this run adds no noise' : budget === null ? 'ε spent (no budget set)' : `ε spent against the budget of ${budget}`);
    this.charts.quality.update(x, [s.rounds.map((r) => r.evaluation?.hr10 ?? null), s.rounds.map((r) => r.evaluation?.ndcg10 ?? null)]);
  }

  private tables(s: DashboardSnapshot): void {
    const rows = s.rounds.slice(-8).reverse().map((r) => {
      const outcome = r.committed ? 'committed' : `abandoned (${r.abandonedBy})`;
      return row([String(r.round), outcome, `${r.reported}/${r.sampled}`, String(r.dropped), r.seconds.toFixed(1), formatEpsilon(r.epsilon)], r.committed ? 'committed' : 'abandoned');
    });
    $('rounds').replaceChildren(...rows);
    text('recent-head', `last ${s.recentMinutes} min`);
    $('rejections').replaceChildren(...s.rejections.map((r) => row([r.code, String(r.recent), String(r.total)])));
    $('rejections-empty').hidden = s.rejections.length > 0;
  }
}

function row(cells: string[], outcomeClass?: string): HTMLTableRowElement {
  const tr = document.createElement('tr');
  cells.forEach((c, i) => {
    const td = document.createElement('td');
    td.textContent = c;
    if (i === 1 && outcomeClass) td.className = `text ${outcomeClass}`;
    tr.append(td);
  });
  return tr;
}

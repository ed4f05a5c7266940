// `fedrec status` on a terminal: the dashboard's summary as a few aligned lines (the same sentences as
// the page, from coordinator/dashboard/snapshot.ts).

import { describePrivacy, type DashboardSnapshot, formatEpsilon, lastEvaluation, num3, waitingFor } from '../coordinator/dashboard/snapshot.js';

/** Rounds listed under "last rounds". */
export const ROUNDS_SHOWN = 5;

export function formatStatus(url: string, s: DashboardSnapshot): string {
  const since = s.openPhase ? ` (open ${Math.max(0, Math.round((s.at - s.openPhase.openedAt) / 1000))} s)` : '';
  const c = s.clients;
  const p = s.privacy;
  const ev = lastEvaluation(s);
  const committed = s.rounds.filter((r) => r.committed).length;
  const lines = [
    `fedrec coordinator at ${url}, ${new Date(s.at).toLocaleTimeString()}`,
    `  now         ${waitingFor(s)}${since}`,
    `  clients     ${c.connected} connected, ${c.enrolled} enrolled, ${c.available} available (rounds need ${c.minClients})`,
    `  privacy     ${describePrivacy(p)}; clip norm ${num3(p.clipNorm)}, noise z ${p.noiseMultiplier}, ${p.aggregation} aggregation`,
    `  evaluation  ${ev?.evaluation ? `HR@10 ${ev.evaluation.hr10.toFixed(3)}, NDCG@10 ${ev.evaluation.ndcg10.toFixed(3)} (round ${ev.round}, ${ev.evaluation.clients} clients)` : 'none released yet'}`,
    `  rounds      ${s.rounds.length === 0 ? 'none finished yet' : `${committed} committed, ${s.rounds.length - committed} abandoned`}${s.plannedRounds > 0 ? ` (${s.plannedRounds} planned)` : ''}`,
  ];
  if (s.rounds.length > 0) lines.push(...roundTable(s));
  const rejections = s.rejections.map((r) => `${r.code} ${r.total}${r.recent ? ` (${r.recent} in the last ${s.recentMinutes} min)` : ''}`);
  lines.push(`  rejections  ${rejections.length ? rejections.join(', ') : 'none'}`);
  return lines.join('\n');
}

function roundTable(s: DashboardSnapshot): string[] {
  const rows = [['round', 'outcome', 'reports', 'dropped', 'seconds', 'ε after']];
  for (const r of s.rounds.slice(-ROUNDS_SHOWN).reverse()) {
    rows.push([String(r.round), r.committed ? 'committed' : `abandoned (${r.abandonedBy})`, `${r.reported}/${r.sampled}`, String(r.dropped), r.seconds.toFixed(1), formatEpsilon(r.epsilon)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  // Text columns left, numbers right.
  return rows.map((row) => `    ${row.map((cell, i) => (i === 1 || i === 5 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd()}`);
}

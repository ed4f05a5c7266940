// Top-10 with titles and the reason each was chosen, all computed on this device. Recomputed only
// when the model, the history or the catalogue changed, not on every keystroke elsewhere.

import type { AppState } from '../app-state.js';
import { consentNow } from '../app-state.js';
import { becauseText, recommendationsFor, type Recommendations, type ShownRecommendation } from '../recommendations.js';
import { h, replaceKeepingFocus } from './dom.js';

export class RecsView {
  private readonly body = h('div');
  private last: { client: unknown; history: unknown; byId: unknown; recs: Recommendations } | null = null;

  constructor(root: HTMLElement) {
    root.replaceChildren(h('h2', {}, 'Recommended for you'), this.body);
  }

  render(s: AppState): void {
    if (!this.last || this.last.client !== s.client || this.last.history !== s.history || this.last.byId !== s.byId) {
      this.last = { client: s.client, history: s.history, byId: s.byId, recs: recommendationsFor(s.client, s.history, s.byId) };
    }
    const recs = this.last.recs;
    if (recs.kind === 'no-model') return replaceKeepingFocus(this.body, h('p', { class: 'empty' }, emptyText(s)));
    replaceKeepingFocus(
      this.body,
      h('p', { class: 'help' }, `Computed on this device from shared model version ${recs.modelVersion} and your own taste vector. Nothing about them is sent.`),
      h('ol', { class: 'recs' }, recs.items.map(row)),
    );
  }
}

function row(r: ShownRecommendation): HTMLElement {
  const because = becauseText(r.because);
  const taste = r.factors.find((f) => f.name === 'taste');
  const pop = r.factors.find((f) => f.name === 'popularity');
  const factors = taste && pop && taste.value + pop.value > 0 ? `${percent(taste.value)} your taste, ${percent(pop.value)} popularity` : null;
  return h(
    'li',
    { class: 'rec', testid: `recommendation-${r.rank}` },
    h('span', { class: 'rank', 'aria-hidden': 'true' }, String(r.rank)),
    h(
      'div',
      { class: 'rec-text' },
      h('span', { class: 'title' }, r.title),
      r.genres.length ? h('span', { class: 'genres' }, r.genres.join(' · ')) : null,
      h('span', { class: 'why', testid: `recommendation-${r.rank}-why` }, because ?? 'Chosen from your taste vector; none of your marked items is close to it.'),
      factors ? h('span', { class: 'factors' }, `Score: ${factors}`) : null,
    ),
  );
}

function emptyText(s: AppState): string {
  const c = consentNow(s).kind;
  const base = 'No recommendations yet. They need the shared model, which this device receives when it is picked for a round';
  if (c !== 'granted') return `${base}, and that needs your yes first.`;
  if (s.history.length === 0) return `${base}. Mark a few items you viewed or bought to take part.`;
  return `${base}; that happens at random, usually within a few rounds.`;
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

// The consent screen: what leaves the device and what never does, the kinds of history that may
// train, the person's own ε limit. Built once each time it opens, so a refresh of the page's data
// never wipes what the person is typing; only the coordinator's declared numbers update in place.

import type { InteractionKind } from '../../../../shared/data/types.js';
import type { AppState } from '../app-state.js';
import { consentNow } from '../app-state.js';
import { CONSENT_VALID_DAYS } from '../consent-policy.js';
import { formatDelta, formatEpsilon } from '../coordinator-api.js';
import { formatTime, h } from './dom.js';

export interface ConsentActions {
  accept(kinds: InteractionKind[], epsilonText: string): void;
  decline(): void;
}

export class ConsentView {
  private open = false;
  private declared: HTMLElement = h('p');
  private clip: HTMLElement = h('span');
  private error: HTMLElement = h('p', { class: 'error', role: 'alert' });

  constructor(
    private readonly root: HTMLElement,
    private readonly act: ConsentActions,
  ) {}

  render(s: AppState): void {
    this.root.hidden = !s.consentOpen;
    if (s.consentOpen && !this.open) this.build(s);
    this.open = s.consentOpen;
    if (!s.consentOpen) return;
    this.declared.textContent = declaredText(s);
    this.clip.textContent = s.privacy ? ` (at most ${s.privacy.clipNorm} in size)` : '';
    this.error.textContent = s.consentError ?? '';
  }

  private build(s: AppState): void {
    const status = consentNow(s);
    const prev = status.kind === 'none' ? null : status.consent;
    const kinds = prev && prev.kinds.length > 0 ? prev.kinds : (['view', 'purchase'] as InteractionKind[]);
    const viewed = h('input', { type: 'checkbox', id: 'kind-view', testid: 'kind-viewed', checked: kinds.includes('view') });
    const bought = h('input', { type: 'checkbox', id: 'kind-purchase', testid: 'kind-bought', checked: kinds.includes('purchase') });
    const limit = h('input', { type: 'number', id: 'epsilon-limit', testid: 'epsilon-limit', min: '0', step: 'any', inputmode: 'decimal', value: prev?.maxEpsilon ?? '', 'aria-describedby': 'epsilon-help' });
    const heading = h('h2', { id: 'consent-title', tabindex: '-1' }, 'Train recommendations on this device?');
    const submit = (ev: Event) => {
      ev.preventDefault();
      const chosen: InteractionKind[] = [];
      if (viewed.checked) chosen.push('view');
      if (bought.checked) chosen.push('purchase');
      this.act.accept(chosen, limit.value);
    };
    this.root.replaceChildren(
      h(
        'form',
        { class: 'card consent', 'aria-labelledby': 'consent-title', onsubmit: submit },
        heading,
        status.kind === 'expired' ? h('p', { class: 'note' }, `Your yes from ${formatTime(status.consent.at)} ran out on ${formatTime(status.expiredAt.toISOString())}. Nothing has been sent since. Please choose again.`) : null,
        h('p', {}, 'Your recommendations learn from what you view and buy. The shared model improves when many devices each learn a little, on the device, and send back only a change to the model.'),
        h(
          'div',
          { class: 'two-col' },
          h('div', { class: 'leaves' }, h('h3', {}, 'What leaves this device'), h('ul', {}, h('li', {}, 'A model update: how the shared model should change after learning from your history, clipped', this.clip, ' and ', h('strong', {}, 'masked'), ' by secure aggregation, so the coordinator sees only the sum of a whole round’s updates, never yours.'), h('li', {}, 'One bit inside the masked update: whether yours had to be clipped.'), h('li', {}, 'A random id for this device, and fresh encryption keys each round.'))),
          h('div', { class: 'stays' }, h('h3', {}, 'What never leaves'), h('ul', {}, h('li', {}, 'Your history: what you viewed or bought.'), h('li', {}, 'Your personal taste vector (the part of the model that is about you).'), h('li', {}, 'Your recommendations and why they were chosen: they are computed here.'))),
        ),
        h('fieldset', {}, h('legend', {}, 'What may train the shared model'), h('label', { class: 'check' }, viewed, ' What I viewed'), h('label', { class: 'check' }, bought, ' What I bought')),
        h('label', { for: 'epsilon-limit', class: 'field-label' }, 'My privacy limit (ε)'),
        limit,
        h('p', { id: 'epsilon-help', class: 'help' }, 'Lower ε means more privacy. Your device refuses to take part if the coordinator’s privacy budget is above your limit. Leave it empty for no limit.'),
        this.declared,
        h('p', { class: 'help' }, `Your yes lasts ${CONSENT_VALID_DAYS} days; then this screen asks again. You can pause at any time, download your data, or have it forgotten.`),
        this.error,
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', testid: 'consent-accept' }, 'Yes, train on this device'), h('button', { type: 'button', testid: 'consent-decline', onclick: () => this.act.decline() }, status.kind === 'granted' ? 'Cancel' : 'Not now')),
      ),
    );
    heading.focus();
  }
}

function declaredText(s: AppState): string {
  const p = s.privacy;
  if (!p) return s.privacyError ?? 'Reading the coordinator’s privacy report…';
  const budget = p.budget ? `a privacy budget of ε = ${formatEpsilon(p.budget.epsilon)} at δ = ${formatDelta(p.budget.delta)}` : 'no privacy budget';
  const agg = p.aggregation === 'secure' ? 'runs secure aggregation' : 'does NOT run secure aggregation (your device will refuse it)';
  return `This coordinator ${agg}, declares ${budget}, and has spent ε = ${formatEpsilon(p.epsilon)} so far (${p.roundsDone} round${p.roundsDone === 1 ? '' : 's'}).`;
}

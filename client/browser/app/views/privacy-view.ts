// The privacy panel: how this device's updates are protected, what the coordinator reports it has
// spent (GET /privacy) against the person's own limit, and every update that left (the ledger the
// client core keeps in IndexedDB).

import type { LedgerEntry } from '../../../store.js';
import type { AppState } from '../app-state.js';
import { consentNow } from '../app-state.js';
import { formatDelta, formatEpsilon } from '../coordinator-api.js';
import { formatBytes } from '../status-text.js';
import { formatTime, h, replaceKeepingFocus } from './dom.js';

export class PrivacyView {
  private readonly body = h('div');

  constructor(root: HTMLElement) {
    root.replaceChildren(h('h2', {}, 'Privacy'), this.body);
  }

  render(s: AppState): void {
    const ledger = s.client?.ledger ?? [];
    replaceKeepingFocus(this.body, h('dl', { class: 'facts' }, facts(s, ledger)), h('h3', {}, 'Updates that left this device'), ledgerTable(ledger));
  }
}

function fact(term: string, value: string, testid: string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', { testid }, value)];
}

function facts(s: AppState, ledger: readonly LedgerEntry[]): HTMLElement[] {
  const p = s.privacy;
  const c = consentNow(s);
  const limit = c.kind === 'none' ? null : c.consent.maxEpsilon;
  const noised = ledger.filter((e) => e.localNoiseStddev > 0).length;
  const out = [
    ...fact('Secure aggregation', !p ? '…' : p.aggregation === 'secure' ? 'On: the coordinator sees only the sum of each round’s masked updates.' : 'Off at this coordinator: your device refuses to send to it.', 'privacy-secagg'),
    ...fact('Noise on the shared model', !p ? '…' : p.noiseMultiplier > 0 ? `On: the coordinator adds Gaussian noise (multiplier ${p.noiseMultiplier}) to each round’s sum.` : 'None: the coordinator adds no noise, so there is no formal privacy guarantee (ε = ∞).', 'privacy-noise'),
    ...fact('Privacy spent by the coordinator', !p ? (s.privacyError ?? '…') : `ε = ${formatEpsilon(p.epsilon)} at δ = ${formatDelta(p.delta)}, over ${p.roundsDone} round${p.roundsDone === 1 ? '' : 's'}${p.budget ? `; budget ε = ${formatEpsilon(p.budget.epsilon)}` : '; no budget declared'}`, 'privacy-spent'),
    ...fact('Your limit', limit === null ? 'None set' : `ε ≤ ${limit}`, 'privacy-limit'),
    ...fact('Local noise on this device', noised > 0 ? `On for ${noised} of ${ledger.length} updates.` : 'Off: this app adds no noise of its own before masking.', 'privacy-local-noise'),
  ];
  return out;
}

function ledgerTable(ledger: readonly LedgerEntry[]): HTMLElement {
  if (ledger.length === 0) return h('p', { class: 'empty', testid: 'ledger-empty' }, 'Nothing has left this device yet.');
  const total = ledger.reduce((n, e) => n + e.bytes, 0);
  const rows = [...ledger].reverse().map((e) =>
    h(
      'tr',
      { testid: 'ledger-row' },
      h('td', {}, String(e.round)),
      h('td', {}, h('time', { datetime: e.at }, formatTime(e.at))),
      h('td', { class: 'num' }, formatBytes(e.bytes)),
      h('td', {}, e.aggregation === 'secure' ? 'masked' : e.aggregation === 'plaintext' ? 'not masked' : 'unknown'),
    ),
  );
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', {}, h('caption', { class: 'sr-only' }, 'Updates that left this device'), h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Round'), h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col' }, 'Size'), h('th', { scope: 'col' }, 'Sent as'))), h('tbody', {}, rows)),
    h('p', { class: 'help' }, `${ledger.length} update${ledger.length === 1 ? '' : 's'}, ${formatBytes(total)} in all.`),
  );
}

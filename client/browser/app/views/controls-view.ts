// The status line with pause/resume (top of the page), and "Your data": change choices, download
// everything stored on the device, forget me (with a confirmation step: it cannot be undone).

import type { AppState } from '../app-state.js';
import { consentNow } from '../app-state.js';
import { formatTime, h, replaceKeepingFocus } from './dom.js';

export interface ControlActions {
  pause(): void;
  openConsent(): void;
  download(): void;
  askForget(): void;
  forget(): void;
  cancelForget(): void;
}

export class StatusView {
  private readonly line = h('p', { class: 'status-text', testid: 'status', role: 'status', 'aria-live': 'polite' });
  private readonly button = h('div', { class: 'status-action' });
  private readonly log = h('ol', { class: 'log' });

  constructor(
    root: HTMLElement,
    private readonly act: ControlActions,
  ) {
    root.replaceChildren(h('div', { class: 'status-row' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), this.line, this.button), h('details', { class: 'activity' }, h('summary', {}, 'Activity on this device'), this.log));
  }

  render(s: AppState): void {
    this.line.textContent = s.status.text;
    this.line.parentElement!.dataset.phase = s.status.phase;
    const granted = consentNow(s).kind === 'granted';
    replaceKeepingFocus(
      this.button,
      s.consentOpen ? null : granted ? h('button', { type: 'button', testid: 'pause', onclick: () => this.act.pause() }, 'Pause training') : h('button', { type: 'button', class: 'primary', testid: 'pause', onclick: () => this.act.openConsent() }, consentNow(s).kind === 'none' ? 'Start training…' : 'Resume training…'),
    );
    this.log.replaceChildren(...s.log.map((l) => h('li', { class: l.level }, h('time', { datetime: l.at }, formatTime(l.at)), ' ', l.text)));
  }
}

export class DataView {
  private readonly body = h('div');

  constructor(
    root: HTMLElement,
    private readonly act: ControlActions,
  ) {
    root.replaceChildren(h('h2', {}, 'Your data'), this.body);
  }

  render(s: AppState): void {
    const c = consentNow(s);
    const choice =
      c.kind === 'none'
        ? 'You have not said yes to training.'
        : `${c.kind === 'granted' ? 'Training on' : c.kind === 'paused' ? 'Paused; you had chosen' : 'Expired; you had chosen'}: ${c.consent.kinds.map((k) => (k === 'view' ? 'what you viewed' : 'what you bought')).join(' and ') || 'nothing'}${c.kind === 'granted' ? ` (until ${formatTime(c.expiresAt.toISOString())})` : ''}.`;
    const confirm =
      s.forget === 'idle'
        ? null
        : h(
            'div',
            { class: 'confirm', role: 'group', 'aria-labelledby': 'forget-q' },
            h('p', { id: 'forget-q' }, 'Delete your history, consent, taste vector, model copy and ledger from this device, and ask the coordinator to drop this device’s id? This cannot be undone.'),
            h('button', { type: 'button', class: 'danger', testid: 'forget-me-confirm', disabled: s.forget === 'working', onclick: () => this.act.forget() }, s.forget === 'working' ? 'Forgetting…' : 'Yes, forget me'),
            h('button', { type: 'button', testid: 'forget-me-cancel', disabled: s.forget === 'working', onclick: () => this.act.cancelForget() }, 'Cancel'),
          );
    replaceKeepingFocus(
      this.body,
      h('p', {}, choice, ` ${s.history.length} history entr${s.history.length === 1 ? 'y' : 'ies'} on this device.`),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', testid: 'change-choices', onclick: () => this.act.openConsent() }, 'Change my choices'),
        h('button', { type: 'button', testid: 'download-data', onclick: () => this.act.download() }, 'Download my data'),
        h('button', { type: 'button', class: 'danger', testid: 'forget-me', 'aria-expanded': s.forget !== 'idle' ? 'true' : 'false', onclick: () => this.act.askForget() }, 'Forget me'),
      ),
      confirm,
      h('p', { class: 'notice', role: 'status', testid: 'notice' }, s.notice ?? ''),
    );
  }
}

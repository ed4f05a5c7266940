// The client core's store in the app: its state in IndexedDbStore, the consent apart in the app's
// database. Kept apart, a decision made on the page (pause, a new limit) is never overwritten by the
// worker saving its state, and the running client sees it on its next poll. An expired yes reads as
// a no, so expiry stops the client through the same gate as an opt-out.

import type { ClientState, ClientStore, Consent } from '../../store.js';
import type { AppDb } from './app-db.js';
import { effectiveConsent, toStored } from './consent-policy.js';

export interface ClientStateStore {
  load(): Promise<ClientState | null>;
  save(state: ClientState): Promise<void>;
  clear(): Promise<void>;
}

export class AppStore implements ClientStore {
  constructor(
    private readonly state: ClientStateStore,
    private readonly app: AppDb,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async load(): Promise<ClientState | null> {
    const s = await this.state.load();
    if (s) s.consent = await this.loadConsent();
    return s;
  }

  save(state: ClientState): Promise<void> {
    return this.state.save(state);
  }

  async clear(): Promise<void> {
    await this.state.clear();
    await this.app.clear();
  }

  async loadConsent(): Promise<Consent | null> {
    return effectiveConsent(await this.app.consent(), this.now());
  }

  async saveConsent(consent: Consent): Promise<void> {
    await this.app.saveConsent(toStored(consent));
  }
}

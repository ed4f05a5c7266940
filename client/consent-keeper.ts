// The person's consent as the running client sees it: read from the store each time it matters (a
// revoke written by another process or tab counts), watched while running, and never written back
// from an older copy. Once revoked, nothing more leaves the device.

import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { ClientLogger } from './logger.js';
import type { ClientState, ClientStore, Consent } from './store.js';

export class ConsentKeeper {
  /** Set as soon as a revoke is seen; the client's send() refuses from then on. */
  revoked = false;

  constructor(
    private readonly store: ClientStore,
    private readonly state: () => ClientState,
    private readonly log: ClientLogger,
    /** Stops the client (leaves the coordinator) once a revoke is seen. */
    private readonly stopClient: () => void,
  ) {}

  /** The consent as stored now; falls back to the one in memory. */
  async current(): Promise<Consent | null> {
    const st = this.state();
    const stored = this.store.loadConsent ? await this.store.loadConsent() : null;
    if (stored) st.consent = stored;
    if (!st.consent?.granted) this.revoked = true;
    return st.consent;
  }

  /** Re-reads consent right before something leaves the device; throws FEDREC_NO_CONSENT when revoked. */
  async ensure(stopped: boolean): Promise<void> {
    const c = await this.current();
    if (!c?.granted) {
      if (!stopped) this.onRevoked();
      throw new FedrecError(ErrorCodes.NO_CONSENT, 'consent was revoked on this device; nothing is sent');
    }
  }

  /** Records the person's decision where every client on this device reads it. */
  async persist(consent: Consent): Promise<void> {
    this.state().consent = consent;
    if (this.store.saveConsent) await this.store.saveConsent(consent);
    else await this.store.save(this.state());
  }

  /** Polls the stored consent while running: a revoke written elsewhere stops this client. */
  watch(pollMs: number, stopped: () => boolean): { stop: () => void } {
    if (!this.store.loadConsent) return { stop: () => {} };
    let busy = false;
    const timer = setInterval(() => {
      if (busy || stopped()) return;
      busy = true;
      this.current()
        .then((c) => {
          if (!c?.granted && !stopped()) this.onRevoked();
        })
        .catch((err: Error) => this.log.warn({ event: 'consent-read-failed', err: err.message }, 'could not read the stored consent'))
        .finally(() => (busy = false));
    }, pollMs);
    (timer as { unref?: () => void }).unref?.();
    return { stop: () => clearInterval(timer) };
  }

  private onRevoked(): void {
    this.revoked = true;
    this.log.info({ event: 'consent-revoked' }, 'consent was revoked: stopping; nothing more leaves this device');
    this.stopClient();
  }
}

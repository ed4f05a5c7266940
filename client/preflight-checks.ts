// What a device checks before it connects at all: consent, something to train on, and — when it can
// read GET /privacy — that the coordinator's declared privacy is acceptable. A refusal here means the
// coordinator never learns this device's id.

import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { ClientOptions } from './client-options.js';
import type { LocalDataset } from './local-data.js';
import { fetchDeclaredPrivacy } from './privacy-check.js';
import type { Consent } from './store.js';
import { checkDeclaredPrivacy } from './welcome.js';

/** Throws FEDREC_NO_CONSENT or FEDREC_EMPTY_HISTORY; returns the granted consent. */
export function checkConsentAndHistory(consent: Consent | null, data: LocalDataset): Consent {
  if (!consent?.granted) throw new FedrecError(ErrorCodes.NO_CONSENT, 'the user has not opted in to federated training on this device');
  const train = data.train;
  if (train.length === 0) throw new FedrecError(ErrorCodes.EMPTY_HISTORY, 'the history is empty: there is nothing to train on, so this device does not join');
  const kinds = new Set(consent.kinds);
  if (!train.some((i) => kinds.has(i.kind))) {
    throw new FedrecError(ErrorCodes.EMPTY_HISTORY, `none of the ${train.length} interactions is of a kind you let train (${consent.kinds.join(', ') || 'none'}): grant more kinds or add history`);
  }
  return consent;
}

/**
 * With a user ε limit the declared budget must be readable (an unreachable coordinator is
 * FEDREC_UNREACHABLE, not a verdict). Without one, a plaintext coordinator is still refused before
 * it sees the id; if GET /privacy cannot be read, the welcome (checked the same way) guards instead.
 */
export async function checkDeclaredBeforeJoining(consent: Consent, o: Pick<ClientOptions, 'url' | 'fetch' | 'allowPlaintext' | 'admit'>): Promise<void> {
  if (consent.maxEpsilon !== null) {
    const declared = await fetchDeclaredPrivacy(o.url, o.fetch).catch((err: FedrecError) => {
      if (err.cause !== undefined) throw new FedrecError(ErrorCodes.UNREACHABLE, `could not reach the coordinator at ${o.url} to read its privacy budget (${(err.cause as Error)?.message ?? String(err.cause)})`, { cause: err.cause });
      throw err;
    });
    checkDeclaredPrivacy(declared, consent, o);
  } else if (!o.allowPlaintext) {
    const declared = await fetchDeclaredPrivacy(o.url, o.fetch).catch(() => null);
    if (declared) checkDeclaredPrivacy(declared, consent, o);
  }
}

// What a device checks in the coordinator's welcome before it takes part: the declared privacy
// (the user's ε limit, secure aggregation unless the user allowed plaintext, the app's own check)
// and the public catalogue (hash-checked, or the copy it already holds).

import { makeCatalogue } from '../shared/model/catalogue.js';
import { bytesToInt32 } from '../shared/protocol/binary.js';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { PrivacySummary, WelcomeMessage } from '../shared/protocol/messages.js';
import type { ClientOptions } from './client-options.js';
import { checkPrivacy } from './privacy-check.js';
import type { ClientState, Consent } from './store.js';

/** Throws (FEDREC_PRIVACY_LIMIT, FEDREC_INSECURE_AGGREGATION, or the app's own error) to refuse. */
export function checkDeclaredPrivacy(privacy: PrivacySummary, consent: Consent | null, o: Pick<ClientOptions, 'allowPlaintext' | 'admit'>): void {
  const limit = consent?.maxEpsilon;
  if (limit !== null && limit !== undefined) checkPrivacy(privacy, limit);
  if (privacy.aggregation !== 'secure' && !o.allowPlaintext) {
    throw new FedrecError(ErrorCodes.INSECURE_AGGREGATION, "the coordinator does not run secure aggregation, so it would see this device's update; refusing (allow plaintext aggregation explicitly to join anyway)");
  }
  o.admit?.(privacy);
}

/** The catalogue this device will use, from the welcome or its own copy; throws FEDREC_CATALOGUE_MISMATCH. */
export function catalogueFromWelcome(w: WelcomeMessage, held: ClientState['catalogue'], cache: Map<string, Int32Array> | undefined): NonNullable<ClientState['catalogue']> {
  const version = w.catalogue.version;
  if (w.catalogue.itemIds) {
    let ids = cache?.get(version);
    if (!ids) {
      ids = bytesToInt32(w.catalogue.itemIds);
      const cat = makeCatalogue(ids);
      if (cat.version !== version) throw new FedrecError(ErrorCodes.CATALOGUE_MISMATCH, `catalogue content hashes to ${cat.version}, the coordinator says ${version}`);
      cache?.set(version, ids);
    }
    return { version, itemIds: ids };
  }
  if (held && held.version === version) return held;
  const cached = cache?.get(version);
  if (!cached) throw new FedrecError(ErrorCodes.CATALOGUE_MISMATCH, `no copy of catalogue ${version} on this device`);
  return { version, itemIds: cached };
}

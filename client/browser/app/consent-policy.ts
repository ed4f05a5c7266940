// How long a person's yes lasts, and what their stored decision means now. A consent is kept with
// the time it runs out; past that time it counts as not given (the device stops and asks again),
// through the same gate as an opt-out, so FedrecClient needs to know nothing about expiry.

import type { InteractionKind } from '../../../shared/data/types.js';
import type { Consent } from '../../store.js';

/** A yes lasts this long; then the app asks again. */
export const CONSENT_VALID_DAYS = 90;
const DAY_MS = 24 * 3600 * 1000;

/** The consent as the app keeps it: the person's decision and when a yes runs out (null for a no). */
export interface StoredConsent {
  consent: Consent;
  expiresAt: string | null;
}

export function toStored(consent: Consent, validDays = CONSENT_VALID_DAYS): StoredConsent {
  const expiresAt = consent.granted ? new Date(Date.parse(consent.at) + validDays * DAY_MS).toISOString() : null;
  return { consent, expiresAt };
}

export type ConsentStatus =
  | { kind: 'none' }
  | { kind: 'granted'; consent: Consent; expiresAt: Date }
  | { kind: 'expired'; consent: Consent; expiredAt: Date }
  | { kind: 'paused'; consent: Consent };

export function consentStatus(stored: StoredConsent | null, now: Date): ConsentStatus {
  if (!stored) return { kind: 'none' };
  const c = stored.consent;
  if (!c.granted) return { kind: 'paused', consent: c };
  // A yes without an end date is not one this app gave; treat it as expired and ask again.
  const end = stored.expiresAt === null ? new Date(Number.NaN) : new Date(stored.expiresAt);
  if (!(now.getTime() < end.getTime())) return { kind: 'expired', consent: c, expiredAt: end };
  return { kind: 'granted', consent: c, expiresAt: end };
}

/** What the client core is told: an expired yes is a no. */
export function effectiveConsent(stored: StoredConsent | null, now: Date): Consent | null {
  const s = consentStatus(stored, now);
  if (s.kind === 'none') return null;
  return s.kind === 'granted' ? s.consent : { ...s.consent, granted: false };
}

/** A fresh yes from the consent screen. */
export function grant(kinds: InteractionKind[], maxEpsilon: number | null, now: Date): Consent {
  if (kinds.length === 0) throw new RangeError('choose at least one kind of history to train on');
  if (maxEpsilon !== null && !(maxEpsilon > 0)) throw new RangeError('the privacy limit ε must be a number above 0, or empty for none');
  return { granted: true, kinds: [...kinds], maxEpsilon, at: now.toISOString() };
}

/** An opt-out that keeps the person's choices, so the consent screen can offer them again. */
export function revoke(previous: Consent | null, now: Date): Consent {
  return { kinds: previous?.kinds ?? [], maxEpsilon: previous?.maxEpsilon ?? null, granted: false, at: now.toISOString() };
}

/** The ε limit field: empty means no limit; anything else must be a number above 0. */
export function parseEpsilonLimit(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  const v = Number(t);
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`the privacy limit must be a number above 0 (or empty for none), not "${t}"`);
  return v;
}

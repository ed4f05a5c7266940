import { describe, expect, it } from 'vitest';
import { CONSENT_VALID_DAYS, consentStatus, effectiveConsent, grant, parseEpsilonLimit, revoke, toStored } from './consent-policy.js';

const day = 24 * 3600 * 1000;
const t0 = new Date('2026-01-10T12:00:00.000Z');

describe('consent policy: a yes that runs out', () => {
  it('a yes lasts CONSENT_VALID_DAYS and then counts as a no, to the millisecond', () => {
    const stored = toStored(grant(['view'], 4, t0));
    expect(stored.expiresAt).toBe(new Date(t0.getTime() + CONSENT_VALID_DAYS * day).toISOString());
    const end = new Date(stored.expiresAt!);
    expect(consentStatus(stored, new Date(end.getTime() - 1)).kind).toBe('granted');
    expect(consentStatus(stored, end)).toMatchObject({ kind: 'expired', expiredAt: end });
    expect(effectiveConsent(stored, new Date(end.getTime() - 1))).toEqual(stored.consent);
    expect(effectiveConsent(stored, end)).toEqual({ ...stored.consent, granted: false });
  });

  it('no answer, an opt-out, and a yes without an end date', () => {
    expect(consentStatus(null, t0)).toEqual({ kind: 'none' });
    expect(effectiveConsent(null, t0)).toBeNull();
    const paused = toStored(revoke(grant(['view', 'purchase'], null, t0), t0));
    expect(paused.expiresAt).toBeNull();
    expect(consentStatus(paused, t0)).toMatchObject({ kind: 'paused', consent: { kinds: ['view', 'purchase'], granted: false } });
    // Written by something other than this app: asked again rather than trusted forever.
    expect(consentStatus({ consent: grant(['view'], null, t0), expiresAt: null }, t0).kind).toBe('expired');
  });

  it('an opt-out keeps the choices so the consent screen can offer them again', () => {
    expect(revoke(grant(['purchase'], 2, t0), t0)).toEqual({ granted: false, kinds: ['purchase'], maxEpsilon: 2, at: t0.toISOString() });
    expect(revoke(null, t0)).toEqual({ granted: false, kinds: [], maxEpsilon: null, at: t0.toISOString() });
  });

  it('refuses a yes to nothing and a limit that is not a positive number', () => {
    expect(() => grant([], null, t0)).toThrow(/at least one kind/);
    expect(() => grant(['view'], 0, t0)).toThrow(/above 0/);
    expect(parseEpsilonLimit('  ')).toBeNull();
    expect(parseEpsilonLimit('2.5')).toBe(2.5);
    for (const bad of ['0', '-1', 'abc', 'Infinity']) expect(() => parseEpsilonLimit(bad)).toThrow(/above 0/);
  });
});

import { describe, expect, it } from 'vitest';
import { generateEnrollmentKeys, issueToken, parseTtl, subjectHash, UsedTokens, verifyToken } from './enrollment-token.js';

const keys = generateEnrollmentKeys();
const other = generateEnrollmentKeys();
const NOW = 1_700_000_000;

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));

describe('enrollment tokens', () => {
  it('round trip: the subject, a 128-bit token id and the expiry come back', () => {
    const token = issueToken(keys.privateKeyPem, { subject: 'account-42', ttlSeconds: 3600, now: NOW });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const v = verifyToken(token, keys.publicKeyPem, { now: NOW + 10 });
    expect(v).toEqual({ subject: 'account-42', tokenId: expect.stringMatching(/^[0-9a-f]{32}$/), expiresAt: NOW + 3600 });
    expect(payloadOf(token)).toEqual({ v: 1, sub: 'account-42', jti: v.tokenId, iat: NOW, exp: NOW + 3600 });
    // Two tokens for one subject are two different tokens.
    expect(verifyToken(issueToken(keys.privateKeyPem, { subject: 'account-42', ttlSeconds: 3600, now: NOW }), keys.publicKeyPem, { now: NOW }).tokenId).not.toBe(v.tokenId);
  });

  it('uses the clock when no time is given', () => {
    const token = issueToken(keys.privateKeyPem, { subject: 's', ttlSeconds: 60 });
    expect(verifyToken(token, keys.publicKeyPem).subject).toBe('s');
  });

  it('an expired token → FEDREC_TOKEN_EXPIRED (strictly at exp), and one issued too far ahead too', () => {
    const token = issueToken(keys.privateKeyPem, { subject: 's', ttlSeconds: 60, now: NOW });
    expect(verifyToken(token, keys.publicKeyPem, { now: NOW + 59 }).subject).toBe('s');
    expect(() => verifyToken(token, keys.publicKeyPem, { now: NOW + 60 })).toThrow(expect.objectContaining({ code: 'FEDREC_TOKEN_EXPIRED' }));
    expect(() => verifyToken(token, keys.publicKeyPem, { now: NOW + 86_400 })).toThrow(expect.objectContaining({ code: 'FEDREC_TOKEN_EXPIRED' }));
    // Issued by a backend whose clock runs 30 s ahead: within the default leeway.
    expect(verifyToken(token, keys.publicKeyPem, { now: NOW - 30 }).subject).toBe('s');
    expect(() => verifyToken(token, keys.publicKeyPem, { now: NOW - 30, leewaySeconds: 10 })).toThrow(expect.objectContaining({ code: 'FEDREC_TOKEN_EXPIRED', message: expect.stringMatching(/not valid yet/) }));
  });

  it('a tampered payload, a tampered signature or another key → FEDREC_UNAUTHORIZED', () => {
    const token = issueToken(keys.privateKeyPem, { subject: 'alice', ttlSeconds: 3600, now: NOW });
    const [payload, signature] = token.split('.');
    const forged = `${b64({ ...payloadOf(token), sub: 'mallory' })}.${signature}`;
    const flipped = `${payload}.${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const extended = `${b64({ ...payloadOf(token), exp: NOW + 10 ** 8 })}.${signature}`;
    const foreign = issueToken(other.privateKeyPem, { subject: 'alice', ttlSeconds: 3600, now: NOW });
    for (const bad of [forged, flipped, extended, foreign]) {
      expect(() => verifyToken(bad, keys.publicKeyPem, { now: NOW })).toThrow(expect.objectContaining({ code: 'FEDREC_UNAUTHORIZED' }));
    }
  });

  it.each([
    ['empty', ''],
    ['no dot', 'abc'],
    ['three parts', 'a.b.c'],
    ['not base64url', 'a+b.c/d'],
    ['a short signature', `${b64({ v: 1 })}.AAAA`],
    ['huge', `${'A'.repeat(5000)}.AAAA`],
  ])('a malformed token (%s) → FEDREC_UNAUTHORIZED', (_what, token) => {
    expect(() => verifyToken(token, keys.publicKeyPem, { now: NOW })).toThrow(expect.objectContaining({ code: 'FEDREC_UNAUTHORIZED' }));
  });

  it('a correctly signed payload of the wrong shape → FEDREC_UNAUTHORIZED', async () => {
    const { createPrivateKey, sign } = await import('node:crypto');
    const key = createPrivateKey(keys.privateKeyPem);
    const signed = (p: unknown) => {
      const bytes = Buffer.from(JSON.stringify(p));
      return `${bytes.toString('base64url')}.${sign(null, bytes, key).toString('base64url')}`;
    };
    const good = { v: 1, sub: 's', jti: 'ab'.repeat(16), iat: NOW, exp: NOW + 60 };
    expect(verifyToken(signed(good), keys.publicKeyPem, { now: NOW }).subject).toBe('s');
    for (const bad of [{ ...good, v: 2 }, { ...good, sub: '' }, { ...good, jti: 'x' }, { ...good, exp: NOW }, { ...good, iat: 'now' }, { ...good, aud: 5 }, [good], null]) {
      expect(() => verifyToken(signed(bad), keys.publicKeyPem, { now: NOW })).toThrow(expect.objectContaining({ code: 'FEDREC_UNAUTHORIZED' }));
    }
  });

  it('an audience, when the verifier names one, must match', () => {
    const forA = issueToken(keys.privateKeyPem, { subject: 's', ttlSeconds: 60, audience: 'recs-a', now: NOW });
    const forNone = issueToken(keys.privateKeyPem, { subject: 's', ttlSeconds: 60, now: NOW });
    expect(verifyToken(forA, keys.publicKeyPem, { now: NOW, audience: 'recs-a' }).subject).toBe('s');
    expect(verifyToken(forA, keys.publicKeyPem, { now: NOW }).subject).toBe('s');
    for (const t of [forA, forNone]) {
      expect(() => verifyToken(t, keys.publicKeyPem, { now: NOW, audience: 'recs-b' })).toThrow(expect.objectContaining({ code: 'FEDREC_UNAUTHORIZED' }));
    }
  });

  it('refuses to issue nonsense and to use a key that is not Ed25519', async () => {
    expect(() => issueToken(keys.privateKeyPem, { subject: '', ttlSeconds: 60 })).toThrow(RangeError);
    expect(() => issueToken(keys.privateKeyPem, { subject: 's', ttlSeconds: 0 })).toThrow(RangeError);
    expect(() => issueToken(keys.privateKeyPem, { subject: 's', ttlSeconds: 1.5 })).toThrow(RangeError);
    const { generateKeyPairSync } = await import('node:crypto');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => issueToken(ec.privateKey, { subject: 's', ttlSeconds: 60 })).toThrow(/Ed25519/);
    expect(() => verifyToken('a.b', ec.publicKey)).toThrow(/Ed25519/);
  });
});

describe('UsedTokens', () => {
  it('a reused token → FEDREC_TOKEN_REUSED', () => {
    const used = new UsedTokens();
    const { tokenId, expiresAt } = verifyToken(issueToken(keys.privateKeyPem, { subject: 's', ttlSeconds: 60, now: NOW }), keys.publicKeyPem, { now: NOW });
    used.check(tokenId, expiresAt, NOW);
    expect(() => used.check(tokenId, expiresAt, NOW + 1)).toThrow(expect.objectContaining({ code: 'FEDREC_TOKEN_REUSED' }));
    used.check('cd'.repeat(16), expiresAt, NOW + 1); // another token is fine
  });

  it('forgets ids once their tokens have expired, and survives a restart', () => {
    const used = new UsedTokens();
    used.check('a'.repeat(32), NOW + 10, NOW);
    used.check('b'.repeat(32), NOW + 100, NOW);
    used.prune(NOW + 9);
    expect(used.size).toBe(2);
    used.prune(NOW + 10);
    expect(used.size).toBe(1);
    const restored = UsedTokens.from(JSON.parse(JSON.stringify(used)));
    expect(restored.size).toBe(1);
    expect(() => restored.check('b'.repeat(32), NOW + 100, NOW + 50)).toThrow(expect.objectContaining({ code: 'FEDREC_TOKEN_REUSED' }));
    restored.prune(NOW + 100);
    expect(restored.size).toBe(0);
    expect(() => UsedTokens.from({ v: 2, used: [] })).toThrow(TypeError);
    expect(() => UsedTokens.from({ v: 1, used: [['x', 'soon']] })).toThrow(TypeError);
  });
});

describe('subjectHash', () => {
  it('is a keyed hash: stable per salt, different across salts, never containing the subject', () => {
    const salt1 = new Uint8Array(32).fill(1);
    const salt2 = new Uint8Array(32).fill(2);
    const subject = 'alice@example.org';
    const h1 = subjectHash(salt1, subject);
    expect(h1).toMatch(/^[0-9a-f]{64}$/);
    expect(subjectHash(salt1, subject)).toBe(h1);
    expect(subjectHash(salt2, subject)).not.toBe(h1);
    expect(subjectHash(salt1, 'bob@example.org')).not.toBe(h1);
    expect(h1).not.toContain(subject);
    expect(h1).not.toContain(Buffer.from(subject).toString('hex'));
    expect(() => subjectHash(new Uint8Array(4), subject)).toThrow(RangeError);
  });
});

describe('parseTtl', () => {
  it.each([
    ['1d', 86_400],
    ['12h', 43_200],
    ['30m', 1_800],
    ['45s', 45],
    ['3600', 3_600],
  ])('%s → %d s', (text, seconds) => expect(parseTtl(text)).toBe(seconds));

  it.each(['', '0', '1w', '-5m', '1.5h', 'd', '1 d d', '99999999999999999d'])('refuses %j with a sentence', (text) => {
    expect(() => parseTtl(text)).toThrow(RangeError);
    expect(() => parseTtl(text)).toThrow(/positive number with an optional unit/);
  });
});

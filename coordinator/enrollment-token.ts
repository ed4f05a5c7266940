// Node-only: signed, expiring, single-use enrollment tokens. The app's backend, which knows its
// accounts, signs one per account with an Ed25519 private key; the coordinator holds only the public
// key and accepts a registration with a valid, unexpired, unused token, so client ids cost an account
// each instead of nothing (Sybil resistance).
//
// Format: base64url(JSON payload) "." base64url(Ed25519 signature over the payload bytes), with payload
// { v: 1, sub, jti, iat, exp, aud? } (times in Unix seconds). The signature covers the exact bytes
// sent, so nothing is re-serialized before verifying.

import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';

export type TokenPayload = { v: 1; sub: string; jti: string; iat: number; exp: number; aud?: string };
export type VerifiedToken = { subject: string; tokenId: string; expiresAt: number };

/** Tokens longer than this are refused before any decoding (a real one is ~250 characters). */
const MAX_TOKEN_CHARS = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const TOKEN_ID = /^[0-9a-f]{32}$/;
/** Clock skew tolerated between the issuing backend and the coordinator, for tokens issued "in the future". */
const DEFAULT_LEEWAY_SECONDS = 60;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const unauthorized = (why: string) => new FedrecError(ErrorCodes.UNAUTHORIZED, `enrollment token refused: ${why}`);

/** A fresh key pair as PEM text: PKCS8 private key, SPKI public key. */
export function generateEnrollmentKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function ed25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`the enrollment ${what} key must be Ed25519, got ${key.asymmetricKeyType}`);
  return key;
}

/** Signs a token for one account. `now` and the token's times are Unix seconds. */
export function issueToken(privateKeyPem: string | KeyObject, o: { subject: string; ttlSeconds: number; audience?: string; now?: number }): string {
  const key = ed25519(typeof privateKeyPem === 'string' ? createPrivateKey(privateKeyPem) : privateKeyPem, 'private');
  if (typeof o.subject !== 'string' || o.subject === '') throw new RangeError('the token subject must be a non-empty account name');
  if (!Number.isSafeInteger(o.ttlSeconds) || o.ttlSeconds <= 0) throw new RangeError(`the token lifetime must be a positive whole number of seconds, got ${o.ttlSeconds}`);
  const iat = Math.floor(o.now ?? nowSeconds());
  const payload: TokenPayload = { v: 1, sub: o.subject, jti: randomBytes(16).toString('hex'), iat, exp: iat + o.ttlSeconds };
  if (o.audience !== undefined) payload.aud = o.audience;
  const bytes = Buffer.from(JSON.stringify(payload), 'utf8');
  return `${bytes.toString('base64url')}.${sign(null, bytes, key).toString('base64url')}`;
}

/**
 * Checks a token's signature, shape, audience and times. Expiry is strict (a token is dead at `exp`,
 * so UsedTokens need remember it only until then); the leeway only forgives an issuer whose clock runs
 * ahead. With `audience` set, the token must name that audience; without, any audience is accepted.
 */
export function verifyToken(token: string, publicKeyPem: string | KeyObject, o: { now?: number; audience?: string; leewaySeconds?: number } = {}): VerifiedToken {
  const key = ed25519(typeof publicKeyPem === 'string' ? createPublicKey(publicKeyPem) : publicKeyPem, 'public');
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) throw unauthorized('malformed');
  const parts = token.split('.');
  if (parts.length !== 2 || !BASE64URL.test(parts[0]) || !BASE64URL.test(parts[1])) throw unauthorized('malformed');
  const bytes = Buffer.from(parts[0], 'base64url');
  const signature = Buffer.from(parts[1], 'base64url');
  if (signature.length !== 64 || !verify(null, bytes, key, signature)) throw unauthorized('bad signature');

  const p = parsePayload(bytes);
  if (o.audience !== undefined && p.aud !== o.audience) throw unauthorized('issued for another audience');
  const now = o.now ?? nowSeconds();
  if (now >= p.exp) throw new FedrecError(ErrorCodes.TOKEN_EXPIRED, 'enrollment token expired: ask the app for a new one');
  if (p.iat > now + (o.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS)) throw new FedrecError(ErrorCodes.TOKEN_EXPIRED, 'enrollment token is not valid yet: the issuer\'s clock is ahead');
  return { subject: p.sub, tokenId: p.jti, expiresAt: p.exp };
}

function parsePayload(bytes: Buffer): TokenPayload {
  let p: Partial<TokenPayload> & Record<string, unknown>;
  try {
    p = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw unauthorized('malformed payload');
  }
  const ok =
    p !== null && typeof p === 'object' && p.v === 1 &&
    typeof p.sub === 'string' && p.sub !== '' &&
    typeof p.jti === 'string' && TOKEN_ID.test(p.jti) &&
    Number.isSafeInteger(p.iat) && Number.isSafeInteger(p.exp) && p.exp! > p.iat! &&
    (p.aud === undefined || typeof p.aud === 'string');
  if (!ok) throw unauthorized('malformed payload');
  return p as TokenPayload;
}

/** "1d", "12h", "30m", "45s" or plain seconds ("3600") → seconds. */
export function parseTtl(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(String(text).trim());
  const seconds = m ? Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'] : NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new RangeError(`a lifetime is a positive number with an optional unit s, m, h or d (e.g. 1d, 12h, 30m, 3600), got "${text}"`);
  }
  return seconds;
}

/** What the registry stores instead of the account: HMAC-SHA256(salt, subject) in hex. */
export function subjectHash(salt: Uint8Array, subject: string): string {
  if (salt.length < 16) throw new RangeError('the subject salt must be at least 16 random bytes');
  return createHmac('sha256', salt).update(subject, 'utf8').digest('hex');
}

/** Token ids already spent, each remembered until its token expires (after that it fails anyway). */
export class UsedTokens {
  private readonly used = new Map<string, number>();

  get size(): number {
    return this.used.size;
  }

  /** Records a token's use; throws TOKEN_REUSED if it was used before and has not expired. */
  check(tokenId: string, expiresAt: number, now: number = nowSeconds()): void {
    const seen = this.used.get(tokenId);
    if (seen !== undefined && seen > now) throw new FedrecError(ErrorCodes.TOKEN_REUSED, 'enrollment token already used: each token enrolls one device once');
    this.used.set(tokenId, expiresAt);
  }

  /** Forgets the ids whose tokens have expired. */
  prune(now: number = nowSeconds()): void {
    for (const [id, exp] of this.used) if (exp <= now) this.used.delete(id);
  }

  toJSON(): { v: 1; used: [string, number][] } {
    return { v: 1, used: [...this.used] };
  }

  static from(json: unknown): UsedTokens {
    const j = json as { v?: unknown; used?: unknown };
    if (!j || j.v !== 1 || !Array.isArray(j.used)) throw new TypeError('not a used-token list (expected { v: 1, used: [[id, expiresAt], …] })');
    const t = new UsedTokens();
    for (const e of j.used) {
      if (!Array.isArray(e) || typeof e[0] !== 'string' || !Number.isFinite(e[1])) throw new TypeError('a used-token entry must be [id, expiresAt]');
      t.used.set(e[0], e[1]);
    }
    return t;
  }
}

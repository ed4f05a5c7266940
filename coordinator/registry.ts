// The client ids the coordinator knows: the population N that sampling rates and the fixed
// denominator q·N refer to. Ids are random pseudonyms chosen by clients. With token enrollment each
// id also carries a salted hash of its account (never the account), so one account holds one id.
// N counts only ids seen within the idle expiry: abandoned ids must not inflate it. A client that
// leaves with `forget` is removed, on disk at once. Persisted so N survives restarts.

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../shared/node/atomic-file.js';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import { type CoordinatorConfig, DEFAULT_IDLE_EXPIRY_MS, type RegistrationMode } from './config.js';
import { EnrollmentGate } from './enrollment-gate.js';
import { subjectHash } from './enrollment-token.js';

export interface RegistryOptions {
  registration: RegistrationMode;
  idleExpiryMs: number;
  /** Token mode: verifies and spends enrollment tokens. */
  gate: EnrollmentGate | null;
  now: () => number;
}

interface Entry {
  lastSeen: number;
  /** HMAC(salt, account) for token-enrolled ids; null otherwise. */
  subject: string | null;
}

export type Admission = { registered: false } | { registered: true; replaced: string | null; persisted: Promise<void> };

/** The registry for a config: token gate (if any), registry.json in the state dir, loaded. */
export async function openRegistry(config: CoordinatorConfig): Promise<ClientRegistry> {
  const registration = config.registration === 'auto' ? 'open' : config.registration;
  const gate = registration === 'token' ? await EnrollmentGate.open(config.enrollment, config.stateDir) : null;
  const r = new ClientRegistry(config.stateDir ? join(config.stateDir, 'registry.json') : null, { registration, idleExpiryMs: config.enrollment.idleExpiryMs, gate });
  await r.load();
  return r;
}

export class ClientRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly bySubject = new Map<string, string>();
  /** Random per state dir, so subject hashes cannot be matched across deployments or guessed offline without it. */
  private salt: Uint8Array | null = null;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();
  private readonly o: RegistryOptions;

  constructor(private readonly file: string | null, options: Partial<RegistryOptions> = {}) {
    this.o = { registration: 'open', idleExpiryMs: DEFAULT_IDLE_EXPIRY_MS, gate: null, now: Date.now, ...options };
  }

  async load(): Promise<void> {
    if (!this.file) return;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const parsed = JSON.parse(text) as { clients?: unknown; salt?: unknown; seen?: Record<string, unknown>; subjects?: Record<string, unknown> };
    if (!Array.isArray(parsed.clients)) throw new Error(`${this.file}: expected {"clients": [...]}`);
    if (typeof parsed.salt === 'string' && /^[0-9a-f]{32,}$/.test(parsed.salt)) this.salt = Buffer.from(parsed.salt, 'hex');
    const now = this.o.now();
    for (const id of parsed.clients) {
      if (typeof id !== 'string') continue;
      // An id without a time (a hand-written allow-list, an older file) starts its idle clock now.
      const seen = parsed.seen?.[id];
      const subject = parsed.subjects?.[id];
      this.entries.set(id, { lastSeen: typeof seen === 'number' && Number.isFinite(seen) ? seen : now, subject: typeof subject === 'string' ? subject : null });
      if (typeof subject === 'string') this.bySubject.set(subject, id);
    }
  }

  /**
   * Checks that an id may join under the registration mode; in token mode a new id must redeem a
   * token (throws FEDREC_UNAUTHORIZED / _TOKEN_EXPIRED / _TOKEN_REUSED) and replaces the account's
   * previous id. Known ids rejoin without a token (a token sent anyway is not spent).
   */
  admit(id: string, token: string | undefined): Admission {
    if (this.entries.has(id) || this.o.registration === 'open') return { registered: false };
    if (this.o.registration === 'closed') throw new FedrecError(ErrorCodes.UNKNOWN_CLIENT, 'this coordinator takes enrolled clients only, and this client id is not enrolled');
    const gate = this.o.gate!;
    const v = gate.redeem(token);
    const hash = subjectHash(this.saltBytes(), v.subject);
    const replaced = this.bySubject.get(hash) ?? null;
    if (replaced !== null) this.entries.delete(replaced);
    this.entries.set(id, { lastSeen: this.o.now(), subject: hash });
    this.bySubject.set(hash, id);
    this.dirty = true;
    // Durable before anything else happens to this id: the token is spent and the old id is gone.
    const persisted = Promise.all([gate.persist(), this.saveNow()]).then(() => undefined);
    return { registered: true, replaced, persisted };
  }

  /** Registers an id (open mode) or refreshes a known id's last-seen time; true when it is new. */
  add(id: string): boolean {
    const e = this.entries.get(id);
    this.dirty = true;
    if (e) {
      e.lastSeen = this.o.now();
      return false;
    }
    this.entries.set(id, { lastSeen: this.o.now(), subject: null });
    return true;
  }

  remove(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    this.entries.delete(id);
    if (e.subject !== null && this.bySubject.get(e.subject) === id) this.bySubject.delete(e.subject);
    this.dirty = true;
    return true;
  }

  /** Registered, whether active or idle. */
  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** N: the ids seen within the idle expiry. */
  get size(): number {
    let n = 0;
    const cutoff = this.o.now() - this.o.idleExpiryMs;
    for (const e of this.entries.values()) if (e.lastSeen >= cutoff) n++;
    return n;
  }

  /** Every registered id, idle ones included. */
  get total(): number {
    return this.entries.size;
  }

  /** The active ids (those N counts): the population a round samples from. */
  *[Symbol.iterator](): IterableIterator<string> {
    const cutoff = this.o.now() - this.o.idleExpiryMs;
    for (const [id, e] of this.entries) if (e.lastSeen >= cutoff) yield id;
  }

  /** Writes registry.json if anything changed (at each checkpoint). */
  async save(): Promise<void> {
    if (!this.dirty) return;
    await this.saveNow();
  }

  /** Writes registry.json now (forget, enrollment): serialized, each write holds the latest state. */
  saveNow(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    this.writing = this.writing.catch(() => {}).then(() => {
      this.dirty = false;
      const seen: Record<string, number> = {};
      const subjects: Record<string, string> = {};
      for (const [id, e] of this.entries) {
        seen[id] = e.lastSeen;
        if (e.subject !== null) subjects[id] = e.subject;
      }
      const body: Record<string, unknown> = { clients: [...this.entries.keys()], seen, subjects };
      if (this.salt) body.salt = Buffer.from(this.salt).toString('hex');
      return writeFileAtomic(file, JSON.stringify(body)).catch((err) => {
        this.dirty = true;
        throw err;
      });
    });
    return this.writing;
  }

  private saltBytes(): Uint8Array {
    if (!this.salt) {
      this.salt = randomBytes(32);
      this.dirty = true;
    }
    return this.salt;
  }
}

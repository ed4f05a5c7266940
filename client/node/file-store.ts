// Node-only: the client's state in its state dir, written atomically. Holds the private user
// vector, the latest global model, the catalogue and the ledger; `clear` deletes all of it.
// Consent lives in its own file (consent.json): `fedrec client consent` in another shell writes it,
// a running client polls it, and the running client's own saves never write over it.

import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../../shared/node/atomic-file.js';
import { join } from 'node:path';
import { bytesToFloat32, bytesToInt32, float32ToBytes, int32ToBytes } from '../../shared/protocol/binary.js';
import { readMsgpackFile, writeMsgpackFile } from '../../shared/node/msgpack-file.js';
import type { ClientState, ClientStore, Consent } from '../store.js';

const FORMAT = 'fedrec-client-state-1';

export class FileStore implements ClientStore {
  readonly file: string;
  readonly consentFile: string;
  constructor(readonly dir: string) {
    this.file = join(dir, 'client-state.msgpack');
    this.consentFile = join(dir, 'consent.json');
  }

  async loadConsent(): Promise<Consent | null> {
    let text: string;
    try {
      text = await readFile(this.consentFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      const c = JSON.parse(text) as Consent;
      if (typeof c?.granted !== 'boolean') throw new Error('no "granted" field');
      return c;
    } catch (err) {
      // Unreadable consent is no consent: fail closed.
      throw Object.assign(new Error(`${this.consentFile} is not a consent record (${(err as Error).message}): run fedrec client consent again`), { code: 'FEDREC_BAD_STATE_FILE' });
    }
  }

  async saveConsent(consent: Consent): Promise<void> {
    await writeFileAtomic(this.consentFile, JSON.stringify(consent));
  }

  async load(): Promise<ClientState | null> {
    const raw = await readMsgpackFile(this.file, FORMAT, 'FEDREC_BAD_STATE_FILE');
    const consent = await this.loadConsent();
    if (!raw) return null;
    return {
      clientId: raw.clientId,
      userVector: raw.userVector ? Float32Array.from(bytesToFloat32(raw.userVector)) : null,
      catalogue: raw.catalogue ? { version: raw.catalogue.version, itemIds: bytesToInt32(raw.catalogue.itemIds) } : null,
      model: raw.model ? { version: raw.model.version, items: raw.model.items, dim: raw.model.dim, params: Float32Array.from(bytesToFloat32(raw.model.params)) } : null,
      ledger: raw.ledger ?? [],
      ...(raw.declaredPrivacy ? { declaredPrivacy: raw.declaredPrivacy } : {}),
      // Older state dirs kept consent inside the state file.
      consent: consent ?? raw.consent ?? null,
    };
  }

  async save(s: ClientState): Promise<void> {
    await writeMsgpackFile(this.file, FORMAT, {
      clientId: s.clientId,
      userVector: s.userVector ? float32ToBytes(s.userVector) : null,
      catalogue: s.catalogue ? { version: s.catalogue.version, itemIds: int32ToBytes(s.catalogue.itemIds) } : null,
      model: s.model ? { version: s.model.version, items: s.model.items, dim: s.model.dim, params: float32ToBytes(s.model.params) } : null,
      ledger: s.ledger,
      declaredPrivacy: s.declaredPrivacy ?? null,
    });
    // The first consent recorded here goes to its file; after that only saveConsent() changes it, so
    // a running client's save cannot undo a revoke made elsewhere.
    if (s.consent && (await this.loadConsent()) === null) await this.saveConsent(s.consent);
  }

  async clear(): Promise<void> {
    await rm(this.file, { force: true });
    await rm(this.consentFile, { force: true });
  }
}

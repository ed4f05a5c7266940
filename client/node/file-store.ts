// Node-only: the client's state in its state dir, written atomically. Holds the private user
// vector, the latest global model, the catalogue and the ledger; `clear` deletes all of it.

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesToFloat32, bytesToInt32, float32ToBytes, int32ToBytes } from '../../shared/protocol/binary.js';
import { readMsgpackFile, writeMsgpackFile } from '../../shared/node/msgpack-file.js';
import type { ClientState, ClientStore } from '../store.js';

const FORMAT = 'fedrec-client-state-1';

export class FileStore implements ClientStore {
  readonly file: string;
  constructor(readonly dir: string) {
    this.file = join(dir, 'client-state.msgpack');
  }

  async load(): Promise<ClientState | null> {
    const raw = await readMsgpackFile(this.file, FORMAT, 'FEDREC_BAD_STATE_FILE');
    if (!raw) return null;
    return {
      clientId: raw.clientId,
      userVector: raw.userVector ? Float32Array.from(bytesToFloat32(raw.userVector)) : null,
      catalogue: raw.catalogue ? { version: raw.catalogue.version, itemIds: bytesToInt32(raw.catalogue.itemIds) } : null,
      model: raw.model ? { version: raw.model.version, items: raw.model.items, dim: raw.model.dim, params: Float32Array.from(bytesToFloat32(raw.model.params)) } : null,
      ledger: raw.ledger ?? [],
      consent: raw.consent ?? null,
    };
  }

  async save(s: ClientState): Promise<void> {
    await writeMsgpackFile(this.file, FORMAT, {
      clientId: s.clientId,
      userVector: s.userVector ? float32ToBytes(s.userVector) : null,
      catalogue: s.catalogue ? { version: s.catalogue.version, itemIds: int32ToBytes(s.catalogue.itemIds) } : null,
      model: s.model ? { version: s.model.version, items: s.model.items, dim: s.model.dim, params: float32ToBytes(s.model.params) } : null,
      ledger: s.ledger,
      consent: s.consent,
    });
  }

  async clear(): Promise<void> {
    await rm(this.file, { force: true });
  }
}

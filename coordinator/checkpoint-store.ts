// The committed state of training: model, round, optimizer and privacy ledger, in one msgpack file
// written atomically after every committed round. A restarted coordinator resumes from it.

import { join } from 'node:path';
import { bytesToFloat32, bytesToInt32, float32ToBytes, int32ToBytes } from '../shared/protocol/binary.js';
import type { MfModel } from '../shared/model/mf-model.js';
import { readMsgpackFile, writeMsgpackFile } from '../shared/node/msgpack-file.js';

const FORMAT = 'fedrec-checkpoint-1';

export interface Checkpoint {
  /** Last committed round id (0 before any round). */
  round: number;
  modelVersion: number;
  model: MfModel;
  itemIds: Int32Array;
  strategy: { name: string; state: Record<string, Float32Array> };
  /** The accountant's ledger, as JSON-safe data (see shared/privacy). */
  privacy: unknown;
  /** Clip norm for the next round (moves under adaptive clipping). */
  clipNorm: number;
  savedAt: string;
}

export class CheckpointStore {
  readonly file: string;
  constructor(readonly dir: string) {
    this.file = join(dir, 'checkpoint.msgpack');
  }

  async save(c: Checkpoint): Promise<void> {
    const strategyState: Record<string, Uint8Array> = {};
    for (const [k, v] of Object.entries(c.strategy.state)) strategyState[k] = float32ToBytes(v);
    await writeMsgpackFile(this.file, FORMAT, {
      round: c.round,
      modelVersion: c.modelVersion,
      model: { kind: c.model.kind, items: c.model.items, dim: c.model.dim, params: float32ToBytes(c.model.params) },
      itemIds: int32ToBytes(c.itemIds),
      strategy: { name: c.strategy.name, state: strategyState },
      privacy: c.privacy,
      clipNorm: c.clipNorm,
      savedAt: c.savedAt,
    });
  }

  /** null when there is no checkpoint yet; throws with the file name when it is unreadable. */
  async load(): Promise<Checkpoint | null> {
    const raw = await readMsgpackFile(this.file, FORMAT, 'FEDREC_BAD_CHECKPOINT');
    if (!raw) return null;
    const params = Float32Array.from(bytesToFloat32(raw.model.params));
    if (params.length !== raw.model.items * raw.model.dim + raw.model.items) throw new Error(`${this.file}: model size does not match its shape`);
    const state: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(raw.strategy?.state ?? {})) state[k] = Float32Array.from(bytesToFloat32(v as Uint8Array));
    return {
      round: raw.round,
      modelVersion: raw.modelVersion,
      model: { kind: 'mf', items: raw.model.items, dim: raw.model.dim, params },
      itemIds: bytesToInt32(raw.itemIds),
      strategy: { name: raw.strategy?.name ?? 'fedavg', state },
      privacy: raw.privacy ?? null,
      clipNorm: raw.clipNorm,
      savedAt: raw.savedAt,
    };
  }
}

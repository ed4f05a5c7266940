import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientState } from '../store.js';
import { FileStore } from './file-store.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileStore (the Node client state dir)', () => {
  it('round-trips the state and clear() removes it', async () => {
    const state: ClientState = {
      clientId: 'c-1',
      userVector: Float32Array.from([0.5, -1]),
      catalogue: { version: 'v', itemIds: Int32Array.from([1, 9]) },
      model: { version: 3, items: 2, dim: 2, params: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      ledger: [],
      consent: { granted: true, kinds: ['purchase'], maxEpsilon: null, at: 't' },
    };
    const store = new FileStore(dir);
    await store.save(state);
    expect(await new FileStore(dir).load()).toEqual(state);
    await store.clear();
    expect(await store.load()).toBeNull();
  });

  it('a corrupt or foreign file is FEDREC_BAD_STATE_FILE naming the file, and is left as it is', async () => {
    const store = new FileStore(dir);
    await writeFile(store.file, Uint8Array.from([0xc1, 0xff]));
    await expect(store.load()).rejects.toMatchObject({ code: 'FEDREC_BAD_STATE_FILE', message: expect.stringContaining('client-state.msgpack') });
    await writeFile(store.file, Uint8Array.from([0x81, 0xa6, 0x66, 0x6f, 0x72, 0x6d, 0x61, 0x74, 0xa1, 0x78])); // {format: "x"}
    await expect(store.load()).rejects.toMatchObject({ code: 'FEDREC_BAD_STATE_FILE', message: expect.stringContaining('expected format') });
  });
});

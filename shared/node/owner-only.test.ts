// Files that hold client ids, histories, consent or tokens are readable by their owner only, on both
// sides: the device's state dir and the coordinator's registry.

import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../client/node/file-store.js';
import { importHistory } from '../../client/node/history-file.js';
import { useHarness } from '../../test-helpers/harness.js';
import { writeFileAtomic } from './atomic-file.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-modes-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mode = async (p: string) => (await stat(p)).mode & 0o777;
const h = useHarness();

describe('owner-only files', () => {
  it('the device: state, consent and the imported history are 0600 in a 0700 state dir', async () => {
    const stateDir = join(dir, 'me');
    await writeFile(join(dir, 'h.csv'), '1,10,view\n2,20,purchase\n');
    await importHistory(join(dir, 'h.csv'), stateDir);
    const store = new FileStore(stateDir);
    await store.save({ clientId: 'c-secret', userVector: null, catalogue: null, model: null, ledger: [], consent: { granted: true, kinds: ['view'], maxEpsilon: null, at: 't' } });
    expect(await mode(stateDir)).toBe(0o700);
    for (const f of ['history.csv', 'client-state.msgpack', 'consent.json']) expect(await mode(join(stateDir, f)), f).toBe(0o600);
  });

  it('an existing world-readable file becomes 0600 when rewritten', async () => {
    const p = join(dir, 'registry.json');
    await writeFile(p, '{}', { mode: 0o644 });
    await writeFileAtomic(p, '{"clients":[]}');
    expect(await mode(p)).toBe(0o600);
  });

  it('the coordinator: registry.json and its state dir', async () => {
    const stateDir = join(dir, 'coordinator');
    const c = await h.coordinator({ stateDir, rounds: 1, minClients: 2, clientsPerRound: 2, evaluation: { every: 0 } });
    expect(await Promise.all([0, 1].map((k) => h.client(c.url, k).run()))).toEqual(['done', 'done']);
    expect(await mode(stateDir)).toBe(0o700);
    expect(await mode(join(stateDir, 'registry.json'))).toBe(0o600);
    expect(await mode(join(stateDir, 'checkpoint.msgpack'))).toBe(0o600);
  });
});

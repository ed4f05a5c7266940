import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FedrecClient } from '../client/fedrec-client.js';
import { clipUpdate } from '../client/middleware/clip.js';
import type { UpdateMiddleware } from '../client/middleware/types.js';
import { nodeSocketFactory } from '../client/node/ws-socket.js';
import { MemoryStore } from '../client/store.js';
import { silentNodeLogger } from '../shared/node/logger.js';
import { grantedConsent } from '../test-helpers/cluster.js';
import { tinyDataset, tinyItemIds } from '../test-helpers/tiny.js';
import { resolveConfig } from './config.js';
import { startCoordinator, type RunningCoordinator } from './coordinator.js';

let running: RunningCoordinator | null = null;
const clients: FedrecClient[] = [];
let dir = '';
afterEach(async () => {
  for (const c of clients.splice(0)) c.stop();
  await running?.close();
  running = null;
  await rm(dir, { recursive: true, force: true });
});

describe('the coordinator never stores per-client updates', () => {
  it('leaves no trace of any update on disk, only the aggregate model and the registry', async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedrec-nostore-'));
    const config = resolveConfig({ port: 0, stateDir: dir, rounds: 2, clientsPerRound: 3, minClients: 3, model: { dim: 8 }, evaluation: { every: 0, clientsPerRound: 3, deadlineMs: 5000 } });
    running = await startCoordinator({ config, logger: silentNodeLogger(), itemIds: tinyItemIds });
    const sent: Uint8Array[] = [];
    const record: UpdateMiddleware = (u) => {
      sent.push(new Uint8Array(u.delta.buffer.slice(u.delta.byteOffset, u.delta.byteOffset + u.delta.byteLength)));
      return u;
    };
    const done = new Promise((r) => running!.engine.once('done', r));
    for (let k = 0; k < 3; k++) {
      const c = new FedrecClient({ url: running.url, socketFactory: nodeSocketFactory(), store: new MemoryStore(), data: tinyDataset(k), seed: 1, clientId: `c${k}`, consent: grantedConsent, middleware: [clipUpdate, record] });
      clients.push(c);
      void c.run();
    }
    await done;
    expect(sent.length).toBe(6);

    const files = await readdir(dir, { recursive: true });
    expect(files.sort()).toEqual(['checkpoint.msgpack', 'registry.json']);
    const contents = await Promise.all(files.map((f) => readFile(join(dir, f))));
    for (const update of sent) {
      // A 32-byte window of non-zero values from the update: any stored copy would contain it.
      const f32 = new Float32Array(update.buffer);
      const start = f32.findIndex((v, i) => v !== 0 && f32.slice(i, i + 8).every((x) => x !== 0));
      expect(start).toBeGreaterThanOrEqual(0);
      const needle = Buffer.from(update.subarray(start * 4, start * 4 + 32));
      for (const content of contents) expect(content.indexOf(needle)).toBe(-1);
    }
    // The checkpoint is one model's worth of bytes, not one per client.
    const modelBytes = running.engine.model.params.byteLength;
    const checkpoint = contents[files.indexOf('checkpoint.msgpack')];
    expect(checkpoint.byteLength).toBeLessThan(modelBytes + tinyItemIds.byteLength + 4096);
  });
});

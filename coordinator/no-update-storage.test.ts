import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clipUpdate } from '../client/middleware/clip.js';
import type { UpdateMiddleware } from '../client/middleware/types.js';
import { useHarness } from '../test-helpers/harness.js';
import { tinyItemIds } from '../test-helpers/tiny.js';

const h = useHarness();

describe('the coordinator never stores per-client updates', () => {
  it('leaves no trace of any update on disk, only the aggregate model and the registry', async () => {
    const dir = await h.tempDir('fedrec-nostore-');
    const running = await h.coordinator({ stateDir: dir, rounds: 2, clientsPerRound: 3, minClients: 3, evaluation: { every: 0, clientsPerRound: 3, deadlineMs: 5000 } });
    const sent: Uint8Array[] = [];
    const record: UpdateMiddleware = (u) => {
      sent.push(new Uint8Array(u.delta.buffer.slice(u.delta.byteOffset, u.delta.byteOffset + u.delta.byteLength)));
      return u;
    };
    const done = new Promise((r) => running.engine.once('done', r));
    for (let k = 0; k < 3; k++) void h.client(running.url, k, { clientId: `c${k}`, middleware: [clipUpdate, record] }).run();
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
    const checkpoint = contents[files.indexOf('checkpoint.msgpack')];
    expect(checkpoint.byteLength).toBeLessThan(running.engine.model.params.byteLength + tinyItemIds.byteLength + 4096);
  });
});

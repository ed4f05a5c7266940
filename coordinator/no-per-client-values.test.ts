// A curious reader of the operator's logs and result files: after a secure run they hold no value of
// any one device (update norms, clipped bits, its evaluation hit/NDCG), only round-level figures.

import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FedrecClient, type TaskOutcome } from '../client/fedrec-client.js';
import { MemoryStore } from '../client/store.js';
import { nodeSocketFactory } from '../client/node/ws-socket.js';
import { grantedConsent } from '../test-helpers/cluster.js';
import { tinyDataset, tinyItemIds } from '../test-helpers/tiny.js';
import { resolveConfig } from './config.js';
import { startCoordinator } from './coordinator.js';
import type { RoundSummary } from './engine-types.js';

describe('per-client values in logs and results', () => {
  it('a secure run with evaluation logs and reports none of them', async () => {
    let logs = '';
    const sink = new Writable({ write: (chunk, _enc, done) => ((logs += chunk), done()) });
    const config = resolveConfig({ port: 0, model: { dim: 8 }, interRoundDelayMs: 0, rounds: 2, minClients: 3, clientsPerRound: 3, evaluation: { every: 1, clientsPerRound: 3, deadlineMs: 10_000 } });
    const c = await startCoordinator({ config, logger: pino({ level: 'debug' }, sink), itemIds: tinyItemIds });
    const summaries: RoundSummary[] = [];
    c.engine.on('round', (s: RoundSummary) => summaries.push(s));
    const outcomes: TaskOutcome[] = [];
    const stores = [0, 1, 2].map(() => new MemoryStore());
    try {
      const ends = await Promise.all(stores.map((store, k) => new FedrecClient({ url: c.url, socketFactory: nodeSocketFactory(), store, data: tinyDataset(k), clientId: `client-${k}`, consent: grantedConsent }).run((o) => outcomes.push(o))));
      expect(ends).toEqual(['done', 'done', 'done']);
    } finally {
      await c.close();
    }
    const released = logs + JSON.stringify(summaries);
    const values: string[] = [];
    for (const o of outcomes) {
      if (o.task === 'train') values.push(o.norm.toString(), o.norm.toFixed(6), o.norm.toFixed(4));
      // A device's NDCG takes few values (1/log2(rank + 1)); one that equals a released average (e.g.
      // 1/3 = HR@10 of 3 devices) is that average's, not a leak.
      const averages = summaries.flatMap((s) => (s.evaluation ? [s.evaluation.hr10, s.evaluation.ndcg10] : []));
      if (o.task === 'evaluate' && o.ndcg > 0 && o.ndcg < 1 && !averages.includes(o.ndcg)) values.push(o.ndcg.toString());
    }
    for (const s of stores) for (const e of (await s.load())!.ledger) if (e.norm > 0) values.push(e.norm.toFixed(5));
    expect(values.length).toBeGreaterThanOrEqual(6 * 3); // 3 devices × 2 rounds of updates, in 3 spellings
    for (const v of values) expect(released.includes(v), `${v} appears in a log line or summary`).toBe(false);
    for (const s of summaries) expect(s).toMatchObject({ meanUpdateNorm: null, clippedFraction: null, aggregation: 'secure' });
  });
});

// A real device that lies when asked for shares at unmasking (wrong, malformed and misnumbered shares)
// cannot stop a round its honest neighbours can finish: the coordinator rebuilds every secret from the
// others, commits, and says in its log that some holder's shares were bad.

import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FedrecClient } from '../../client/fedrec-client.js';
import { nodeSocketFactory } from '../../client/node/ws-socket.js';
import type { SocketFactory } from '../../client/socket.js';
import { MemoryStore } from '../../client/store.js';
import { decodeFrame, encodeMessage } from '../../shared/protocol/codec.js';
import { grantedConsent } from '../../test-helpers/cluster.js';
import { tinyDataset, tinyItemIds } from '../../test-helpers/tiny.js';
import { resolveConfig } from '../config.js';
import { startCoordinator } from '../coordinator.js';
import type { RoundSummary } from '../engine-types.js';

/** Sends everything as the client wrote it, except the shares of its sa-unmask answers. */
function lyingAtUnmask(): SocketFactory {
  return (url) => {
    const s = nodeSocketFactory()(url);
    const send = s.send.bind(s);
    s.send = (data: Uint8Array) => {
      const m = decodeFrame(new Uint8Array(data));
      if (m.type !== 'sa-unmask') return send(data);
      const bad = (entry: { of: number; share: Uint8Array }, k: number) => {
        const share = Uint8Array.from(entry.share);
        if (k % 2 === 0) share[0] ^= 0xff; // a wrong value: fails the check tag inside the secret
        return { of: entry.of, share: k % 2 === 0 ? share : share.subarray(0, 40) }; // or malformed
      };
      const lie = { ...m, selfShares: (m.selfShares as { of: number; share: Uint8Array }[]).map(bad), keyShares: (m.keyShares as { of: number; share: Uint8Array }[]).map(bad) };
      send(encodeMessage(lie));
    };
    return s;
  };
}

describe('a lying share holder at unmasking', () => {
  it('costs the round nothing: it commits with every input, and the coordinator logs secagg-bad-shares', async () => {
    let logs = '';
    const sink = new Writable({ write: (chunk, _enc, done) => ((logs += chunk), done()) });
    const config = resolveConfig({ port: 0, model: { dim: 8 }, interRoundDelayMs: 0, rounds: 1, minClients: 5, clientsPerRound: 5, evaluation: { every: 0 } });
    const c = await startCoordinator({ config, logger: pino({ level: 'info' }, sink), itemIds: tinyItemIds });
    const summaries: RoundSummary[] = [];
    c.engine.on('round', (s: RoundSummary) => summaries.push(s));
    try {
      const ends = await Promise.all(
        [0, 1, 2, 3, 4].map((k) => new FedrecClient({ url: c.url, socketFactory: k === 0 ? lyingAtUnmask() : nodeSocketFactory(), store: new MemoryStore(), data: tinyDataset(k), clientId: `client-${k}`, consent: grantedConsent }).run()),
      );
      expect(ends).toEqual(['done', 'done', 'done', 'done', 'done']);
    } finally {
      await c.close();
    }
    // Five clients, a full graph, t = 3: four honest holders of each secret are enough.
    expect(summaries[0]).toMatchObject({ committed: true, reported: 5, aggregation: 'secure' });
    const bad = logs.split('\n').filter((l) => l.includes('"event":"secagg-bad-shares"')).map((l) => JSON.parse(l));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ level: 40, round: 1 });
    expect(bad[0].droppedShares + bad[0].retriedSecrets).toBeGreaterThan(0);
  });
});

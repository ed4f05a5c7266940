import { afterEach, describe, expect, it } from 'vitest';
import { silentNodeLogger } from '../shared/node/logger.js';
import { ErrorCodes } from '../shared/protocol/errors.js';
import { RawSocket } from '../test-helpers/raw-socket.js';
import { tinyItemIds } from '../test-helpers/tiny.js';
import { resolveConfig } from './config.js';
import { startCoordinator, type RunningCoordinator } from './coordinator.js';
import { TokenBucket } from './rate-limit.js';

describe('token bucket', () => {
  it('allows the burst, then the average rate, and refills with time', () => {
    const b = new TokenBucket({ perSecond: 10, burst: 3 }, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.take(50)).toBe(false); // half a token after 50 ms
    expect(b.take(100)).toBe(true); // one token after 100 ms at 10/s
    expect(b.take(10_000) && b.take(10_000) && b.take(10_000)).toBe(true); // refilled to the burst, no more
    expect(b.take(10_000)).toBe(false);
  });
});

let running: RunningCoordinator | null = null;
const sockets: RawSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await running?.close();
  running = null;
});

describe('a connection that floods the coordinator', () => {
  it('gets FEDREC_RATE_LIMITED, then is closed with 1008; others are served', async () => {
    const config = resolveConfig({ port: 0, model: { dim: 4 }, limits: { messagesPerSecond: 5, messageBurst: 5 } });
    running = await startCoordinator({ config, logger: silentNodeLogger(), itemIds: tinyItemIds });
    const flood = await RawSocket.connect(running.url);
    sockets.push(flood);
    await flood.join('flooder');
    for (let i = 0; i < 60; i++) flood.sendMessage({ type: 'heartbeat', sentAt: i });
    const err = await flood.takeError();
    expect(err.code).toBe(ErrorCodes.RATE_LIMITED);
    const closed = await flood.waitClose();
    expect(closed.code).toBe(1008);
    expect(running.sessions.rejections.get(ErrorCodes.RATE_LIMITED)).toBeGreaterThan(0);

    const polite = await RawSocket.connect(running.url);
    sockets.push(polite);
    const welcome = await polite.join('polite');
    expect(welcome.type).toBe('welcome');
  });
});

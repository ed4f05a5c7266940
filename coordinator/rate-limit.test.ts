import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../shared/protocol/errors.js';
import { useHarness } from '../test-helpers/harness.js';
import { TokenBucket } from './rate-limit.js';

const h = useHarness();

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

describe('a connection that floods the coordinator', () => {
  it('gets FEDREC_RATE_LIMITED, then is closed with 1008; others are served', async () => {
    const running = await h.coordinator({ model: { dim: 4 }, limits: { messagesPerSecond: 5, messageBurst: 5 } });
    const flood = await h.socket(running.url);
    await flood.join('flooder');
    for (let i = 0; i < 60; i++) flood.sendMessage({ type: 'heartbeat', sentAt: i });
    expect((await flood.takeError()).code).toBe(ErrorCodes.RATE_LIMITED);
    expect((await flood.waitClose()).code).toBe(1008);
    expect(running.sessions.rejections.get(ErrorCodes.RATE_LIMITED)).toBeGreaterThan(0);

    const polite = await h.socket(running.url);
    expect((await polite.join('polite')).type).toBe('welcome');
  });
});

// ws:// beyond loopback is refused before any socket is made, with the reason; --insecure allows it.

import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../shared/protocol/errors.js';
import { FedrecClient } from './fedrec-client.js';
import type { SocketFactory } from './socket.js';
import { MemoryStore } from './store.js';
import { checkTransport, isLoopbackHost } from './transport-check.js';
import { tinyDataset } from '../test-helpers/tiny.js';

const consent = { granted: true, kinds: ['view' as const, 'purchase' as const], maxEpsilon: null, at: '' };

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'app.localhost', '[::1]', '::1'])('%s is loopback', (h) => expect(isLoopbackHost(h)).toBe(true));
  it.each(['example.org', '10.0.0.1', '0.0.0.0', '128.0.0.1', 'localhost.example.org', '[::2]', '127.0.0.1.example.org'])('%s is not', (h) => expect(isLoopbackHost(h)).toBe(false));
});

describe('checkTransport', () => {
  it('refuses ws:// to another host with FEDREC_INSECURE_TRANSPORT and says why', () => {
    expect(() => checkTransport('ws://recs.example.org:8787', false)).toThrow(expect.objectContaining({ code: ErrorCodes.INSECURE_TRANSPORT, message: expect.stringMatching(/unencrypted.*client's id.*secret.*in clear.*wss:\/\//) }));
  });
  it('allows wss:// anywhere, ws:// on loopback, and ws:// anywhere when told', () => {
    expect(() => checkTransport('wss://recs.example.org', false)).not.toThrow();
    expect(() => checkTransport('ws://127.0.0.1:8787', false)).not.toThrow();
    expect(() => checkTransport('ws://[::1]:8787', false)).not.toThrow();
    expect(() => checkTransport('ws://localhost:8787', false)).not.toThrow();
    expect(() => checkTransport('ws://recs.example.org:8787', true)).not.toThrow();
  });
});

describe('FedrecClient', () => {
  /** A factory that records being called and fails, so no real connection is ever attempted. */
  function recording(): { factory: SocketFactory; calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      factory: (url) => {
        calls.push(url);
        throw new Error('socket factory reached');
      },
    };
  }
  const client = (factory: SocketFactory, allowInsecureTransport?: boolean) =>
    new FedrecClient({ url: 'ws://recs.example.org:8787', socketFactory: factory, store: new MemoryStore(), data: tinyDataset(0), consent, allowInsecureTransport });

  it('refuses ws:// to a non-loopback host before connecting', async () => {
    const r = recording();
    await expect(client(r.factory).checkIn()).rejects.toMatchObject({ code: ErrorCodes.INSECURE_TRANSPORT });
    await expect(client(r.factory).run()).rejects.toMatchObject({ code: ErrorCodes.INSECURE_TRANSPORT });
    expect(r.calls).toEqual([]);
  });

  it('connects when allowInsecureTransport is set', async () => {
    const r = recording();
    await expect(client(r.factory, true).checkIn()).rejects.toThrow('socket factory reached');
    expect(r.calls).toEqual(['ws://recs.example.org:8787']);
  });
});

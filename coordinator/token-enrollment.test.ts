// Token registration (Sybil resistance) and forget, against a real coordinator on port 0 with raw
// sockets: refusals are coded, closed with 1008 and register nothing; one account holds one id.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CloseCodes, ErrorCodes } from '../shared/protocol/errors.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { useHarness } from '../test-helpers/harness.js';
import { generateEnrollmentKeys, issueToken } from './enrollment-token.js';
import { resolveConfig } from './config.js';

const h = useHarness();
const keys = generateEnrollmentKeys();

async function tokenCoordinator() {
  const dir = await h.tempDir('fedrec-token-');
  const pub = join(dir, 'enrollment.pub');
  await writeFile(pub, keys.publicKeyPem);
  const state = join(dir, 'state');
  const running = await h.coordinator({ stateDir: state, registration: 'token', enrollment: { publicKeyFile: pub }, minClients: 50, model: { dim: 4 },
    // The per-IP caps (admission control) would refuse first; this tests the token gate alone.
    limits: { maxConnectionsPerIp: 1_000, registrationsPerIpPerMinute: 100_000 } });
  return { running, state };
}

const joinFrame = (clientId: string, token?: string) => ({ type: 'join', protocol: PROTOCOL_VERSION, clientId, mode: 'persistent', capabilities: { tasks: ['train'] }, ...(token ? { token } : {}) });

/** Enrollments are written right after the welcome: poll until the file shows what is expected. */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const v = await read().catch(() => null);
    if (v !== null && ok(v)) return v;
    if (Date.now() > deadline) return read();
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function registry(state: string): Promise<{ clients: string[]; salt?: string; subjects: Record<string, string> }> {
  return JSON.parse(await readFile(join(state, 'registry.json'), 'utf8'));
}

describe('registration modes resolve by host', () => {
  it('auto is open on loopback and token elsewhere, and token without a key is refused with the fix', () => {
    expect(resolveConfig({ host: '127.0.0.1' }).registration).toBe('open');
    expect(resolveConfig({ host: '::1' }).registration).toBe('open');
    expect(() => resolveConfig({ host: '0.0.0.0' })).toThrow(/enrollment public key.*--enrollment-key/);
    expect(resolveConfig({ host: '0.0.0.0', enrollment: { publicKeyFile: 'k.pub' } }).registration).toBe('token');
  });
});

describe('token registration', () => {
  it('refuses 1,000 registrations without a token: coded, closed 1008, N unchanged', async () => {
    const { running } = await tokenCoordinator();
    const started = Date.now();
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const s = await h.socket(running.url);
          s.sendMessage(joinFrame(`sybil-${batch}-${i}`));
          expect((await s.takeError()).code).toBe(ErrorCodes.UNAUTHORIZED);
          expect((await s.waitClose()).code).toBe(CloseCodes.POLICY_VIOLATION);
        }),
      );
    }
    expect(running.engine.status().registered).toBe(0);
    expect(running.sessions.rejections.get(ErrorCodes.UNAUTHORIZED)).toBe(1000);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it('one id per account: a second enrollment replaces the first; the registry keeps a salted hash, never the account', async () => {
    const { running, state } = await tokenCoordinator();
    const a = await h.socket(running.url);
    expect((await a.join('device-a', { token: issueToken(keys.privateKeyPem, { subject: 'alice@example.org', ttlSeconds: 3600 }) })).type).toBe('welcome');
    expect(running.engine.status().registered).toBe(1);
    const b = await h.socket(running.url);
    expect((await b.join('device-b', { token: issueToken(keys.privateKeyPem, { subject: 'alice@example.org', ttlSeconds: 3600 }) })).type).toBe('welcome');
    expect(running.engine.status().registered).toBe(1);
    const other = await h.socket(running.url);
    await other.join('device-c', { token: issueToken(keys.privateKeyPem, { subject: 'bob@example.org', ttlSeconds: 3600 }) });
    expect(running.engine.status().registered).toBe(2);

    const onDisk = await eventually(() => registry(state), (r) => r.clients.length === 2);
    expect(onDisk.clients.sort()).toEqual(['device-b', 'device-c']);
    expect(onDisk.salt).toMatch(/^[0-9a-f]{64}$/);
    const text = await readFile(join(state, 'registry.json'), 'utf8');
    expect(text).not.toContain('alice');
    expect(text).not.toContain('bob');
    expect(new Set(Object.values(onDisk.subjects)).size).toBe(2);

    // The replaced id is no longer registered: without a token it cannot come back.
    const again = await h.socket(running.url);
    again.sendMessage(joinFrame('device-a'));
    expect((await again.takeError()).code).toBe(ErrorCodes.UNAUTHORIZED);
    // A registered id rejoins without a token.
    const rejoin = await h.socket(running.url);
    expect((await rejoin.join('device-b')).type).toBe('welcome');
  });

  it('refuses an expired token, a reused token, and a token signed by another key', async () => {
    const { running, state } = await tokenCoordinator();
    const expired = issueToken(keys.privateKeyPem, { subject: 'carol', ttlSeconds: 60, now: Math.floor(Date.now() / 1000) - 120 });
    const s1 = await h.socket(running.url);
    s1.sendMessage(joinFrame('device-x', expired));
    expect((await s1.takeError()).code).toBe(ErrorCodes.TOKEN_EXPIRED);
    expect((await s1.waitClose()).code).toBe(CloseCodes.POLICY_VIOLATION);

    const token = issueToken(keys.privateKeyPem, { subject: 'dave', ttlSeconds: 3600 });
    const s2 = await h.socket(running.url);
    expect((await s2.join('device-y', { token })).type).toBe('welcome');
    const s3 = await h.socket(running.url);
    s3.sendMessage(joinFrame('device-z', token));
    expect((await s3.takeError()).code).toBe(ErrorCodes.TOKEN_REUSED);

    const forged = issueToken(generateEnrollmentKeys().privateKeyPem, { subject: 'eve', ttlSeconds: 3600 });
    const s4 = await h.socket(running.url);
    s4.sendMessage(joinFrame('device-w', forged));
    expect((await s4.takeError()).code).toBe(ErrorCodes.UNAUTHORIZED);

    expect(running.engine.status().registered).toBe(1);
    // The spent token is on disk, so a restart cannot make it usable again.
    const used = await eventually(async () => JSON.parse(await readFile(join(state, 'used-tokens.json'), 'utf8')), (u) => u.used.length > 0);
    expect(used.used).toHaveLength(1);
  });
});

describe('forget', () => {
  it('removes the id from registry.json at once, not at the next checkpoint', async () => {
    const state = await h.tempDir('fedrec-forget-');
    await writeFile(join(state, 'registry.json'), JSON.stringify({ clients: ['keep-me', 'forget-me'] }));
    const running = await h.coordinator({ stateDir: state, minClients: 50, model: { dim: 4 } });
    const s = await h.socket(running.url);
    await s.join('forget-me');
    s.sendMessage({ type: 'leave', forget: true });
    await s.waitClose();
    const deadline = Date.now() + 2_000;
    while ((await registry(state)).clients.includes('forget-me')) {
      if (Date.now() > deadline) throw new Error('registry.json still holds the forgotten id');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await registry(state)).clients).toEqual(['keep-me']);
    expect(running.engine.status().registered).toBe(1);
  });

  it('N counts only ids seen within the idle expiry', async () => {
    const state = await h.tempDir('fedrec-idle-');
    const old = Date.now() - 10_000;
    await writeFile(join(state, 'registry.json'), JSON.stringify({ clients: ['idle', 'fresh'], seen: { idle: old, fresh: Date.now() } }));
    const running = await h.coordinator({ stateDir: state, minClients: 50, model: { dim: 4 }, enrollment: { idleExpiryMs: 5_000 } });
    expect(running.engine.status().registered).toBe(1);
    const s = await h.socket(running.url);
    await s.join('idle'); // seen again: counts again
    expect(running.engine.status().registered).toBe(2);
  });
});

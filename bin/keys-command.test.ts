// `fedrec keys` and `fedrec token issue` as a user runs them (the built command, spawned).

import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyToken } from '../coordinator/enrollment-token.js';
import { runCli, STACK_LINE } from '../test-helpers/run-cli.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-keys-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fedrec keys', () => {
  it('writes a PKCS8 private key (mode 0600) and an SPKI public key, and will not overwrite them without --force', async () => {
    const out = join(dir, 'keys');
    const r = await runCli(['keys', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const key = join(out, 'enrollment.key');
    const pub = join(out, 'enrollment.pub');
    expect(JSON.parse(r.stdout)).toEqual({ privateKey: key, publicKey: pub });
    const privatePem = await readFile(key, 'utf8');
    const publicPem = await readFile(pub, 'utf8');
    expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(createPrivateKey(privatePem).asymmetricKeyType).toBe('ed25519');
    expect(createPublicKey(publicPem).asymmetricKeyType).toBe('ed25519');
    expect((await stat(key)).mode & 0o777).toBe(0o600);

    const again = await runCli(['keys', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^fedrec keys: FEDREC_BAD_PATH: .*enrollment\.key already exists: pass --force/);
    expect(again.stderr).not.toMatch(STACK_LINE);
    expect(await readFile(key, 'utf8')).toBe(privatePem);

    const forced = await runCli(['keys', '--out', out, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await readFile(key, 'utf8')).not.toBe(privatePem);
    expect((await stat(key)).mode & 0o777).toBe(0o600);
  });

  it('refuses an --out that is a file', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const r = await runCli(['keys', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`fedrec keys: FEDREC_BAD_PATH: --out ${file} is a file, not a directory`);
  });
});

describe('fedrec token issue', () => {
  let keys = '';
  beforeAll(async () => {
    keys = join(dir, 'issuer');
    expect((await runCli(['keys', '--out', keys])).code).toBe(0);
  });

  it('prints one token on one line that the public key verifies, for the subject, ttl and audience given', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await runCli(['token', 'issue', '--key', join(keys, 'enrollment.key'), '--subject', 'account-7', '--ttl', '1d', '--audience', 'recs']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    const publicPem = await readFile(join(keys, 'enrollment.pub'), 'utf8');
    const v = verifyToken(r.stdout.trim(), publicPem, { audience: 'recs' });
    expect(v.subject).toBe('account-7');
    expect(v.expiresAt - before).toBeGreaterThanOrEqual(86_400);
    expect(v.expiresAt - before).toBeLessThanOrEqual(86_400 + 60);
  });

  it.each([
    [['--subject', 'a', '--ttl', '1d'], 'FEDREC_USAGE', '--key FILE is required'],
    [['--key', 'KEY', '--ttl', '1d'], 'FEDREC_USAGE', '--subject ACCOUNT is required'],
    [['--key', 'KEY', '--subject', 'a', '--ttl', '1w'], 'FEDREC_USAGE', '--ttl: a lifetime is a positive number'],
    [['--key', 'MISSING', '--subject', 'a', '--ttl', '1d'], 'FEDREC_BAD_PATH', 'does not exist'],
    [['--key', 'PUB', '--subject', 'a', '--ttl', '1d'], 'FEDREC_BAD_PATH', 'is not an Ed25519 private key'],
  ])('%j → exit 2 with a sentence', async (args, code, sentence) => {
    const files: Record<string, string> = { KEY: join(keys, 'enrollment.key'), PUB: join(keys, 'enrollment.pub'), MISSING: join(keys, 'missing.key') };
    const r = await runCli(['token', 'issue', ...args.map((a) => files[a] ?? a)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^fedrec token: ${code}: `));
    expect(r.stderr).toContain(sentence);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('`fedrec token` alone says what to do', async () => {
    const r = await runCli(['token']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('fedrec token issue --key FILE --subject ACCOUNT --ttl 1d');
  });
});

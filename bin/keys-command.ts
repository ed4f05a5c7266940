// `fedrec keys` and `fedrec token issue`: the enrollment key pair, and tokens signed with it for
// scripts and tests (a real app's backend calls issueToken itself).

import { createPrivateKey, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateEnrollmentKeys, issueToken, parseTtl } from '../coordinator/enrollment-token.js';
import { ErrorCodes } from '../shared/protocol/errors.js';
import { parseFlags, required, unknownWord, UsageError } from './args.js';
import { checkDirFlag, checkInputFile, reason } from './path-checks.js';

export const keysUsage = `fedrec keys --out DIR [--force]
  writes DIR/enrollment.key (private, mode 0600: keep it on the app's backend) and DIR/enrollment.pub
  (give it to the coordinator); --force replaces an existing pair, which voids every token it signed`;

export const tokenUsage = `fedrec token issue --key DIR/enrollment.key --subject ACCOUNT --ttl 1d [--audience NAME]
  prints one enrollment token for ACCOUNT, valid for --ttl (s, m, h or d; plain numbers are seconds)`;

export async function runKeysCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { out: { type: 'string' }, force: { type: 'boolean' } });
  if (values.help) {
    console.log(keysUsage);
    return 0;
  }
  const dir = required(values, 'out', 'DIR');
  await checkDirFlag('--out', dir);
  const privatePath = join(dir, 'enrollment.key');
  const publicPath = join(dir, 'enrollment.pub');
  if (!values.force) {
    for (const p of [privatePath, publicPath]) {
      if (await exists(p)) throw new UsageError(`${p} already exists: pass --force to replace the key pair (tokens it signed stop working)`, ErrorCodes.BAD_PATH);
    }
  }
  const { privateKeyPem, publicKeyPem } = generateEnrollmentKeys();
  try {
    await mkdir(dir, { recursive: true });
    await writeAtomically(privatePath, privateKeyPem, 0o600);
    await writeAtomically(publicPath, publicKeyPem, 0o644);
  } catch (err) {
    throw new UsageError(`--out ${dir}: cannot write the keys: ${reason(err)}`, ErrorCodes.BAD_PATH);
  }
  console.log(JSON.stringify({ privateKey: privatePath, publicKey: publicPath }));
  return 0;
}

export async function runTokenCommand(argv: string[]): Promise<number> {
  const sub = argv[0] && !argv[0].startsWith('-') ? argv[0] : undefined;
  if (sub === undefined) {
    if (argv.includes('-h') || argv.includes('--help')) {
      console.log(tokenUsage);
      return 0;
    }
    throw new UsageError('say what to do with tokens: fedrec token issue --key FILE --subject ACCOUNT --ttl 1d');
  }
  if (sub !== 'issue') throw unknownWord('token subcommand', sub, ['issue']);
  const { values } = parseFlags(argv.slice(1), { key: { type: 'string' }, subject: { type: 'string' }, ttl: { type: 'string' }, audience: { type: 'string' } });
  if (values.help) {
    console.log(tokenUsage);
    return 0;
  }
  const keyPath = required(values, 'key', 'FILE');
  const subject = required(values, 'subject', 'ACCOUNT');
  let ttlSeconds: number;
  try {
    ttlSeconds = parseTtl(required(values, 'ttl', '1d'));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--ttl: ${(err as Error).message}`);
  }
  const key = await readPrivateKey(keyPath);
  console.log(issueToken(key, { subject, ttlSeconds, audience: values.audience }));
  return 0;
}

async function readPrivateKey(path: string): Promise<KeyObject> {
  await checkInputFile('--key', path);
  let key: KeyObject | null = null;
  try {
    key = createPrivateKey(await readFile(path, 'utf8'));
  } catch {
    // not a private key in any format: said below
  }
  if (!key || key.asymmetricKeyType !== 'ed25519') {
    throw new UsageError(`--key ${path} is not an Ed25519 private key (give the enrollment.key written by fedrec keys)`, ErrorCodes.BAD_PATH);
  }
  return key;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Writes via a temp file and rename, with the mode set before any content lands in the file. */
async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await rm(tmp, { force: true });
  await writeFile(tmp, text, { mode, flag: 'wx' });
  await chmod(tmp, mode); // the umask may have narrowed or (for 0644) kept it; be exact
  await rename(tmp, path);
}

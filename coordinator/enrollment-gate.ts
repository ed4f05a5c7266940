// Node-only: the coordinator's side of token enrollment. Holds the backend's public key and the
// spent token ids (persisted in the state dir, so a restart cannot make a token usable twice).

import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../shared/node/atomic-file.js';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { EnrollmentConfig } from './config.js';
import { UsedTokens, verifyToken, type VerifiedToken } from './enrollment-token.js';

export const USED_TOKENS_FILE = 'used-tokens.json';

/** Reads an Ed25519 public key (PEM); throws a sentence naming the file otherwise. */
export async function readEnrollmentKey(file: string): Promise<KeyObject> {
  let key: KeyObject;
  try {
    key = createPublicKey(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`enrollment public key ${file} cannot be read as a PEM public key (${(err as Error).message}): give the .pub file made by \`fedrec keys\``);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`enrollment public key ${file} is ${key.asymmetricKeyType}, not Ed25519: make one with \`fedrec keys\``);
  return key;
}

export class EnrollmentGate {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly publicKey: KeyObject,
    private readonly audience: string | null,
    private readonly usedFile: string | null,
    private readonly used: UsedTokens,
  ) {}

  /** Reads the public key and the spent-token list; a bad key file fails here, at start. */
  static async open(o: EnrollmentConfig, stateDir: string | null): Promise<EnrollmentGate> {
    const key = await readEnrollmentKey(o.publicKeyFile!);
    const usedFile = stateDir ? join(stateDir, USED_TOKENS_FILE) : null;
    let used = new UsedTokens();
    if (usedFile) {
      try {
        used = UsedTokens.from(JSON.parse(await readFile(usedFile, 'utf8')));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${usedFile}: ${(err as Error).message}`);
      }
    }
    used.prune();
    return new EnrollmentGate(key, o.audience, usedFile, used);
  }

  /**
   * Verifies a token and spends it, synchronously: a second join with the same token, even one
   * racing this one, is refused. The spend is persisted by persist(), which callers start at once.
   */
  redeem(token: string | undefined): VerifiedToken {
    if (token === undefined) throw new FedrecError(ErrorCodes.UNAUTHORIZED, 'this coordinator registers a new device only with an enrollment token from the app; none was sent');
    const v = verifyToken(token, this.publicKey, this.audience === null ? {} : { audience: this.audience });
    this.used.check(v.tokenId, v.expiresAt);
    return v;
  }

  /** Writes the spent-token list (writes are serialized; each writes the latest list). */
  persist(): Promise<void> {
    const file = this.usedFile;
    if (!file) return Promise.resolve();
    this.writing = this.writing.catch(() => {}).then(() => {
      this.used.prune();
      return writeFileAtomic(file, JSON.stringify(this.used));
    });
    return this.writing;
  }
}

// The cryptography one SecAgg+ party needs, as one object a platform passes in: key pairs and key
// agreement (key-agreement.ts), HKDF (kdf.ts), the share cipher (share-cipher.ts) and the mask PRG
// (prg.ts). `webCryptoSuite` runs anywhere WebCrypto does (browsers, Node); Node processes — the
// coordinator, `fedrec client`, simulation workers — pass shared/node/node-secagg-crypto.ts instead,
// the same algorithms on the same OpenSSL without WebCrypto's per-call objects and thread-pool hops.
// Both must agree byte for byte (tested both ways): a browser and the coordinator derive the same keys.

import type { Curve } from '../protocol/secagg-messages.js';
import { agree, generateKeyPair, type KeyPairBytes } from './key-agreement.js';
import { hkdf } from './kdf.js';
import { type MaskExpander, webCryptoExpander } from './prg.js';
import { open, seal } from './share-cipher.js';

export interface SecAggCrypto {
  /** For logs and benches: 'webcrypto' or 'node'. */
  readonly name: string;
  /** KA.gen: a fresh pair whose private scalar can leave as 32 bytes (it is Shamir-shared). */
  generateKeyPair(curve: Curve): Promise<KeyPairBytes>;
  /** KA.agree: the raw 32-byte shared secret; SECAGG_BAD_KEY for wrong lengths or small-order keys. */
  agree(own: KeyPairBytes, peerPublic: Uint8Array): Promise<Uint8Array>;
  /** HKDF-SHA256 (RFC 5869), `length` bytes (32 by default). */
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: string | Uint8Array, length?: number): Promise<Uint8Array>;
  /** AES-256-GCM: nonce (12) ‖ ciphertext ‖ tag (16). */
  seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /** SECAGG_BAD_CIPHERTEXT on any tampering, wrong key, wrong aad or truncation. */
  open(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /** AES-256-CTR mask expansion. */
  readonly expander: MaskExpander;
  /**
   * Where the platform can tell synchronously (Node): throws SECAGG_BAD_KEY for a public key no one can
   * agree with (a small-order X25519 point, a P-256 point off the curve). The coordinator checks each
   * client's keys with it, so one bad key cannot make every neighbour's agreement fail and empty the round.
   */
  readonly checkPublicKey?: (curve: Curve, publicKey: Uint8Array) => void;
}

export const webCryptoSuite: SecAggCrypto = { name: 'webcrypto', generateKeyPair, agree, hkdf, seal, open, expander: webCryptoExpander };

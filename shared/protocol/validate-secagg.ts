// Schema checks for the secure-aggregation messages (both directions). Sizes are bounded here so a
// peer cannot make the other side allocate or loop without limit.

import { ErrorCodes, FedrecError } from './errors.js';
import { bytes, finite, int, invalid, obj, type Obj } from './fields.js';
import { CURVES, type Curve, type DistributedDpParams, type SaNeighboursMessage, type SecAggClientMessage, type SecAggCoordinatorMessage, type SecureOffer } from './secagg-messages.js';

/** Shares go to at most 254 neighbours (Shamir over GF(2^8) splits into at most 255). */
export const MAX_NEIGHBOURS = 254;
const MAX_KEY_BYTES = 65; // uncompressed P-256 point
const MAX_SEALED_BYTES = 512;
const MAX_SHARE_BYTES = 64;
const MAX_INDEX = 1 << 24;

function list(m: Obj, type: string, field: string, max: number): unknown[] {
  const v = m[field];
  if (!Array.isArray(v) || v.length > max) invalid(type, field, `a list of at most ${max} entries`);
  return v;
}

function entry(v: unknown, type: string, field: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) invalid(type, field, 'a list of maps');
  return v as Obj;
}

function sized(m: Obj, type: string, field: string, max: number, min = 1): Uint8Array {
  const b = bytes(m, type, field);
  if (b.byteLength < min || b.byteLength > max) invalid(type, field, `${min}–${max} bytes`);
  return b;
}

function index(m: Obj, type: string, field: string): number {
  const v = int(m, type, field, 1);
  if (v > MAX_INDEX) invalid(type, field, `at most ${MAX_INDEX}`);
  return v;
}

function indices(m: Obj, type: string, field: string): number[] {
  return list(m, type, field, MAX_NEIGHBOURS + 1).map((v, i) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > MAX_INDEX) invalid(type, `${field}[${i}]`, 'a participant index');
    return v;
  });
}

function noDuplicates(values: number[], type: string, field: string): void {
  if (new Set(values).size !== values.length) invalid(type, field, 'free of duplicates');
}

/** The sealed share bundles of sa-shares (addressed `to`) and sa-relay (`from`), one per peer. */
function sealedBundles(m: Obj, type: string, peerField: 'to' | 'from'): { peer: number; sealed: Uint8Array }[] {
  const out = list(m, type, 'shares', MAX_NEIGHBOURS).map((v) => {
    const e = entry(v, type, 'shares');
    return { peer: index(e, `${type}.shares`, peerField), sealed: sized(e, `${type}.shares`, 'sealed', MAX_SEALED_BYTES) };
  });
  noDuplicates(out.map((s) => s.peer), type, `shares.${peerField}`);
  return out;
}

export function validateSecureOffer(s: Obj): SecureOffer {
  const t = 'offer.secure';
  if (!CURVES.includes(s.curve as Curve)) invalid(t, 'curve', `one of ${CURVES.join(', ')}`);
  return { curve: s.curve as Curve, session: sized(s, t, 'session', 16, 16) };
}

/** Distributed-DP parameters of sa-neighbours: a 32-byte seed and bounds a client can act on safely. */
export function validateDistributedDp(p: Obj): DistributedDpParams {
  const t = 'sa-neighbours.dp';
  // Participants are numbered 1…MAX_INDEX, so no round has more clients; whether n and p are
  // plausible for this device's round is its own check (client/secagg/noise-floor.ts).
  const clients = int(p, t, 'clients', 1);
  if (clients > MAX_INDEX) invalid(t, 'clients', `at most ${MAX_INDEX}`);
  return {
    rotationSeed: sized(p, t, 'rotationSeed', 32, 32),
    normBound: finite(p, t, 'normBound', 1, 2 ** 31),
    // Per-coordinate variance; 2^50 is the sampler's limit and far beyond any useful share.
    noise: finite(p, t, 'noise', 0, 2 ** 50),
    clients,
    dropoutRate: finite(p, t, 'dropoutRate', 0, 1),
  };
}

export function validateSecAggClientMessage(m: Obj): SecAggClientMessage {
  const type = m.type as SecAggClientMessage['type'];
  const round = int(m, type, 'round', 1);
  switch (type) {
    case 'sa-keys':
      return { type, round, encKey: sized(m, type, 'encKey', MAX_KEY_BYTES, 32), maskKey: sized(m, type, 'maskKey', MAX_KEY_BYTES, 32) };
    case 'sa-shares':
      return { type, round, shares: sealedBundles(m, type, 'to').map(({ peer, sealed }) => ({ to: peer, sealed })) };
    case 'sa-masked': {
      const masked = bytes(m, type, 'masked');
      if (masked.byteLength % 4 !== 0) throw new FedrecError(ErrorCodes.WRONG_SIZE, `sa-masked.masked has ${masked.byteLength} bytes, not whole uint32 words`, { round });
      return { type, round, modelVersion: int(m, type, 'modelVersion'), masked };
    }
    case 'sa-unmask': {
      const shareList = (field: string) =>
        list(m, type, field, MAX_NEIGHBOURS + 1).map((v) => {
          const e = entry(v, type, field);
          return { of: index(e, `${type}.${field}`, 'of'), share: sized(e, `${type}.${field}`, 'share', MAX_SHARE_BYTES) };
        });
      const selfShares = shareList('selfShares');
      const keyShares = shareList('keyShares');
      noDuplicates([...selfShares, ...keyShares].map((s) => s.of), type, 'selfShares/keyShares .of');
      return { type, round, selfShares, keyShares };
    }
    default:
      throw new FedrecError(ErrorCodes.UNKNOWN_MESSAGE_TYPE, `unknown message type ${JSON.stringify(type)?.slice(0, 40)}`);
  }
}

export function validateSecAggCoordinatorMessage(m: Obj): SecAggCoordinatorMessage {
  const type = m.type as SecAggCoordinatorMessage['type'];
  const round = int(m, type, 'round', 1);
  switch (type) {
    case 'sa-neighbours': {
      const neighbours = list(m, type, 'neighbours', MAX_NEIGHBOURS).map((v) => {
        const e = entry(v, type, 'neighbours');
        const t = `${type}.neighbours`;
        return { index: index(e, t, 'index'), encKey: sized(e, t, 'encKey', MAX_KEY_BYTES, 32), maskKey: sized(e, t, 'maskKey', MAX_KEY_BYTES, 32) };
      });
      noDuplicates(neighbours.map((n) => n.index), type, 'neighbours.index');
      const out: SaNeighboursMessage = { type, round, index: index(m, type, 'index'), threshold: int(m, type, 'threshold', 1), scale: finite(m, type, 'scale', 1), neighbours };
      if (m.dp !== undefined) out.dp = validateDistributedDp(obj(m, type, 'dp'));
      return out;
    }
    case 'sa-relay':
      return { type, round, shares: sealedBundles(m, type, 'from').map(({ peer, sealed }) => ({ from: peer, sealed })) };
    case 'sa-unmask-request': {
      const survivors = indices(m, type, 'survivors');
      const dropped = indices(m, type, 'dropped');
      noDuplicates(survivors, type, 'survivors');
      noDuplicates(dropped, type, 'dropped');
      return { type, round, survivors, dropped };
    }
    default:
      throw new FedrecError(ErrorCodes.UNKNOWN_MESSAGE_TYPE, `unknown message type ${JSON.stringify(type)?.slice(0, 40)}`);
  }
}

export function isSecAggType(type: unknown): boolean {
  return typeof type === 'string' && type.startsWith('sa-');
}


// What the coordinator does with each answer a client sends in a secure round: checks it belongs
// to the round's current stage and to this client, refuses it with a stable code if not, and
// records it: keys, sealed shares, the masked input (summed mod 2^32 as it arrives), the shares
// asked for unmasking. Each throws before any state change.

import { ErrorCodes, FedrecError } from '../../shared/protocol/errors.js';
import type { SaKeysMessage, SaMaskedMessage, SaSharesMessage, SaUnmaskMessage } from '../../shared/protocol/secagg-messages.js';
import { publicKeyLength } from '../../shared/secagg/key-agreement.js';
import { addInto } from '../../shared/secagg/prg.js';
import type { Participant, SecureRound, SecureStage } from './secure-round.js';

function expectStage(r: SecureRound, stage: SecureStage, type: string): void {
  if (r.stage !== stage) throw new FedrecError(ErrorCodes.SECAGG_WRONG_STAGE, `round ${r.spec.round} is in its ${r.stage} stage; ${type} belongs to the ${stage} stage`, { round: r.spec.round });
}

function participant(r: SecureRound, clientId: string, type: string): Participant {
  const p = r.byClient.get(clientId);
  if (!p || p.gone) throw new FedrecError(ErrorCodes.SECAGG_WRONG_STAGE, `${type}: this client is not a participant of round ${r.spec.round}'s secure aggregation`, { round: r.spec.round });
  return p;
}

export function acceptKeys(r: SecureRound, clientId: string, m: SaKeysMessage): void {
  expectStage(r, 'keys', m.type);
  if (r.byClient.has(clientId)) throw new FedrecError(ErrorCodes.DUPLICATE_UPDATE, `round ${m.round} already has this client's keys`, { round: m.round });
  const len = publicKeyLength(r.spec.curve);
  if (m.encKey.length !== len || m.maskKey.length !== len) throw new FedrecError(ErrorCodes.SECAGG_BAD_KEY, `round ${m.round} uses ${r.spec.curve}: public keys are ${len} bytes`, { round: m.round });
  if (equalBytes(m.encKey, m.maskKey)) throw new FedrecError(ErrorCodes.SECAGG_BAD_KEY, 'the encryption and mask keys must be two different fresh keys', { round: m.round });
  // Relayed to its neighbours, a key no one can agree with would make each of their rounds fail.
  for (const key of [m.encKey, m.maskKey]) {
    try {
      r.spec.checkKey?.(r.spec.curve, key);
    } catch (e) {
      throw new FedrecError(ErrorCodes.SECAGG_BAD_KEY, `round ${m.round}: ${e instanceof Error ? e.message : String(e)}`, { round: m.round });
    }
  }
  r.byClient.set(clientId, { clientId, index: 0, encKey: m.encKey, maskKey: m.maskKey, neighbours: [], sealed: null, masked: false, asked: null, answered: false, gone: false });
}

export function acceptShares(r: SecureRound, clientId: string, m: SaSharesMessage): void {
  expectStage(r, 'shares', m.type);
  const p = participant(r, clientId, m.type);
  if (p.sealed) throw new FedrecError(ErrorCodes.DUPLICATE_UPDATE, `round ${m.round} already has this client's shares`, { round: m.round });
  const to = m.shares.map((s) => s.to).sort((a, b) => a - b);
  if (to.length !== p.neighbours.length || to.some((x, i) => x !== p.neighbours[i])) {
    throw new FedrecError(ErrorCodes.SECAGG_BAD_REQUEST, `sa-shares must hold exactly one sealed bundle for each of the client's ${p.neighbours.length} neighbours`, { round: m.round });
  }
  p.sealed = new Map(m.shares.map((s) => [s.to, s.sealed]));
  r.poke();
}

/**
 * The input as words: a view when aligned, else copied into the round's scratch buffer. A fresh
 * 1.2 MB copy per input (zero-fill, copy, garbage) cost the intake a third of bare ws's rate (W2 secure).
 */
function wordsOf(r: SecureRound, bytes: Uint8Array): Uint32Array {
  if (bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  r.scratch ??= new Uint32Array(r.spec.words);
  new Uint8Array(r.scratch.buffer).set(bytes);
  return r.scratch;
}

export function acceptMasked(r: SecureRound, clientId: string, m: SaMaskedMessage): void {
  expectStage(r, 'masked', m.type);
  const p = participant(r, clientId, m.type);
  if (!p.sealed) throw new FedrecError(ErrorCodes.SECAGG_WRONG_STAGE, 'a masked input from a client that shared no keys cannot be unmasked', { round: m.round });
  if (p.masked) throw new FedrecError(ErrorCodes.DUPLICATE_UPDATE, `round ${m.round} already has this client's masked input`, { round: m.round });
  if (m.modelVersion !== r.spec.modelVersion) throw new FedrecError(ErrorCodes.MODEL_VERSION_MISMATCH, `masked input is for model version ${m.modelVersion}; round ${m.round} trains version ${r.spec.modelVersion}`, { round: m.round });
  if (m.masked.byteLength !== r.spec.words * 4) throw new FedrecError(ErrorCodes.WRONG_SIZE, `masked input has ${m.masked.byteLength / 4} words; the round's vector has ${r.spec.words}`, { round: m.round });
  addInto(r.sum, wordsOf(r, m.masked));
  p.masked = true;
  r.poke();
}

export function acceptUnmask(r: SecureRound, clientId: string, m: SaUnmaskMessage): void {
  expectStage(r, 'unmask', m.type);
  const p = participant(r, clientId, m.type);
  if (!p.asked) throw new FedrecError(ErrorCodes.SECAGG_WRONG_STAGE, 'this client was not asked for shares', { round: m.round });
  if (p.answered) throw new FedrecError(ErrorCodes.DUPLICATE_UPDATE, `round ${m.round} already has this client's shares for unmasking`, { round: m.round });
  const selfOf = m.selfShares.map((s) => s.of);
  const keyOf = m.keyShares.map((s) => s.of);
  if (!sameSet(selfOf, p.asked.survivors) || !sameSet(keyOf, p.asked.dropped)) {
    throw new FedrecError(ErrorCodes.SECAGG_BAD_REQUEST, 'sa-unmask must answer exactly the shares that were asked for', { round: m.round });
  }
  for (const s of m.selfShares) push(r.shares.selfShares, s.of, s.share);
  for (const s of m.keyShares) push(r.shares.keyShares, s.of, s.share);
  p.answered = true;
  r.poke();
}

function push(map: Map<number, Uint8Array[]>, key: number, value: Uint8Array): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function sameSet(values: number[], set: Set<number>): boolean {
  return values.length === set.size && values.every((v) => set.has(v));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// Bad secure-aggregation frames get a coded refusal before anything reads them.

import { describe, expect, it } from 'vitest';
import { ErrorCodes } from './errors.js';
import { validateClientMessage, validateCoordinatorMessage } from './validate.js';

const key = () => new Uint8Array(32).fill(7);
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'accepted';
};

describe('secure-aggregation messages from clients', () => {
  it('accepts well-formed ones', () => {
    expect(code(() => validateClientMessage({ type: 'sa-keys', round: 1, encKey: key(), maskKey: key() }))).toBe('accepted');
    expect(code(() => validateClientMessage({ type: 'sa-shares', round: 1, shares: [{ to: 2, sealed: new Uint8Array(100) }] }))).toBe('accepted');
    expect(code(() => validateClientMessage({ type: 'sa-masked', round: 1, modelVersion: 0, masked: new Uint8Array(8) }))).toBe('accepted');
    expect(code(() => validateClientMessage({ type: 'sa-unmask', round: 1, selfShares: [{ of: 1, share: new Uint8Array(49) }], keyShares: [] }))).toBe('accepted');
  });

  it.each([
    ['a key of 8 bytes', { type: 'sa-keys', round: 1, encKey: new Uint8Array(8), maskKey: key() }, ErrorCodes.INVALID_MESSAGE],
    ['a key of 200 bytes', { type: 'sa-keys', round: 1, encKey: new Uint8Array(200), maskKey: key() }, ErrorCodes.INVALID_MESSAGE],
    ['round 0', { type: 'sa-keys', round: 0, encKey: key(), maskKey: key() }, ErrorCodes.INVALID_MESSAGE],
    ['255 share bundles', { type: 'sa-shares', round: 1, shares: Array.from({ length: 255 }, (_, i) => ({ to: i + 1, sealed: new Uint8Array(10) })) }, ErrorCodes.INVALID_MESSAGE],
    ['two bundles to one neighbour', { type: 'sa-shares', round: 1, shares: [{ to: 2, sealed: new Uint8Array(10) }, { to: 2, sealed: new Uint8Array(10) }] }, ErrorCodes.INVALID_MESSAGE],
    ['an oversized bundle', { type: 'sa-shares', round: 1, shares: [{ to: 2, sealed: new Uint8Array(4096) }] }, ErrorCodes.INVALID_MESSAGE],
    ['a bundle to index 0', { type: 'sa-shares', round: 1, shares: [{ to: 0, sealed: new Uint8Array(10) }] }, ErrorCodes.INVALID_MESSAGE],
    ['masked bytes not whole words', { type: 'sa-masked', round: 1, modelVersion: 0, masked: new Uint8Array(7) }, ErrorCodes.WRONG_SIZE],
    ['a self and a key share of one client', { type: 'sa-unmask', round: 1, selfShares: [{ of: 3, share: new Uint8Array(49) }], keyShares: [{ of: 3, share: new Uint8Array(49) }] }, ErrorCodes.INVALID_MESSAGE],
    ['an unknown sa- type', { type: 'sa-gossip', round: 1 }, ErrorCodes.UNKNOWN_MESSAGE_TYPE],
  ])('refuses %s', (_what, m, expected) => {
    expect(code(() => validateClientMessage(m as Record<string, unknown>))).toBe(expected);
  });
});

describe('secure-aggregation messages from the coordinator', () => {
  it.each([
    ['a neighbour list naming one index twice', { type: 'sa-neighbours', round: 1, index: 1, threshold: 2, scale: 1024, neighbours: [{ index: 2, encKey: key(), maskKey: key() }, { index: 2, encKey: key(), maskKey: key() }] }],
    ['a scale below 1', { type: 'sa-neighbours', round: 1, index: 1, threshold: 2, scale: 0.5, neighbours: [] }],
    ['survivors listed twice', { type: 'sa-unmask-request', round: 1, survivors: [1, 1], dropped: [] }],
    ['an offer with an unknown curve', { type: 'offer', round: 1, task: 'train', modelVersion: 0, shape: { items: 1, dim: 1 }, catalogueVersion: 'v', params: new Uint8Array(8), config: { localEpochs: 1, lr: 0.1, l2: 0, negatives: 1, batchSize: 1, clipNorm: 1, evalFitEpochs: 0 }, deadlineMs: 1, secure: { curve: 'ed448', session: new Uint8Array(16) } }],
    ['an offer with a short session', { type: 'offer', round: 1, task: 'train', modelVersion: 0, shape: { items: 1, dim: 1 }, catalogueVersion: 'v', params: new Uint8Array(8), config: { localEpochs: 1, lr: 0.1, l2: 0, negatives: 1, batchSize: 1, clipNorm: 1, evalFitEpochs: 0 }, deadlineMs: 1, secure: { curve: 'x25519', session: new Uint8Array(4) } }],
  ])('refuses %s with FEDREC_INVALID_MESSAGE', (_what, m) => {
    expect(code(() => validateCoordinatorMessage(m as Record<string, unknown>))).toBe(ErrorCodes.INVALID_MESSAGE);
  });
});

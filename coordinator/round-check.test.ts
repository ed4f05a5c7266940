import { describe, expect, it } from 'vitest';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import { openPhase } from './phase.js';
import { admitAnswer } from './round-check.js';

const registry = new Set(['a', 'b', 'c']);
const phase = (round: number, task: 'train' | 'evaluate') =>
  openPhase({ round, task, samplingRate: 1, samplingSeed: 1, registry, deadlineMs: 1000, offer: { modelVersion: 0, shape: { items: 1, dim: 1 }, catalogueVersion: 'v', params: new Uint8Array(8), config: { localEpochs: 1, lr: 0.1, l2: 0, negatives: 1, batchSize: 1, clipNorm: 1, evalFitEpochs: 0 } } });
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as FedrecError).code;
  }
  return 'admitted';
};

describe('admitAnswer', () => {
  it('admits an offered client once, and says why everything else is refused', () => {
    const p = phase(5, 'train');
    expect(p.selected).toEqual(new Set(['a', 'b', 'c'])); // q = 1
    p.offered.add('a');
    const at = { phase: p, lastClosed: { round: 4, task: 'evaluate' as const }, committedRound: 4 };
    expect(code(() => admitAnswer(at, 'a', 5, 'train'))).toBe('admitted');
    expect(code(() => admitAnswer(at, 'b', 5, 'train'))).toBe(ErrorCodes.NOT_SELECTED); // selected, never offered
    p.reported.add('a');
    expect(code(() => admitAnswer(at, 'a', 5, 'train'))).toBe(ErrorCodes.DUPLICATE_UPDATE);
    expect(code(() => admitAnswer(at, 'a', 5, 'evaluate'))).toBe(ErrorCodes.WRONG_TASK);
    expect(code(() => admitAnswer(at, 'a', 4, 'evaluate'))).toBe(ErrorCodes.LATE_UPDATE);
    expect(code(() => admitAnswer(at, 'a', 4, 'train'))).toBe(ErrorCodes.STALE_ROUND);
    expect(code(() => admitAnswer(at, 'a', 6, 'train'))).toBe(ErrorCodes.UNKNOWN_ROUND);
    expect([p.rejected, p.late]).toEqual([5, 1]);
  });

  it('with no open phase: stale below the committed round, unknown above', () => {
    const at = { phase: null, lastClosed: null, committedRound: 3 };
    expect(code(() => admitAnswer(at, 'a', 3, 'train'))).toBe(ErrorCodes.STALE_ROUND);
    expect(code(() => admitAnswer(at, 'a', 4, 'train'))).toBe(ErrorCodes.UNKNOWN_ROUND);
  });

  it('draws the same sample from the same seed, and a CSPRNG seed when none is given', () => {
    const half = (seed: number | null) => openPhase({ round: 1, task: 'train', samplingRate: 0.5, samplingSeed: seed, registry: new Set(Array.from({ length: 200 }, (_, i) => `c${i}`)), deadlineMs: 1, offer: { modelVersion: 0, shape: { items: 1, dim: 1 }, catalogueVersion: 'v', params: new Uint8Array(8), config: { localEpochs: 1, lr: 0.1, l2: 0, negatives: 1, batchSize: 1, clipNorm: 1, evalFitEpochs: 0 } } });
    expect(half(7).selected).toEqual(half(7).selected);
    expect(half(null).seed).not.toBe(half(null).seed);
  });
});

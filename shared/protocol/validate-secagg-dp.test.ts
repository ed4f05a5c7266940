// The distributed-DP parameters of sa-neighbours: typed, bounded, and carried through the codec.

import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeMessage } from './codec.js';
import { ErrorCodes } from './errors.js';
import { validateCoordinatorMessage } from './validate.js';

const neighbours = (dp?: unknown) => ({ type: 'sa-neighbours', round: 1, index: 1, threshold: 2, scale: 1024, neighbours: [{ index: 2, encKey: new Uint8Array(32).fill(1), maskKey: new Uint8Array(32).fill(2) }], ...(dp === undefined ? {} : { dp }) });
const dp = { rotationSeed: new Uint8Array(32).fill(5), normBound: 1.5e6, noise: 2.5e9, clients: 200, dropoutRate: 0.05 };
const code = (m: object) => {
  try {
    validateCoordinatorMessage(m as Record<string, unknown>);
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'accepted';
};

describe('sa-neighbours.dp', () => {
  it('is optional, and survives encode → decode → validate intact', () => {
    expect(code(neighbours())).toBe('accepted');
    const m = validateCoordinatorMessage(decodeFrame(encodeMessage(neighbours(dp))) as Record<string, unknown>);
    expect(m).toMatchObject({ type: 'sa-neighbours', dp: { normBound: 1.5e6, noise: 2.5e9, clients: 200, dropoutRate: 0.05 } });
    expect([...(m as { dp: { rotationSeed: Uint8Array } }).dp.rotationSeed]).toEqual([...dp.rotationSeed]);
  });

  it.each([
    ['a 16-byte rotation seed', { ...dp, rotationSeed: new Uint8Array(16) }, ErrorCodes.INVALID_MESSAGE],
    ['a negative noise', { ...dp, noise: -1 }, ErrorCodes.INVALID_MESSAGE],
    ['a noise beyond the sampler', { ...dp, noise: 2 ** 51 }, ErrorCodes.INVALID_MESSAGE],
    ['a NaN norm bound', { ...dp, normBound: NaN }, ErrorCodes.NON_FINITE],
    ['a norm bound of 0', { ...dp, normBound: 0 }, ErrorCodes.INVALID_MESSAGE],
    ['not a map', [1, 2], ErrorCodes.INVALID_MESSAGE],
    // n and p: the device re-plans the noise from them, so they must be there and sane.
    ['no client count', { ...dp, clients: undefined }, ErrorCodes.INVALID_MESSAGE],
    ['a client count of 0', { ...dp, clients: 0 }, ErrorCodes.INVALID_MESSAGE],
    ['a fractional client count', { ...dp, clients: 2.5 }, ErrorCodes.INVALID_MESSAGE],
    ['more clients than participant indices', { ...dp, clients: 2 ** 24 + 1 }, ErrorCodes.INVALID_MESSAGE],
    ['no dropout rate', { ...dp, dropoutRate: undefined }, ErrorCodes.INVALID_MESSAGE],
    ['a negative dropout rate', { ...dp, dropoutRate: -0.1 }, ErrorCodes.INVALID_MESSAGE],
    ['a dropout rate above 1', { ...dp, dropoutRate: 1.5 }, ErrorCodes.INVALID_MESSAGE],
    ['an infinite dropout rate', { ...dp, dropoutRate: Infinity }, ErrorCodes.NON_FINITE],
  ])('refuses %s', (_name, bad, expected) => {
    expect(code(neighbours(bad))).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { linear, niceAxis, niceStep, tickLabel } from './scale.js';

describe('chart axes', () => {
  it.each([
    [10, 5, 2],
    [0.48, 5, 0.1],
    [3, 5, 0.5],
    [100, 5, 20],
    [0.07, 5, 0.01],
  ])('a span of %d in about %d ticks steps by %d', (span, count, step) => {
    expect(niceStep(span, count)).toBeCloseTo(step, 12);
  });

  it('rounds the domain out to whole steps, without float residue in the ticks', () => {
    expect(niceAxis(0.27, 0.75)).toEqual({ min: 0.2, max: 0.8, step: 0.1, ticks: [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8] });
    expect(niceAxis(0, 1.85).ticks).toEqual([0, 0.5, 1, 1.5, 2]);
  });

  it('keeps round numbers whole', () => {
    expect(niceAxis(1, 3, { integer: true }).ticks).toEqual([1, 2, 3]);
    expect(niceAxis(1, 20, { integer: true }).ticks).toEqual([0, 5, 10, 15, 20]);
    expect(niceAxis(1, 1, { integer: true }).ticks).toEqual([0, 1, 2]);
  });

  it('widens a single value into an axis with a length', () => {
    const a = niceAxis(0.6, 0.6);
    expect(a.min).toBeLessThan(0.6);
    expect(a.max).toBeGreaterThan(0.6);
  });

  it('labels ticks with the decimals their step needs', () => {
    expect(tickLabel(0.3, 0.1)).toBe('0.3');
    expect(tickLabel(0.35, 0.05)).toBe('0.35');
    expect(tickLabel(20, 5)).toBe('20');
    expect(tickLabel(2, 0.5)).toBe('2.0');
  });

  it('maps a domain onto a range, either way up', () => {
    const y = linear(0, 1, 344, 56);
    expect(y(0)).toBe(344);
    expect(y(1)).toBe(56);
    expect(y(0.5)).toBe(200);
  });
});

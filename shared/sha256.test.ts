import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { sha256Hex } from './sha256.js';
import { isSelected, selectionScore } from './sampling.js';

describe('sha256', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });
  it('agrees with node:crypto on long inputs', () => {
    const text = 'x'.repeat(1000) + 'fedrec';
    expect(sha256Hex(text)).toBe(createHash('sha256').update(text).digest('hex'));
  });
});

describe('Poisson selection', () => {
  it('selects each client with probability q (binomial bounds)', () => {
    const n = 20_000, q = 0.05;
    let k = 0;
    for (let i = 0; i < n; i++) if (isSelected('a1b2c3', `client-${i}`, q)) k++;
    const sd = Math.sqrt(n * q * (1 - q));
    expect(Math.abs(k - n * q)).toBeLessThan(4 * sd);
  });
  it('is independent across seeds and covers [0,1)', () => {
    const a = selectionScore('seed-1', 'c'), b = selectionScore('seed-2', 'c');
    expect(a).not.toBe(b);
    for (let i = 0; i < 100; i++) {
      const s = selectionScore(`s${i}`, 'c');
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(1);
    }
    expect(isSelected('any', 'c', 1)).toBe(true);
    expect(isSelected('any', 'c', 0)).toBe(false);
  });
});

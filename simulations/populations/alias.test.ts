import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../shared/random.js';
import { AliasTable } from './alias.js';
import { catalogueRow, sortedUniqueIds } from './catalogue.js';

describe('AliasTable', () => {
  it('draws in proportion to the weights and never draws a zero weight', () => {
    const weights = [5, 0, 1, 3, 1];
    const table = new AliasTable(weights);
    const rng = new SeededRandom(3);
    const counts = new Array(weights.length).fill(0);
    const draws = 200_000;
    for (let k = 0; k < draws; k++) counts[table.sample(rng)]++;
    expect(counts[1]).toBe(0);
    weights.forEach((w, i) => expect(counts[i] / draws).toBeCloseTo(w / 10, 2));
  });

  it('refuses weights that are all zero or not finite', () => {
    expect(() => new AliasTable([0, 0])).toThrow();
    expect(() => new AliasTable([])).toThrow();
    expect(() => new AliasTable([1, Infinity])).toThrow();
  });
});

describe('catalogue helpers', () => {
  it('sorts and dedupes ids, and finds rows by binary search', () => {
    const ids = sortedUniqueIds([9, 3, 3, 100, 1, 9]);
    expect(Array.from(ids)).toEqual([1, 3, 9, 100]);
    expect([1, 3, 9, 100, 0, 4, 101].map((id) => catalogueRow(ids, id))).toEqual([0, 1, 2, 3, -1, -1, -1]);
    expect(catalogueRow(new Int32Array(0), 1)).toBe(-1);
  });
});

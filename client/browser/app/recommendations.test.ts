// Top-10 with reasons on a planted model whose nearest history items are known.

import { describe, expect, it } from 'vitest';
import type { Interaction } from '../../../shared/data/types.js';
import type { ItemInfo } from '../../../shared/model/catalogue-listing.js';
import type { ClientState } from '../../store.js';
import { becauseText, recommendationsFor } from './recommendations.js';

// Rows: 10 → (1,0), 20 → (0,1), 30 → (0.9,0.1) near 10, 40 → (0.1,0.9) near 20, 50 → (−1,0).
const ids = Int32Array.from([10, 20, 30, 40, 50]);
const emb = [1, 0, 0, 1, 0.9, 0.1, 0.1, 0.9, -1, 0];
const bias = [0, 0, 0, 0.5, 0];
function state(over: Partial<ClientState> = {}): ClientState {
  return {
    clientId: 'c',
    userVector: Float32Array.from([1, 0.2]),
    catalogue: { version: 'v', itemIds: ids },
    model: { version: 7, items: 5, dim: 2, params: Float32Array.from([...emb, ...bias]) },
    ledger: [],
    consent: null,
    ...over,
  };
}
const history: Interaction[] = [
  { item: 10, kind: 'view', timestamp: 1 },
  { item: 20, kind: 'view', timestamp: 2 },
  { item: 20, kind: 'purchase', timestamp: 3 },
];
const listing = new Map<number, ItemInfo>([
  [10, { id: 10, title: 'Ten' }],
  [20, { id: 20, title: 'Twenty', genres: ['Drama'] }],
  [30, { id: 30, title: 'Thirty', genres: ['Comedy', 'Drama'] }],
]);

describe('recommendations on the device', () => {
  it('ranks unseen items, names them, and gives the nearest history items as the reason', () => {
    const r = recommendationsFor(state(), history, listing);
    if (r.kind !== 'ready') throw new Error('expected recommendations');
    expect(r.modelVersion).toBe(7);
    // 30: 0.9 + 0.02 = 0.92; 40: 0.1 + 0.18 + 0.5 = 0.78; 50: −1. Seen 10 and 20 are left out.
    expect(r.items.map((x) => [x.rank, x.item, x.title])).toEqual([
      [1, 30, 'Thirty'],
      [2, 40, 'Item #40'],
      [3, 50, 'Item #50'],
    ]);
    expect(r.items[0].genres).toEqual(['Comedy', 'Drama']);
    // 20 was viewed and bought: it counts as bought.
    expect(r.items[0].because).toEqual([
      { item: 10, title: 'Ten', kind: 'view' },
      { item: 20, title: 'Twenty', kind: 'purchase' },
    ]);
    expect(r.items[1].because.map((b) => b.item)).toEqual([20, 10]);
    // Item 50 points away from both history items: no reason among them.
    expect(r.items[2].because).toEqual([]);
    const pop = (i: number) => r.items[i].factors.find((f) => f.name === 'popularity')!.value;
    expect(pop(0)).toBe(0);
    expect(pop(1)).toBeCloseTo(0.5 / 0.78, 5);
  });

  it('with no history nothing is left out; stops at k', () => {
    const r = recommendationsFor(state(), [], listing, 2);
    // 10: 1.0, 30: 0.92.
    expect(r.kind === 'ready' && r.items.map((x) => x.item)).toEqual([10, 30]);
  });

  it('needs the model, the user vector and a matching catalogue, all from a round', () => {
    expect(recommendationsFor(null, history, listing).kind).toBe('no-model');
    expect(recommendationsFor(state({ model: null }), history, listing).kind).toBe('no-model');
    expect(recommendationsFor(state({ userVector: null }), history, listing).kind).toBe('no-model');
    expect(recommendationsFor(state({ catalogue: { version: 'w', itemIds: Int32Array.from([10, 20]) } }), history, listing).kind).toBe('no-model');
  });

  it('says why in words', () => {
    expect(becauseText([])).toBeNull();
    expect(becauseText([{ item: 1, title: 'A', kind: 'view' }])).toBe('Because you viewed “A”');
    expect(becauseText([{ item: 1, title: 'A', kind: 'view' }, { item: 2, title: 'B', kind: 'view' }])).toBe('Because you viewed “A” and “B”');
    expect(becauseText([{ item: 1, title: 'A', kind: 'view' }, { item: 2, title: 'B', kind: 'purchase' }])).toBe('Because you viewed “A” and bought “B”');
  });
});

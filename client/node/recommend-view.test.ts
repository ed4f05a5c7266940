import { describe, expect, it } from 'vitest';
import type { MfModel } from '../../shared/model/mf-model.js';
import { explainedTopK, type ExplainedItem, recommendationsJson, recommendationsTable, whyText } from './recommend-view.js';

const item = (id: number, match: number, because: ExplainedItem['because'], popularity = 0.2): ExplainedItem => ({
  rank: 0,
  id,
  score: 1.7e7 * match,
  match,
  because,
  factors: { taste: 1 - popularity, popularity },
});

describe('whyText', () => {
  const name = (id: number) => `T${id}`;
  it('says what was watched or bought, joined with "and"', () => {
    expect(whyText(item(1, 1, [{ id: 2, similarity: 0.9, kind: 'view' }, { id: 3, similarity: 0.8, kind: 'view' }]), name)).toBe('because you watched T2 and T3');
    expect(whyText(item(1, 1, [{ id: 2, similarity: 0.9, kind: 'purchase' }]), name)).toBe('because you bought T2');
    expect(whyText(item(1, 1, [{ id: 2, similarity: 0.9, kind: 'purchase' }, { id: 3, similarity: 0.8, kind: 'view' }]), name)).toBe('because you bought T2 and watched T3');
  });
  it('without a close history item, names the factor that drove the score', () => {
    expect(whyText(item(1, 1, [], 0.7), name)).toBe('popular overall');
    expect(whyText(item(1, 1, [], 0.3), name)).toBe('fits your taste overall');
  });
});

describe('recommendationsTable and recommendationsJson', () => {
  const items = [
    { ...item(7, 1, [{ id: 2, similarity: 0.9, kind: 'view' }]), rank: 1 },
    { ...item(8, 0.456, [], 0.9), rank: 2 },
  ];
  const metadata = new Map([
    [7, { title: 'A title far too long to fit in the column of a terminal table, really', genres: ['Drama'] }],
    [2, { title: 'Seen' }],
  ]);

  it('shows rank, a clipped title (or the id), match in percent and why; never raw scores', () => {
    const t = recommendationsTable(items, metadata, 4);
    expect(t.split('\n')).toEqual([
      'Top 2 for you, ranked on this device from model version 4 (nothing was sent):',
      '',
      '#  title                                             match  why',
      '1  A title far too long to fit in the column of a …   100%  because you watched Seen',
      '2  item 8                                              46%  popular overall',
      '',
      'match: 100% is the best-scoring item you have not seen, 0% the worst.',
    ]);
  });

  it('JSON keeps ids, titles where known, the raw score, match and the reasons', () => {
    const j = JSON.parse(JSON.stringify(recommendationsJson(items, metadata, 4, 'v9')));
    expect(j).toEqual({
      modelVersion: 4,
      catalogueVersion: 'v9',
      items: [
        { rank: 1, id: 7, title: metadata.get(7)!.title, genres: ['Drama'], score: 1.7e7, match: 1, because: [{ id: 2, title: 'Seen', similarity: 0.9 }], factors: { taste: 0.8, popularity: 0.2 } },
        { rank: 2, id: 8, score: 1.7e7 * 0.456, match: 0.456, because: [], factors: { taste: 0.1, popularity: 0.9 } },
      ],
    });
  });
});

describe('explainedTopK', () => {
  // Items 10, 20, 30, 40 (rows 0–3), dim 2. The user has seen 10 (a view) and 20 (a purchase).
  const model: MfModel = { kind: 'mf', items: 4, dim: 2, params: Float32Array.from([1, 0, 0, 1, 1, 0.1, 0.1, 1, 0, 0, 0, 0]) };
  const catalogue = { version: 'v', itemIds: Int32Array.from([10, 20, 30, 40]) };
  const history = [
    { item: 10, timestamp: 1, kind: 'view' as const },
    { item: 20, timestamp: 2, kind: 'view' as const },
    { item: 20, timestamp: 3, kind: 'purchase' as const },
    { item: 99, timestamp: 4, kind: 'view' as const }, // not in the catalogue: ignored
  ];

  it('ranks unseen items, places them between the worst and best unseen score, and explains each by its nearest seen item', () => {
    const got = explainedTopK(model, Float32Array.from([2, 1]), catalogue, history, 5);
    // Scores: item 30 = 2.1, item 40 = 1.2: the best and the worst unseen.
    expect(got.map((g) => [g.rank, g.id, g.match])).toEqual([[1, 30, 1], [2, 40, 0]]);
    expect(got[0].because.map((b) => [b.id, b.kind])).toEqual([[10, 'view'], [20, 'purchase']]);
    expect(got[1].because.map((b) => [b.id, b.kind])).toEqual([[20, 'purchase'], [10, 'view']]);
    expect(got[0].factors).toEqual({ taste: 1, popularity: 0 });
  });
});

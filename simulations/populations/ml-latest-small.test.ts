// Real-data check against the MovieLens ml-latest-small copy kept beside the repo (shared/data), which
// is not part of the repo and may be absent: then this file is skipped.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogueRow } from './catalogue.js';
import { meanRanking } from '../../test-helpers/ranking.js';
import { loadMovieLens } from './movielens.js';
import { itemPopularity, leaveOneOut } from './split.js';

const RATINGS = fileURLToPath(new URL('../../../shared/data/ml-latest-small/ratings.csv', import.meta.url));
const present = existsSync(RATINGS);
if (!present) console.warn(`skipping the ml-latest-small tests: ${RATINGS} is absent`);

describe.skipIf(!present)(`ml-latest-small (skipped when ${RATINGS} is absent)`, () => {
  it('loads 671 users, 9,066 items and 100,004 interactions; ItemPop HR@10 ≈ 0.55', async () => {
    const start = performance.now();
    const population = await loadMovieLens(RATINGS);
    const loadMs = performance.now() - start;
    expect(population.users).toHaveLength(671);
    expect(population.itemIds).toHaveLength(9066);
    expect(population.users.reduce((n, u) => n + u.interactions.length, 0)).toBe(100_004);
    expect(population.users[0].user).toBe('1');
    expect(population.users[670].user).toBe('671');

    const splits = leaveOneOut(population, { seed: 1 });
    const popularity = itemPopularity(splits, population.itemIds);
    const itemPop = meanRanking(splits, () => (item) => popularity[catalogueRow(population.itemIds, item)]);
    console.info(`ml-latest-small: loaded in ${loadMs.toFixed(0)} ms; ItemPop HR@10 ${itemPop.hr.toFixed(4)}, NDCG@10 ${itemPop.ndcg.toFixed(4)}`);
    expect(splits).toHaveLength(671);
    expect(itemPop.hr).toBeGreaterThan(0.5); // reference ≈ 0.54
    expect(itemPop.hr).toBeLessThan(0.6);
  });
});

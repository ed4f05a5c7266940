import { describe, expect, it } from 'vitest';
import type { ItemInfo } from '../../../shared/model/catalogue-listing.js';
import { displayTitle, searchCatalogue } from './search.js';

const items: ItemInfo[] = [
  { id: 1, title: 'Amélie (2001)', genres: ['Comedy', 'Romance'] },
  { id: 2, title: 'The Quiet Summer (1990)', genres: ['Drama'] },
  { id: 3, title: 'Summer Wedding (1994)', genres: ['Comedy'] },
  { id: 40 },
  { id: 5, title: 'Heat (1995)', genres: ['Crime', 'Thriller'] },
];

const ids = (q: string, limit = 10) => searchCatalogue(items, q, limit).items.map((i) => i.id);

describe('catalogue search', () => {
  it('with no query keeps catalogue order', () => {
    expect(ids('')).toEqual([1, 2, 3, 40, 5]);
  });

  it('needs every word, in title, genre or #id, ignoring case and accents', () => {
    expect(ids('amelie')).toEqual([1]);
    expect(ids('COMEDY')).toEqual([1, 3]);
    expect(ids('summer comedy')).toEqual([3]);
    expect(ids('#40')).toEqual([40]);
    expect(ids('western')).toEqual([]);
  });

  it('titles starting with the query come first, then by title', () => {
    expect(ids('summer')).toEqual([3, 2]);
  });

  it('counts every match but returns at most the limit, and applies the filter first', () => {
    expect(searchCatalogue(items, 'comedy', 1)).toEqual({ items: [items[0]], total: 2 });
    expect(searchCatalogue(items, '', 10, (it) => it.id > 3).items.map((i) => i.id)).toEqual([40, 5]);
  });

  it('an item without a title is shown by its id', () => {
    expect(displayTitle(items[3], 40)).toBe('Item #40');
    expect(displayTitle(undefined, 7)).toBe('Item #7');
    expect(displayTitle(items[4], 5)).toBe('Heat (1995)');
  });
});

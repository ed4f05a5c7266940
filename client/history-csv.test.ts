import { describe, expect, it } from 'vitest';
import type { Interaction } from '../shared/data/types.js';
import { BadHistoryFileError, formatHistoryCsv, parseHistoryCsv } from './history-csv.js';

function badLine(text: string): BadHistoryFileError {
  try {
    parseHistoryCsv(text, { source: 'me.csv' });
  } catch (err) {
    expect(err).toBeInstanceOf(BadHistoryFileError);
    return err as BadHistoryFileError;
  }
  throw new Error('expected parseHistoryCsv to throw');
}

describe('parseHistoryCsv', () => {
  it('parses lines with and without kind, sorted by timestamp with ties in file order', () => {
    const text = '12,300,purchase\n7,100\n9,300\n5,200,view\n';
    expect(parseHistoryCsv(text)).toEqual([
      { item: 7, timestamp: 100, kind: 'view' },
      { item: 5, timestamp: 200, kind: 'view' },
      { item: 12, timestamp: 300, kind: 'purchase' },
      { item: 9, timestamp: 300, kind: 'view' },
    ]);
  });

  it('accepts a header, blank lines, # comments, CRLF, a BOM, spaces and upper-case kinds', () => {
    const text = '\uFEFF# exported 2024-01-01\r\nitem_id,timestamp,kind\r\n\r\n 3 , 10 , PURCHASE \r\n  # another comment\r\n4,11,\r\n';
    expect(parseHistoryCsv(text)).toEqual([
      { item: 3, timestamp: 10, kind: 'purchase' },
      { item: 4, timestamp: 11, kind: 'view' },
    ]);
    expect(parseHistoryCsv('itemId,ts\n1,2')).toEqual([{ item: 1, timestamp: 2, kind: 'view' }]);
  });

  it('gives no interactions for empty or comment-only text', () => {
    expect(parseHistoryCsv('')).toEqual([]);
    expect(parseHistoryCsv('# nothing yet\n\n')).toEqual([]);
    expect(parseHistoryCsv('item_id,timestamp\n')).toEqual([]);
  });

  it.each([
    ['1\n', 1, 'expected 2 or 3 fields'],
    ['1,2,view,extra\n', 1, 'expected 2 or 3 fields'],
    ['# c\n\nabc,2\n', 3, 'item id "abc"'],
    ['1,2\n-1,2\n', 2, 'item id "-1"'],
    ['2147483648,2\n', 1, 'item id'],
    ['1.5,2\n', 1, 'item id'],
    ['1,2\n1,\n', 2, 'timestamp ""'],
    ['1,yesterday\n', 1, 'timestamp "yesterday"'],
    ['1,2,like\n', 1, 'kind "like"'],
    ['item_id,when\n1,2\n', 1, 'expected the header'],
    ['1,2\nitem_id,timestamp\n', 2, 'item id "item_id"'],
  ])('rejects %j at line %i', (text, line, problem) => {
    const err = badLine(text);
    expect(err.code).toBe('FEDREC_BAD_HISTORY_FILE');
    expect(err.line).toBe(line);
    expect(err.message).toContain(`me.csv: line ${line}: `);
    expect(err.message).toContain(problem);
  });
});

describe('formatHistoryCsv', () => {
  it('round-trips through parseHistoryCsv', () => {
    const interactions: Interaction[] = [
      { item: 1, timestamp: 1_600_000_000, kind: 'view' },
      { item: 42, timestamp: 1_600_000_050.5, kind: 'purchase' },
    ];
    const text = formatHistoryCsv(interactions);
    expect(text).toBe('item_id,timestamp,kind\n1,1600000000,view\n42,1600000050.5,purchase\n');
    expect(parseHistoryCsv(text)).toEqual(interactions);
  });

  it('refuses interactions it could not read back', () => {
    expect(() => formatHistoryCsv([{ item: -3, timestamp: 1, kind: 'view' }])).toThrow(RangeError);
    expect(() => formatHistoryCsv([{ item: 3, timestamp: NaN, kind: 'view' }])).toThrow(RangeError);
  });
});

it('history-csv.ts imports nothing Node-only (browsers run it)', async () => {
  const { readFile } = await import('node:fs/promises');
  const source = await readFile(new URL('./history-csv.ts', import.meta.url), 'utf8');
  const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
  expect(imports.every((spec) => spec.startsWith('.'))).toBe(true);
});

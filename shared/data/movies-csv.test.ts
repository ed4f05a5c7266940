import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from './csv.js';
import { hasTitleColumn, parseMoviesCsv } from './movies-csv.js';

const fail = (line: number, problem: string): never => {
  throw Object.assign(new Error(`line ${line}: ${problem}`), { code: 'TEST' });
};

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF', () => {
    const text = 'a,b,c\r\n1,"x, y",z\n2,"say ""hi""",\n3,"two\nlines",end\n"4",,\n';
    expect(parseCsv(text)).toEqual([
      { fields: ['a', 'b', 'c'], line: 1 },
      { fields: ['1', 'x, y', 'z'], line: 2 },
      { fields: ['2', 'say "hi"', ''], line: 3 },
      { fields: ['3', 'two\nlines', 'end'], line: 4 },
      { fields: ['4', '', ''], line: 6 },
    ]);
  });

  it('skips blank lines and a BOM, keeps a final record without a newline', () => {
    expect(parseCsv('\uFEFFa,b\n\n  \nc,"d"')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['c', 'd'], line: 4 },
    ]);
  });

  it('reports an unterminated quote at the line it opened', () => {
    expect(() => parseCsv('a\n1,"never closed\n2,x\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a\n1,"never closed\n2,x\n')).toThrow(/line 2: a quoted field is never closed/);
  });
});

describe('parseMoviesCsv', () => {
  const text = [
    'movieId,title,genres',
    '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy',
    '11,"American President, The (1995)",Comedy|Drama|Romance',
    '7789,"11\'09""01 - September 11 (2002)",Drama',
    '83829,Scorpio Rising (1964),(no genres listed)',
    '5,,',
    '',
  ].join('\n');

  it('gives sorted ids, titles with commas and quotes, |-separated genres, none for "(no genres listed)"', () => {
    const { itemIds, metadata } = parseMoviesCsv(text, fail);
    expect(Array.from(itemIds)).toEqual([1, 5, 11, 7789, 83829]);
    expect(metadata.get(1)).toEqual({ title: 'Toy Story (1995)', genres: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'] });
    expect(metadata.get(11)).toEqual({ title: 'American President, The (1995)', genres: ['Comedy', 'Drama', 'Romance'] });
    expect(metadata.get(7789)).toEqual({ title: '11\'09"01 - September 11 (2002)', genres: ['Drama'] });
    expect(metadata.get(83829)).toEqual({ title: 'Scorpio Rising (1964)' });
    expect(metadata.get(5)).toEqual({});
  });

  it('finds the columns by name, in any order', () => {
    const { metadata } = parseMoviesCsv('genres,title,movieId\nDrama,"Heat, again",3\n', fail);
    expect(metadata.get(3)).toEqual({ title: 'Heat, again', genres: ['Drama'] });
  });

  it.each([
    ['no header', '', /line 1: no header/],
    ['a header without a title column', 'movieId,name\n1,x\n', /needs an id column \(movieId\) and a title column/],
    ['a non-integer id', 'movieId,title\n1,a\nx1,b\n', /line 3: "x1" is not an integer item id/],
    ['an id beyond 32 bits', 'movieId,title\n4294967296,a\n', /does not fit in 32 bits/],
    ['no items', 'movieId,title,genres\n', /no items after the header/],
    ['an unterminated quote', 'movieId,title\n1,"open\n', /line 2: a quoted field is never closed/],
  ])('fails on %s through the caller\'s error', (_what, input, message) => {
    expect(() => parseMoviesCsv(input, fail)).toThrow(message);
  });

  it('hasTitleColumn recognises a movies.csv header and nothing else', () => {
    expect(hasTitleColumn('movieId,title,genres')).toBe(true);
    expect(hasTitleColumn('"movieId","Title"')).toBe(true);
    expect(hasTitleColumn('id')).toBe(false);
    expect(hasTitleColumn('1,Toy Story (1995),Comedy')).toBe(false);
  });
});

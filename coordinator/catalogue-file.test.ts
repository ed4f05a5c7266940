import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCatalogue, readCatalogueFile } from './catalogue-file.js';
import { CheckpointStore } from './checkpoint-store.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string | Uint8Array): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
}

describe('catalogue files', () => {
  it('reads the first field of each line, skipping a header and comments, sorted and unique', async () => {
    const p = await file('movies.csv', 'movieId,title,genres\n# comment\n31,"Dangerous Minds (1995)",Drama\n1,Toy Story (1995),Comedy\n31,dup,x\n\n7\n');
    expect(Array.from(await readCatalogueFile(p))).toEqual([1, 7, 31]);
  });
  it('reads titles and genres from a movies.csv (quoted titles with commas and quotes), none from a list of ids', async () => {
    const p = await file('movies.csv', 'movieId,title,genres\r\n2,"Heat, Part ""2"" (1995)",Action|Crime\r\n1,Toy Story (1995),(no genres listed)\r\n');
    const { itemIds, metadata } = await readCatalogue(p);
    expect(Array.from(itemIds)).toEqual([1, 2]);
    expect(metadata?.get(2)).toEqual({ title: 'Heat, Part "2" (1995)', genres: ['Action', 'Crime'] });
    expect(metadata?.get(1)).toEqual({ title: 'Toy Story (1995)' });
    expect(await readCatalogue(await file('ids.txt', 'item_id\n5\n4\n'))).toEqual({ itemIds: Int32Array.from([4, 5]), metadata: null });
  });
  it('a movies.csv with a broken line names the file and line', async () => {
    const p = await file('movies.csv', 'movieId,title\n1,ok\nseven,bad\n');
    await expect(readCatalogue(p)).rejects.toMatchObject({ code: 'FEDREC_BAD_CATALOGUE_FILE', message: expect.stringMatching(/movies\.csv:3: "seven" is not an integer item id/) });
  });
  it('accepts numeric columns whose first column never repeats (an id with attributes)', async () => {
    const p = await file('items.csv', '10,1995,3\n11,1996,4\n12,1997,5\n');
    expect(Array.from(await readCatalogueFile(p))).toEqual([10, 11, 12]);
  });
  it.each([
    ['a missing file', null, /cannot read catalogue .*absent\.csv: no such file/],
    ['a MovieLens ratings.csv', 'userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n', /looks like a ratings file.*give movies\.csv or one id per line/],
    ['headerless ratings (user, item, rating, time)', '1,31,2.5,1260759144\n1,1029,3.0,1260759179\n2,10,4.0,835355493\n', /looks like a ratings file/],
    ['a user_id,item_id,rating header', 'user_id\titem_id\trating\n7\t1\t5\n', /looks like a ratings file/],
    ['an empty file', '', /no item ids/],
    ['a non-integer id after the header', 'id\n1\nabc\n', /:3: "abc" is not an integer/],
    ['an id beyond 32 bits', '1\n4294967296\n', /does not fit in 32 bits/],
  ])('rejects %s with FEDREC_BAD_CATALOGUE_FILE', async (_what, text, message) => {
    const p = text === null ? join(dir, 'absent.csv') : await file('c.csv', text);
    await expect(readCatalogueFile(p)).rejects.toMatchObject({ code: 'FEDREC_BAD_CATALOGUE_FILE', message: expect.stringMatching(message) });
  });
});

describe('checkpoint files', () => {
  it('is null when absent and a coded error naming the file when corrupt', async () => {
    const store = new CheckpointStore(dir);
    expect(await store.load()).toBeNull();
    await file('checkpoint.msgpack', Uint8Array.from([0xc1, 0x00, 0x13]));
    await expect(store.load()).rejects.toMatchObject({ code: 'FEDREC_BAD_CHECKPOINT', message: expect.stringContaining('checkpoint.msgpack') });
    await file('checkpoint.msgpack', Uint8Array.from([0x81, 0xa6, 0x66, 0x6f, 0x72, 0x6d, 0x61, 0x74, 0xa1, 0x78])); // {format: "x"}
    await expect(store.load()).rejects.toMatchObject({ code: 'FEDREC_BAD_CHECKPOINT', message: expect.stringContaining('expected format') });
  });
});

// Reads the public item catalogue for a standalone coordinator: one item id per line (the first
// comma/tab-separated field; a header line and # comments are skipped), e.g. movies.csv works as is.

import { readFile } from 'node:fs/promises';

export async function readCatalogueFile(path: string): Promise<Int32Array> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw Object.assign(new Error(`cannot read catalogue ${path}: ${(err as Error).message}`), { code: 'FEDREC_BAD_CATALOGUE_FILE' });
  }
  const ids = new Set<number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const field = line.split(/[,\t]/)[0].trim();
    const id = Number(field);
    if (!Number.isSafeInteger(id) || field === '') {
      if (ids.size === 0 && i === 0) continue; // header
      throw Object.assign(new Error(`${path}:${i + 1}: "${field.slice(0, 40)}" is not an integer item id`), { code: 'FEDREC_BAD_CATALOGUE_FILE' });
    }
    if (id < -(2 ** 31) || id >= 2 ** 31) throw Object.assign(new Error(`${path}:${i + 1}: item id ${id} does not fit in 32 bits`), { code: 'FEDREC_BAD_CATALOGUE_FILE' });
    ids.add(id);
  }
  if (ids.size === 0) throw Object.assign(new Error(`${path}: no item ids found`), { code: 'FEDREC_BAD_CATALOGUE_FILE' });
  return Int32Array.from(ids).sort();
}

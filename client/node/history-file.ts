// Node-only: the device's history. `fedrec client --history FILE` imports the user's file into the
// state dir (so `recommend` knows what was seen and `forget` can delete it).

import { readFile, rm, mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../../shared/node/atomic-file.js';
import { join } from 'node:path';
import type { Interaction } from '../../shared/data/types.js';
import { formatHistoryCsv, parseHistoryCsv } from '../history-csv.js';

export function historyPath(stateDir: string): string {
  return join(stateDir, 'history.csv');
}

export async function readHistoryFile(path: string): Promise<Interaction[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw Object.assign(new Error(`cannot read history ${path}: ${(err as Error).message}`), { code: 'FEDREC_BAD_HISTORY_FILE' });
  }
  return parseHistoryCsv(text, { source: path });
}

export async function importHistory(source: string, stateDir: string): Promise<Interaction[]> {
  const history = await readHistoryFile(source);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(historyPath(stateDir), formatHistoryCsv(history));
  return history;
}

export async function storedHistory(stateDir: string): Promise<Interaction[]> {
  try {
    return await readHistoryFile(historyPath(stateDir));
  } catch (err) {
    if ((err as Error).message.includes('ENOENT')) return [];
    throw err;
  }
}

export async function deleteHistory(stateDir: string): Promise<void> {
  await rm(historyPath(stateDir), { force: true });
}

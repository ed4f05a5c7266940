// A client's local interaction history as CSV: `item_id,timestamp[,kind]` per line, kind `view`
// (the default) or `purchase`. An optional header line, blank lines and `#` comment lines are
// allowed. Pure string code with no Node imports: browsers use it on a picked or stored file.

import type { Interaction, InteractionKind } from '../shared/data/types.js';

export class BadHistoryFileError extends Error {
  readonly code = 'FEDREC_BAD_HISTORY_FILE';

  constructor(
    readonly line: number,
    readonly problem: string,
    readonly source = 'history file',
  ) {
    super(`${source}: line ${line}: ${problem}`);
    this.name = 'BadHistoryFileError';
  }
}

export interface ParseHistoryOptions {
  /** Name of the file for error messages, e.g. its path. */
  source?: string;
}

const HEADER = /^item(_?id)?$/i;
const INTEGER = /^\d+$/;
const NUMBER = /^\d+(\.\d+)?$/;
const MAX_ITEM_ID = 0x7fffffff; // the catalogue is an Int32Array

/** Parses history CSV text into interactions sorted by timestamp (ties keep file order); empty text gives []. */
export function parseHistoryCsv(text: string, options: ParseHistoryOptions = {}): Interaction[] {
  const interactions: Interaction[] = [];
  let sawContent = false;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(',').map((f) => f.trim());
    const isHeader = !sawContent && HEADER.test(fields[0]);
    sawContent = true;
    if (isHeader) {
      checkHeader(fields, i + 1, options.source);
      continue;
    }
    interactions.push(parseLine(fields, i + 1, options.source));
  }
  return interactions.sort((a, b) => a.timestamp - b.timestamp); // stable
}

function checkHeader(fields: string[], line: number, source?: string): void {
  const ok = fields.length >= 2 && fields.length <= 3 && /^(timestamp|time|ts)$/i.test(fields[1]) && (fields.length === 2 || /^kind$/i.test(fields[2]));
  if (!ok) throw new BadHistoryFileError(line, `expected the header "item_id,timestamp[,kind]", found "${fields.join(',')}"`, source);
}

function parseLine(fields: string[], line: number, source?: string): Interaction {
  const fail = (problem: string): never => {
    throw new BadHistoryFileError(line, `${problem} in "${fields.join(',')}"`, source);
  };
  if (fields.length < 2 || fields.length > 3) fail(`expected 2 or 3 fields (item_id,timestamp[,kind]), found ${fields.length}`);
  const [itemText, timeText, kindText = ''] = fields;
  if (!INTEGER.test(itemText) || Number(itemText) > MAX_ITEM_ID) fail(`item id "${itemText}" is not a non-negative 32-bit integer`);
  if (!NUMBER.test(timeText) || !Number.isFinite(Number(timeText))) fail(`timestamp "${timeText}" is not a non-negative number`);
  const kind = kindText.toLowerCase() || 'view';
  if (kind !== 'view' && kind !== 'purchase') fail(`kind "${kindText}" is not view or purchase`);
  return { item: Number(itemText), timestamp: Number(timeText), kind: kind as InteractionKind };
}

/** Writes interactions as history CSV with a header, in the given order; refuses what it could not read back. */
export function formatHistoryCsv(interactions: readonly Interaction[]): string {
  const lines = ['item_id,timestamp,kind'];
  for (const { item, timestamp, kind } of interactions) {
    const row = `${item},${timestamp},${kind}`;
    if (!INTEGER.test(String(item)) || item > MAX_ITEM_ID || !NUMBER.test(String(timestamp)) || (kind !== 'view' && kind !== 'purchase')) {
      throw new RangeError(`formatHistoryCsv: cannot write interaction ${row}`);
    }
    lines.push(row);
  }
  return lines.join('\n') + '\n';
}

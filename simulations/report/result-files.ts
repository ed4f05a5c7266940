// Reads the JSON that `fedrec simulate --out` and `fedrec baseline --out` write, and checks that it is
// one of them before anything is drawn: a wrong file is refused with a sentence naming the missing
// field (FEDREC_BAD_RESULT_FILE, exit code 2), never drawn as an empty or zero chart.

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '../../bin/args.js';
import { reason } from '../../bin/path-checks.js';
import { ErrorCodes } from '../../shared/protocol/errors.js';

/** Not in shared ErrorCodes yet (a one-line addition there); the string is the stable part. */
export const BAD_RESULT_FILE = ErrorCodes.BAD_RESULT_FILE;

export interface RunRound {
  round: number;
  /** Absent in files written before abandoned rounds were recorded: read as committed. */
  committed: boolean;
  hr10: number | null;
  ndcg10: number | null;
  /** null: no noise, ε = ∞ (JSON has no Infinity). */
  epsilon: number | null;
}

export interface RunResult {
  kind: 'simulation';
  source: string;
  /** The file name without .json, made unique across the report. */
  name: string;
  config: Record<string, unknown>;
  rounds: RunRound[];
  final: { hr10: number | null; ndcg10: number | null; epsilon: number | null; delta: number | null; stoppedBy: string | null };
  wallSeconds: number | null;
}

export interface BaselineFigures {
  kind: 'baseline';
  source: string;
  name: string;
  /** The population's name, as a simulation's `config.population` spells it (null if absent). */
  population: string | null;
  model: { hr10: number; ndcg10: number };
  itemPop: { hr10: number; ndcg10: number };
}

export type ResultFile = RunResult | BaselineFigures;

function badResult(message: string): UsageError {
  // UsageError (exit 2, one sentence) with a code the shared list does not have yet.
  return new UsageError(message, BAD_RESULT_FILE);
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumberOrNull = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v));

/** Field checks that name the field, as `rounds[3].hr10`, in the refusal. */
class Fields {
  constructor(private readonly source: string) {}

  fail(what: string): never {
    throw badResult(`${this.source} is not a fedrec result: ${what}`);
  }

  object(o: Json, key: string, at: string): Json {
    const v = o[key];
    if (v === undefined) this.fail(`${at}${key} is missing`);
    if (!isObject(v)) this.fail(`${at}${key} must be an object`);
    return v;
  }

  numberOrNull(o: Json, key: string, at: string): number | null {
    const v = o[key];
    if (v === undefined) this.fail(`${at}${key} is missing`);
    if (!isNumberOrNull(v)) this.fail(`${at}${key} must be a number or null, got ${JSON.stringify(v)}`);
    return v;
  }

  number(o: Json, key: string, at: string): number {
    const v = this.numberOrNull(o, key, at);
    if (v === null) this.fail(`${at}${key} must be a number, got null`);
    return v;
  }
}

/** Parses and checks one result file's text; `source` names it in every refusal. */
export function parseResultFile(text: string, source: string): ResultFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // JSON.parse quotes the text it stopped at, newlines included: keep the refusal one line.
    const why = (err as Error).message.replace(/\s+/g, ' ').trim();
    throw badResult(`${source} is not JSON (${why.length > 120 ? `${why.slice(0, 117)}...` : why})`);
  }
  const f = new Fields(source);
  if (!isObject(json)) return f.fail('it holds no JSON object');
  const name = basename(source).replace(/\.json$/i, '');
  if ('rounds' in json || 'final' in json) return parseSimulation(json, f, source, name);
  if ('model' in json || 'itemPop' in json) return parseBaseline(json, f, source, name);
  return f.fail('it has neither "rounds" and "final" (from fedrec simulate --out) nor "model" and "itemPop" (from fedrec baseline --out)');
}

function parseSimulation(json: Json, f: Fields, source: string, name: string): RunResult {
  const config = f.object(json, 'config', '');
  if (!Array.isArray(json.rounds)) f.fail(json.rounds === undefined ? 'rounds is missing' : 'rounds must be an array');
  const rounds = (json.rounds as unknown[]).map((r, i): RunRound => {
    const at = `rounds[${i}].`;
    if (!isObject(r)) return f.fail(`rounds[${i}] must be an object`);
    const round = f.number(r, 'round', at);
    if (!Number.isInteger(round) || round < 1) f.fail(`${at}round must be a positive integer, got ${round}`);
    if (r.committed !== undefined && typeof r.committed !== 'boolean') f.fail(`${at}committed must be true or false`);
    return { round, committed: r.committed !== false, hr10: f.numberOrNull(r, 'hr10', at), ndcg10: f.numberOrNull(r, 'ndcg10', at), epsilon: f.numberOrNull(r, 'epsilon', at) };
  });
  const final = f.object(json, 'final', '');
  const delta = final.delta === undefined ? null : f.numberOrNull(final, 'delta', 'final.');
  return {
    kind: 'simulation',
    source,
    name,
    config,
    rounds,
    final: {
      hr10: f.numberOrNull(final, 'hr10', 'final.'),
      ndcg10: f.numberOrNull(final, 'ndcg10', 'final.'),
      epsilon: f.numberOrNull(final, 'epsilon', 'final.'),
      delta,
      stoppedBy: typeof final.stoppedBy === 'string' ? final.stoppedBy : null,
    },
    wallSeconds: typeof json.wallSeconds === 'number' ? json.wallSeconds : null,
  };
}

function parseBaseline(json: Json, f: Fields, source: string, name: string): BaselineFigures {
  const quality = (key: string) => {
    const o = f.object(json, key, '');
    return { hr10: f.number(o, 'hr10', `${key}.`), ndcg10: f.number(o, 'ndcg10', `${key}.`) };
  };
  return { kind: 'baseline', source, name, population: typeof json.data === 'string' ? json.data : null, model: quality('model'), itemPop: quality('itemPop') };
}

/** Reads one result file; a file that cannot be read is FEDREC_BAD_PATH, a wrong one FEDREC_BAD_RESULT_FILE. */
export async function readResultFile(path: string): Promise<ResultFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`result file ${path} cannot be read: ${reason(err)}`, ErrorCodes.BAD_PATH);
  }
  return parseResultFile(text, path);
}

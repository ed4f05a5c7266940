// Did a device's WebSocket frames carry its person's history in clear? Each frame is decoded with the
// protocol's codec (msgpackr) and searched for the marked items: as numbers or strings in any field,
// as titles anywhere in the raw bytes, as contiguous int32/float32 pairs of ids or rows inside binary
// fields, and, for a model-sized binary field, as the shape of a dense update. A plaintext update is
// zero on every row the person never touched and non-zero on theirs; a masked one is uniform words
// mod 2^32 everywhere: no zero words, no long zero runs, byte counts close to uniform, and the
// person's rows as large (as signed int32) as any other. Only `sa-masked` may carry the update.

import { decodeFrame } from '../shared/protocol/codec.js';

/** What the audit looks for: the person's items, and where their rows sit in a dense vector. */
export interface PrivateHistory {
  items: { id: number; title: string }[];
  /** The catalogue's ids in row order (GET /catalogue lists them so). */
  catalogue: readonly number[];
  /** The model's embedding size: a dense vector is [items × dim | items biases] (+ 1 clip word). */
  dim: number;
}

/** What a browser client sends: joining, keeping alive, leaving, and the four secure-aggregation stages. */
export const CLIENT_MESSAGE_TYPES = ['join', 'heartbeat', 'leave', 'sa-keys', 'sa-shares', 'sa-masked', 'sa-unmask'];

export interface DenseStats {
  words: number;
  zeroWords: number;
  longestZeroByteRun: number;
  /** Pearson χ² of the 256 byte counts against uniform (255 degrees of freedom: mean 255, sd 22.6). */
  chiSquare: number;
  /** Mean |int32| / 2^31 over the person's rows (embedding and bias words): 0.5 for uniform words. */
  personMagnitude: number;
  /** Item rows with a non-zero word, and how many of those are the person's. */
  nonZeroRows: number;
  personNonZeroRows: number;
}

export interface Audit {
  problems: string[];
  types: Record<string, number>;
  dense: DenseStats[];
}

const CHI_SQUARE_LIMIT = 400; // 6.5 sd above the mean: p ≈ 2e-8 for truly uniform bytes
const MAGNITUDE_TOLERANCE = 0.2; // uniform words: sd 0.289/√n, so 5.9 sd for 4 rows of dim 16 with biases (68 words)

export function auditSentFrames(frames: readonly Uint8Array[], h: PrivateHistory): Audit {
  const audit: Audit = { problems: [], types: {}, dense: [] };
  const rowOf = new Map(h.catalogue.map((id, row) => [id, row]));
  const ids = h.items.map((it) => it.id);
  const rows = ids.map((id) => rowOf.get(id)!);
  const patterns = contiguousPatterns(ids, 'ids').concat(contiguousPatterns(rows, 'rows'));
  const titles = h.items.map((it) => it.title).filter((t) => t.length >= 6);
  frames.forEach((bytes, i) => {
    const at = `frame ${i}`;
    const raw = Buffer.from(bytes);
    for (const t of titles) if (raw.includes(Buffer.from(t, 'utf8'))) audit.problems.push(`${at}: holds the title "${t}"`);
    let msg: Record<string, unknown>;
    try {
      msg = decodeFrame(bytes);
    } catch (err) {
      audit.problems.push(`${at}: not a protocol frame (${(err as Error).message})`);
      return;
    }
    const type = String(msg.type);
    audit.types[type] = (audit.types[type] ?? 0) + 1;
    if (type === 'update') audit.problems.push(`${at}: a plaintext update (type "update"): the coordinator would see it`);
    else if (!CLIENT_MESSAGE_TYPES.includes(type)) audit.problems.push(`${at}: an unexpected "${type}" message`);
    walk(msg, type, (path, v) => {
      if (typeof v === 'number' && (ids.includes(v) || rows.includes(v))) audit.problems.push(`${at}: ${path} = ${v}, a marked item's id or row`);
      if (typeof v === 'string' && (ids.some((id) => v === String(id)) || titles.some((t) => v.includes(t)))) audit.problems.push(`${at}: ${path} = "${v}" names a marked item`);
      if (!(v instanceof Uint8Array)) return;
      const field = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      for (const p of patterns) if (field.includes(p.bytes)) audit.problems.push(`${at}: ${path} holds ${p.what}`);
      const dense = denseStats(v, h, rows);
      if (!dense) return;
      audit.dense.push(dense);
      for (const p of denseProblems(dense)) audit.problems.push(`${at}: ${path} (${dense.words} words) ${p}`);
    });
  });
  return audit;
}

function walk(v: unknown, path: string, visit: (path: string, v: unknown) => void): void {
  visit(path, v);
  if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`, visit));
  else if (v && typeof v === 'object' && !(v instanceof Uint8Array)) for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, visit);
}

const ENCODINGS: [string, (buf: Buffer, v: number, at: number) => void][] = [
  ['int32 LE', (buf, v, at) => buf.writeInt32LE(v, at)],
  ['int32 BE', (buf, v, at) => buf.writeInt32BE(v, at)],
  ['float32 LE', (buf, v, at) => buf.writeFloatLE(v, at)],
  ['float32 BE', (buf, v, at) => buf.writeFloatBE(v, at)],
];

/** Every ordered pair of distinct values side by side, in each encoding (8 bytes: no chance match). */
function contiguousPatterns(values: number[], what: string): { what: string; bytes: Buffer }[] {
  const out: { what: string; bytes: Buffer }[] = [];
  for (const a of values) {
    for (const b of values) {
      if (a === b) continue;
      for (const [name, write] of ENCODINGS) {
        const bytes = Buffer.alloc(8);
        write(bytes, a, 0);
        write(bytes, b, 4);
        out.push({ what: `the marked ${what} ${a}, ${b} as contiguous ${name}`, bytes });
      }
    }
  }
  return out;
}

/** Statistics of a model-sized binary field (4 bytes per parameter, maybe + 1 clip word); null otherwise. */
export function denseStats(bytes: Uint8Array, h: PrivateHistory, personRows: number[]): DenseStats | null {
  const items = h.catalogue.length;
  const params = items * h.dim + items;
  if (bytes.byteLength !== 4 * params && bytes.byteLength !== 4 * (params + 1)) return null;
  // A copy of exactly these bytes (msgpackr hands out Node Buffers, whose slice() is a view of a pool).
  const words = new Uint32Array(Uint8Array.from(bytes).buffer);
  let zeroWords = 0;
  for (const w of words) if (w === 0) zeroWords++;
  let longestZeroByteRun = 0;
  for (let i = 0, run = 0; i < bytes.length; i++) longestZeroByteRun = Math.max(longestZeroByteRun, (run = bytes[i] === 0 ? run + 1 : 0));
  const counts = new Float64Array(256);
  for (const b of bytes) counts[b]++;
  const expected = bytes.length / 256;
  const chiSquare = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  const magnitude = (w: number) => Math.abs(w | 0) / 2 ** 31;
  let sum = 0;
  let n = 0;
  for (const r of personRows) {
    for (let k = 0; k < h.dim; k++) (sum += magnitude(words[r * h.dim + k])), n++;
    (sum += magnitude(words[items * h.dim + r])), n++;
  }
  const personSet = new Set(personRows);
  let nonZeroRows = 0;
  let personNonZeroRows = 0;
  for (let r = 0; r < items; r++) {
    let any = words[items * h.dim + r] !== 0;
    for (let k = 0; k < h.dim && !any; k++) any = words[r * h.dim + k] !== 0;
    if (any) (nonZeroRows++, personSet.has(r) && personNonZeroRows++);
  }
  return { words: words.length, zeroWords, longestZeroByteRun, chiSquare, personMagnitude: n ? sum / n : 0.5, nonZeroRows, personNonZeroRows };
}

/** Why a dense field does not look like uniform words (empty: it does). */
export function denseProblems(s: DenseStats): string[] {
  const out: string[] = [];
  if (s.zeroWords > 0) out.push(`has ${s.zeroWords} zero words (uniform: none); non-zero on ${s.nonZeroRows} item rows, ${s.personNonZeroRows} of them the person's`);
  if (s.longestZeroByteRun >= 5) out.push(`has a run of ${s.longestZeroByteRun} zero bytes`);
  if (s.chiSquare > CHI_SQUARE_LIMIT) out.push(`has byte counts far from uniform (χ² ${s.chiSquare.toFixed(0)} > ${CHI_SQUARE_LIMIT})`);
  if (Math.abs(s.personMagnitude - 0.5) > MAGNITUDE_TOLERANCE) out.push(`is ${s.personMagnitude.toFixed(3)} in mean |int32|/2^31 on the person's rows (uniform: 0.5)`);
  return out;
}

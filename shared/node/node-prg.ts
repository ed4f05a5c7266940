// The SecAgg+ mask PRG (shared/secagg/prg.ts) through node:crypto: the same AES-256-CTR keystream with
// a zero initial counter block (NIST SP 800-38A §6.5), byte for byte, without WebCrypto's per-call
// promise and thread-pool hop. For the coordinator and Node clients; browsers use webCryptoExpander.
//
// A client adds k + 1 masks of the model's size: 37 MB of keystream per round at 299,179 words, each
// piece a fresh Buffer that node:crypto allocates outside the JS heap. V8 answers every 64 MB of such
// memory with a full collection of the heap that allocated it, which in a process holding hundreds of
// simulated clients (or a coordinator's state) cost more than the AES itself. So `sum` computes the
// masks' sum in a worker thread of this same file, whose heap is nearly empty and cheap to collect,
// and hands back one vector. Where no worker can start (running from TypeScript source, as under
// vitest) or one fails, the sum is computed on the calling thread instead: same words either way.

import { createCipheriv } from 'node:crypto';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { checkExpanderArgs, type KeystreamReader, type MaskExpander, type MaskTerm, wordsFromKeystream } from '../secagg/prg.js';
import { foldStreams } from '../secagg/word-add.js';

const ZERO_IV = new Uint8Array(16);
/** Plaintext zeros, grown on demand and reused: the cipher never writes to its input. */
let zeros = new Uint8Array(0);

function zerosOf(bytes: number): Uint8Array {
  if (zeros.length < bytes) zeros = new Uint8Array(bytes);
  return zeros.subarray(0, bytes);
}

async function expand(key: Uint8Array, words: number): Promise<Uint32Array> {
  checkExpanderArgs(key, words);
  const bytes = 4 * words;
  const cipher = createCipheriv('aes-256-ctr', key, ZERO_IV);
  const head = cipher.update(zerosOf(bytes));
  const tail = cipher.final(); // empty for CTR; called so the cipher is released cleanly
  if (tail.length === 0 && head.byteOffset === 0 && head.buffer.byteLength === bytes) {
    return wordsFromKeystream(head.buffer as ArrayBuffer); // the usual case: a buffer of its own, no copy
  }
  // Otherwise copy into a fresh, 4-byte-aligned buffer (Node may hand back a slice of a shared pool).
  const out = new Uint8Array(bytes);
  out.set(head);
  out.set(tail, head.length);
  return wordsFromKeystream(out.buffer);
}

/** The keystream of `key` in order; CTR keeps its counter between calls, so pieces concatenate to expand's bytes. */
function reader(key: Uint8Array): KeystreamReader {
  checkExpanderArgs(key, 0);
  const cipher = createCipheriv('aes-256-ctr', key, ZERO_IV);
  return (bytes) => cipher.update(zerosOf(bytes));
}

/** Σ sign · mask on this thread, a chunk at a time. */
export function sumHere(words: number, terms: readonly MaskTerm[]): Uint32Array {
  for (const t of terms) checkExpanderArgs(t.key, words);
  const out = new Uint32Array(words);
  foldStreams(out, terms.map((t) => ({ next: reader(t.key), sign: t.sign })));
  return out;
}

// ---- the worker ------------------------------------------------------------------------------

const WORKER_TAG = 'fedrec-mask-sum-v1';

interface SumRequest {
  id: number;
  words: number;
  terms: MaskTerm[];
}
type SumReply = { id: number; sum: Uint32Array } | { id: number; error: string };

if (workerData?.[WORKER_TAG] === true && parentPort) {
  const port = parentPort;
  port.on('message', ({ id, words, terms }: SumRequest) => {
    try {
      const sum = sumHere(words, terms);
      port.postMessage({ id, sum } satisfies SumReply, [sum.buffer as ArrayBuffer]);
    } catch (e) {
      port.postMessage({ id, error: e instanceof Error ? e.message : String(e) } satisfies SumReply);
    }
  });
}

interface Pending {
  request: SumRequest;
  resolve: (sum: Uint32Array) => void;
  reject: (e: Error) => void;
}

/**
 * Computes mask sums in a worker thread running `script` (this file, compiled), started on first use
 * and kept alive only while a sum is pending; one per thread that asks (a fleet worker, the
 * coordinator). With no script, or once the worker fails to start or dies, sums are computed on the
 * calling thread, those that were pending included.
 */
export class MaskSummer {
  /** Sums computed in the worker and on the calling thread (for tests and diagnostics). */
  readonly counts = { worker: 0, here: 0 };
  private worker: Worker | null = null;
  private broken: boolean;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly script: URL | null) {
    this.broken = script === null;
  }

  async sum(words: number, terms: readonly MaskTerm[]): Promise<Uint32Array> {
    for (const t of terms) checkExpanderArgs(t.key, words);
    const w = this.broken ? null : this.start();
    if (!w) return this.here(words, terms);
    const request: SumRequest = { id: this.nextId++, words, terms: terms.map((t) => ({ key: t.key, sign: t.sign })) };
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { request, resolve, reject });
      w.ref();
      w.postMessage(request);
    });
  }

  private here(words: number, terms: readonly MaskTerm[]): Uint32Array {
    this.counts.here++;
    return sumHere(words, terms);
  }

  private start(): Worker | null {
    if (this.worker) return this.worker;
    try {
      const w = new Worker(this.script!, { workerData: { [WORKER_TAG]: true } });
      w.unref();
      w.on('message', (m: SumReply) => this.settle(m));
      w.on('error', () => this.fail());
      w.on('exit', () => this.fail());
      this.worker = w;
      return w;
    } catch {
      this.broken = true;
      return null;
    }
  }

  private settle(m: SumReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ('sum' in m) {
      this.counts.worker++;
      p.resolve(m.sum);
    } else p.reject(new RangeError(m.error)); // the request itself was bad: computing it here would fail the same way
  }

  /** The worker could not start, crashed or exited (a script without the handler exits at once). */
  private fail(): void {
    if (this.broken) return;
    this.broken = true;
    this.worker = null;
    const left = [...this.pending.values()];
    this.pending.clear();
    for (const p of left) {
      try {
        p.resolve(this.here(p.request.words, p.request.terms));
      } catch (e) {
        p.reject(e as Error);
      }
    }
  }
}

/** This file as the worker script when it runs compiled; from TypeScript source no worker can load it. */
const summer = new MaskSummer(import.meta.url.endsWith('.js') ? new URL(import.meta.url) : null);

export const nodeExpander: MaskExpander = Object.assign(expand, { reader, sum: (words: number, terms: readonly MaskTerm[]) => summer.sum(words, terms) });

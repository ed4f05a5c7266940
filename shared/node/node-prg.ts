// The SecAgg+ mask PRG (shared/secagg/prg.ts) through node:crypto: the same AES-256-CTR keystream with
// a zero initial counter block (NIST SP 800-38A §6.5), byte for byte, without WebCrypto's per-call
// promise and thread-pool hop. For the coordinator and Node clients; browsers use webCryptoExpander.
//
// A client adds k + 1 masks of the model's size: 37 MB of keystream per round at 299,179 words, each
// piece a fresh Buffer that node:crypto allocates outside the JS heap. V8 answers every 64 MB of such
// memory with a full collection of the heap that allocated it, which in a process holding hundreds of
// simulated clients (or a coordinator's state) cost more than the AES itself. So `addTo` adds the
// masks in a worker thread of this same file, whose heap is nearly empty and cheap to collect: the
// vector goes over and back through a reused SharedArrayBuffer, so the asking thread allocates
// nothing model-sized per call. Where no worker can start (running from TypeScript source, as under
// vitest) or one fails, the masks are added on the calling thread instead: same words either way.

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

// ---- the worker ------------------------------------------------------------------------------

const WORKER_TAG = 'fedrec-mask-sum-v2';

interface SumRequest {
  id: number;
  words: number;
  terms: MaskTerm[];
  /** Holds the vector on the way in and the vector ± masks on the way back. */
  slot: SharedArrayBuffer;
}
type SumReply = { id: number } | { id: number; error: string };

if (workerData?.[WORKER_TAG] === true && parentPort) {
  const port = parentPort;
  port.on('message', ({ id, words, terms, slot }: SumRequest) => {
    try {
      for (const t of terms) checkExpanderArgs(t.key, words);
      foldStreams(new Uint32Array(slot, 0, words), terms.map((t) => ({ next: reader(t.key), sign: t.sign })));
      port.postMessage({ id } satisfies SumReply);
    } catch (e) {
      port.postMessage({ id, error: e instanceof Error ? e.message : String(e) } satisfies SumReply);
    }
  });
}

interface Pending {
  acc: Uint32Array;
  terms: readonly MaskTerm[];
  slot: SharedArrayBuffer;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** Free slots kept for reuse: a fleet worker has a few clients masking at once, rarely more. */
const SPARE_SLOTS = 4;

/**
 * Adds masks in a worker thread running `script` (this file, compiled), started on first use and kept
 * alive only while a request is pending; one per thread that asks (a fleet worker, the coordinator).
 * With no script, or once the worker fails to start or dies, masks are added on the calling thread,
 * pending requests included.
 */
export class MaskSummer {
  /** Requests served by the worker and on the calling thread (for tests and diagnostics). */
  readonly counts = { worker: 0, here: 0 };
  private worker: Worker | null = null;
  private broken: boolean;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly spare: SharedArrayBuffer[] = [];

  constructor(private readonly script: URL | null) {
    this.broken = script === null;
  }

  /** acc ± every term's mask (mod 2^32), in place. */
  async addTo(acc: Uint32Array, terms: readonly MaskTerm[]): Promise<void> {
    for (const t of terms) checkExpanderArgs(t.key, acc.length);
    const w = this.broken ? null : this.start();
    if (!w) return this.here(acc, terms);
    const slot = this.takeSlot(acc.byteLength);
    new Uint32Array(slot, 0, acc.length).set(acc);
    const id = this.nextId++;
    await new Promise<void>((resolve, reject) => {
      this.pending.set(id, { acc, terms, slot, resolve, reject });
      w.ref();
      w.postMessage({ id, words: acc.length, terms: terms.map((t) => ({ key: t.key, sign: t.sign })), slot } satisfies SumRequest);
    });
  }

  private here(acc: Uint32Array, terms: readonly MaskTerm[]): void {
    this.counts.here++;
    foldStreams(acc, terms.map((t) => ({ next: reader(t.key), sign: t.sign })));
  }

  private takeSlot(bytes: number): SharedArrayBuffer {
    const i = this.spare.findIndex((s) => s.byteLength >= bytes);
    return i >= 0 ? this.spare.splice(i, 1)[0] : new SharedArrayBuffer(bytes);
  }

  private giveSlot(slot: SharedArrayBuffer): void {
    if (this.spare.length < SPARE_SLOTS) this.spare.push(slot);
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
    if ('error' in m) {
      this.giveSlot(p.slot);
      p.reject(new RangeError(m.error)); // the request itself was bad: adding here would fail the same way
      return;
    }
    p.acc.set(new Uint32Array(p.slot, 0, p.acc.length));
    this.giveSlot(p.slot);
    this.counts.worker++;
    p.resolve();
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
        this.here(p.acc, p.terms); // acc is untouched until a reply arrives
        p.resolve();
      } catch (e) {
        p.reject(e as Error);
      }
    }
  }
}

/** This file as the worker script when it runs compiled; from TypeScript source no worker can load it. */
const summer = new MaskSummer(import.meta.url.endsWith('.js') ? new URL(import.meta.url) : null);

export const nodeExpander: MaskExpander = Object.assign(expand, { reader, addTo: (acc: Uint32Array, terms: readonly MaskTerm[]) => summer.addTo(acc, terms) });

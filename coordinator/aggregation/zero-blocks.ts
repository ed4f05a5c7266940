// Where an update is non-zero, block by block (BLOCK = 32 words): the guard's first pass over each
// dense 1.2 MB update, after which only non-zero blocks get float work (most of a client's update is
// rows it never touched). A 160-byte WebAssembly SIMD module ORs a 128-byte block in eight 16-byte
// loads; it reads only its own memory, so the update passes through in 64 KiB chunks: 0.06 ms for
// 299,178 words, copies included, against 0.19–0.23 ms for the unrolled JS below (Node 20, side by
// side). Without WebAssembly SIMD, or where it cannot compile, the JS finds the same blocks.

import { section, WASM_HEADER, wasmName } from '../../shared/wasm/module-bytes.js';
import { BLOCK } from './stage.js';

const CHUNK_BYTES = 65536;
const CHUNK_WORDS = CHUNK_BYTES / 4;
/** Below this many words the copies cost more than the SIMD saves. */
const MIN_WASM_WORDS = 4096;

/*
 * (module
 *   (memory (export "memory") 2)   ;; a chunk of the update at 0, one flag byte per block at 65536
 *   (func (export "scan") (param $src i32) (param $bytes i32) (param $flags i32)  ;; $bytes % 128 == 0
 *     (local $end i32)
 *     (local.set $end (i32.add (local.get $src) (local.get $bytes)))
 *     (block (br_if 0 (i32.eqz (local.get $bytes)))
 *       (loop
 *         (i32.store8 (local.get $flags)
 *           (v128.any_true (v128.or … (v128.load offset=0 (local.get $src)) … (v128.load offset=112 (local.get $src)))))
 *         (local.set $flags (i32.add (local.get $flags) (i32.const 1)))
 *         (br_if 0 (i32.ne (local.tee $src (i32.add (local.get $src) (i32.const 128))) (local.get $end)))))))
 */
const load = (offset: number) => [0x20, 0x00, 0xfd, 0x00, 0x04, ...(offset < 128 ? [offset] : [0x80 | (offset & 0x7f), offset >> 7])];
const SCAN = [
  0x01, 0x01, 0x7f, // locals: one i32 ($end)
  0x20, 0x00, 0x20, 0x01, 0x6a, 0x21, 0x03, // end = src + bytes
  0x02, 0x40, 0x20, 0x01, 0x45, 0x0d, 0x00, // block; br_if bytes == 0
  0x03, 0x40, // loop
  0x20, 0x02, // flags (the store's address)
  ...load(0),
  ...[16, 32, 48, 64, 80, 96, 112].flatMap((o) => [...load(o), 0xfd, 0x50]), // v128.or of the next load
  0xfd, 0x53, // v128.any_true
  0x3a, 0x00, 0x00, // i32.store8
  0x20, 0x02, 0x41, 0x01, 0x6a, 0x21, 0x02, // flags += 1
  0x20, 0x00, 0x41, 0x80, 0x01, 0x6a, 0x22, 0x00, // src += 128
  0x20, 0x03, 0x47, 0x0d, 0x00, // br_if src != end
  0x0b, 0x0b, 0x0b, // end loop, block, func
];

/** The module's bytes (exported for tests). */
export const ZERO_BLOCKS_MODULE = new Uint8Array([
  ...WASM_HEADER,
  ...section(1, [0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00]), // type 0: (i32, i32, i32) → ()
  ...section(3, [0x01, 0x00]), // one function of type 0
  ...section(5, [0x01, 0x00, 0x02]), // one memory of at least 2 pages
  ...section(7, [0x02, ...wasmName('memory'), 0x02, 0x00, ...wasmName('scan'), 0x00, 0x00]),
  ...section(10, [0x01, SCAN.length, ...SCAN]),
]);

interface Scanner {
  scan(src: number, bytes: number, flags: number): void;
  chunk: Uint8Array;
  flags: Uint8Array;
}

/** Compiles the module, or null without WebAssembly SIMD (or where compiling is refused). */
export function loadScanner(wasm: typeof WebAssembly | undefined): Scanner | null {
  if (typeof wasm?.validate !== 'function') return null;
  try {
    if (!wasm.validate(ZERO_BLOCKS_MODULE)) return null;
    const e = new wasm.Instance(new wasm.Module(ZERO_BLOCKS_MODULE)).exports as unknown as { memory: WebAssembly.Memory; scan: Scanner['scan'] };
    return { scan: e.scan, chunk: new Uint8Array(e.memory.buffer, 0, CHUNK_BYTES), flags: new Uint8Array(e.memory.buffer, CHUNK_BYTES, CHUNK_BYTES / (4 * BLOCK)) };
  } catch {
    return null;
  }
}

let scanner: Scanner | null | undefined;

/**
 * Writes the word offset of every block of `words` holding a non-zero bit pattern into `starts`
 * (ascending; the short last block included) and returns how many. NaN and ±Infinity are non-zero
 * patterns, so every value that could be non-finite is in a listed block.
 */
export function nonZeroBlocks(words: Int32Array, starts: Int32Array, use: Scanner | null | undefined = undefined): number {
  const n = words.length;
  if (starts.length < Math.ceil(n / BLOCK)) throw new RangeError(`nonZeroBlocks: room for ${starts.length} blocks, ${Math.ceil(n / BLOCK)} needed`);
  if (use === undefined) use = n >= MIN_WASM_WORDS ? (scanner === undefined ? (scanner = loadScanner(globalThis.WebAssembly)) : scanner) : null;
  const whole = n - (n % BLOCK);
  let count = use ? wasmScan(use, words, whole, starts) : jsScan(words, whole, starts);
  if (whole < n && orOfRange(words, whole, n) !== 0) starts[count++] = whole;
  return count;
}

/** The JS scan (the fallback; exported for tests). */
export function jsScan(w: Int32Array, whole: number, starts: Int32Array): number {
  let count = 0;
  for (let b = 0; b < whole; b += BLOCK) if (orOfBlock(w, b) !== 0) starts[count++] = b;
  return count;
}

function wasmScan(s: Scanner, words: Int32Array, whole: number, starts: Int32Array): number {
  // Bit patterns are ORed, so byte order does not matter; the bytes are the words' own.
  const bytes = new Uint8Array(words.buffer, words.byteOffset, 4 * whole);
  let count = 0;
  for (let lo = 0; lo < whole; lo += CHUNK_WORDS) {
    const w = Math.min(CHUNK_WORDS, whole - lo);
    s.chunk.set(bytes.subarray(4 * lo, 4 * (lo + w)));
    s.scan(0, 4 * w, CHUNK_BYTES);
    const blocks = w / BLOCK;
    const flags = s.flags;
    for (let j = 0; j < blocks; j++) if (flags[j] !== 0) starts[count++] = lo + j * BLOCK;
  }
  return count;
}

// One expression of 32 ORs rather than a loop: V8 vectorizes neither, but the unrolled form is about
// twice as fast on a mostly-zero update.
if (BLOCK !== 32) throw new Error('zero-blocks.ts: orOfBlock is written for blocks of 32 words');
function orOfBlock(w: Int32Array, b: number): number {
  return (
    (w[b] | w[b + 1] | w[b + 2] | w[b + 3] | w[b + 4] | w[b + 5] | w[b + 6] | w[b + 7]) |
    (w[b + 8] | w[b + 9] | w[b + 10] | w[b + 11] | w[b + 12] | w[b + 13] | w[b + 14] | w[b + 15]) |
    (w[b + 16] | w[b + 17] | w[b + 18] | w[b + 19] | w[b + 20] | w[b + 21] | w[b + 22] | w[b + 23]) |
    (w[b + 24] | w[b + 25] | w[b + 26] | w[b + 27] | w[b + 28] | w[b + 29] | w[b + 30] | w[b + 31])
  );
}

function orOfRange(w: Int32Array, from: number, to: number): number {
  let any = 0;
  for (let i = from; i < to; i++) any |= w[i];
  return any;
}

// Helpers for the tiny hand-assembled WebAssembly modules (shared/secagg/word-add.ts,
// coordinator/aggregation/zero-blocks.ts): no toolchain at build time, and each module is a few
// hundred bytes that tests check instruction by instruction against its commented text form.

/** A section: id, size, contents (every section here is under 128 bytes: a one-byte LEB128 size). */
export function section(id: number, bytes: number[]): number[] {
  if (bytes.length >= 128) throw new RangeError(`wasm section ${id} is ${bytes.length} bytes; the one-byte size only covers < 128`);
  return [id, bytes.length, ...bytes];
}

/** A length-prefixed ASCII name (exports). */
export function wasmName(s: string): number[] {
  return [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
}

export const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]; // \0asm, version 1

/** True on little-endian hosts: the modules read little-endian words, JS typed arrays use the host's order. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// Float32 weights ↔ bytes without element-by-element copies. The wire format is little-endian, which
// every platform tfjs runs on is; we check once rather than byte-swap on every message.

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('fedrec needs a little-endian platform');
}

/** A byte view of the same memory (no copy). */
export function float32ToBytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** A Float32 view when the bytes are 4-aligned, else one memcpy into aligned memory. */
export function bytesToFloat32(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new RangeError(`byte length ${bytes.byteLength} is not a multiple of 4`);
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

export function int32ToBytes(values: Int32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

export function bytesToInt32(bytes: Uint8Array): Int32Array {
  if (bytes.byteLength % 4 !== 0) throw new RangeError(`byte length ${bytes.byteLength} is not a multiple of 4`);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Int32Array(copy.buffer);
}

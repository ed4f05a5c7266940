// msgpack framing. Decoding never trusts the peer: any decoder failure, trailing bytes or a
// non-object becomes FEDREC_MALFORMED_FRAME; the schema is checked separately (validate.ts).

import { Packr } from 'msgpackr';
import { ErrorCodes, FedrecError } from './errors.js';

// Plain maps (no record extension) keep frames readable by any msgpack implementation.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

export function encodeMessage(message: object): Uint8Array {
  return packr.pack(message);
}

export function decodeFrame(frame: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = packr.unpack(frame);
  } catch (cause) {
    throw new FedrecError(ErrorCodes.MALFORMED_FRAME, `frame of ${frame.byteLength} bytes is not valid msgpack: ${(cause as Error).message}`, { cause });
  }
  // msgpackr decodes the reserved byte 0xc1 to a marker object instead of failing: demand a plain object.
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) {
    throw new FedrecError(ErrorCodes.MALFORMED_FRAME, 'frame does not hold a message object');
  }
  // ...and the same anywhere inside it: a nested 0xc1 (or an extension type msgpackr turns into a
  // Date, Set, Error, typed array...) would otherwise pass a check that only asks for "a map".
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (v === null || v === undefined || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' || v instanceof Uint8Array) continue;
    if (Array.isArray(v)) {
      for (const item of v) pending.push(item);
      continue;
    }
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const item of Object.values(v)) pending.push(item);
      continue;
    }
    throw new FedrecError(ErrorCodes.MALFORMED_FRAME, 'frame holds a value that is not plain msgpack data (the reserved byte 0xc1 or an extension type)');
  }
  return value as Record<string, unknown>;
}

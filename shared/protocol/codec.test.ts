import { describe, expect, it } from 'vitest';
import { bytesToFloat32, bytesToInt32, float32ToBytes, int32ToBytes } from './binary.js';
import { decodeFrame, encodeMessage } from './codec.js';
import { ErrorCodes, FedrecError } from './errors.js';
import type { ClientMessage, CoordinatorMessage } from './messages.js';
import { validateClientMessage, validateCoordinatorMessage } from './validate.js';
import { PROTOCOL_VERSION } from './version.js';

/** The FedrecError code `fn` throws, or a description of what it did instead. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof FedrecError ? err.code : `non-FedrecError: ${String(err)}`;
  }
  return 'did not throw';
}

function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Plain bytes of a Uint8Array (Buffer or not), for byte-exact comparison. */
const plain = (b: unknown): number[] => {
  expect(b).toBeInstanceOf(Uint8Array);
  return Array.from(b as Uint8Array);
};

const roundConfig = { localEpochs: 5, lr: 0.05, l2: 0.001, negatives: 4, batchSize: 1, clipNorm: 5, evalFitEpochs: 2 };

const clientMessages: ClientMessage[] = [
  { type: 'join', protocol: PROTOCOL_VERSION, clientId: 'device-42_a.b:c', mode: 'persistent', capabilities: { tasks: ['train', 'evaluate'] } },
  { type: 'join', protocol: PROTOCOL_VERSION, clientId: 'x', mode: 'checkin', catalogueVersion: 'sha256:abcdef', capabilities: { tasks: ['evaluate'] } },
  { type: 'update', round: 7, modelVersion: 6, delta: randomBytes(4 * 1003, 1), clipped: true },
  { type: 'update', round: 1, modelVersion: 0, delta: new Uint8Array(0), clipped: false },
  { type: 'update', round: 2, modelVersion: 1, delta: randomBytes(2 * 10, 4), clipped: false, encoding: 'f16' },
  { type: 'update', round: 2, modelVersion: 1, delta: randomBytes(10, 5), clipped: true, encoding: 'q8', scale: 0.0125 },
  { type: 'metrics', round: 3, modelVersion: 3, hr10: 0.25, ndcg10: 0.125 },
  { type: 'heartbeat', sentAt: 1_722_000_000_123 },
  { type: 'leave', forget: true },
  { type: 'leave', forget: false },
];

const coordinatorMessages: CoordinatorMessage[] = [
  {
    type: 'welcome',
    protocol: PROTOCOL_VERSION,
    clientId: 'device-42',
    catalogue: { version: 'v1', itemIds: int32ToBytes(Int32Array.from([100, -5, 2 ** 31 - 1, -(2 ** 31)])) },
    limits: { maxPayloadBytes: 1 << 20, heartbeatIntervalMs: 15_000 },
    privacy: { mechanism: 'sampled-gaussian', aggregation: 'secure', clipNorm: 5, noiseMultiplier: 1.1, samplingRate: 0.01, roundsDone: 3, epsilon: 1.5, delta: 1e-5, budget: { epsilon: 8, delta: 1e-5 } },
  },
  {
    type: 'welcome',
    protocol: PROTOCOL_VERSION,
    clientId: 'd',
    catalogue: { version: 'v1' },
    limits: { maxPayloadBytes: 1, heartbeatIntervalMs: 1 },
    privacy: { mechanism: 'none', aggregation: 'plaintext', clipNorm: 5, noiseMultiplier: 0, samplingRate: 0, roundsDone: 0, epsilon: 0, delta: 1e-5, budget: null },
  },
  { type: 'offer', round: 2, task: 'train', modelVersion: 1, shape: { items: 60, dim: 8 }, catalogueVersion: 'v1', params: randomBytes(60 * 9 * 4, 2), config: roundConfig, deadlineMs: 120_000 },
  { type: 'offer', round: 2, task: 'evaluate', modelVersion: 2, shape: { items: 1, dim: 1 }, catalogueVersion: 'v1', params: randomBytes(8, 3), config: { ...roundConfig, l2: 0 }, deadlineMs: 0 },
  { type: 'wait', reason: 'not-selected', retryAfterMs: 500 },
  { type: 'wait', reason: 'no-open-round', retryAfterMs: 1000 },
  { type: 'wait', reason: 'already-reported', retryAfterMs: 0 },
  { type: 'wait', reason: 'unsupported-task', retryAfterMs: 10 },
  { type: 'ack', round: 9 },
  { type: 'roundResult', round: 4, committed: true, modelVersion: 4 },
  { type: 'roundResult', round: 5, committed: false, modelVersion: 4 },
  { type: 'error', code: ErrorCodes.WRONG_SIZE, message: 'update has 3 values; the model has 4', round: 2 },
  { type: 'error', code: ErrorCodes.MALFORMED_FRAME, message: 'bad' },
  { type: 'heartbeat', sentAt: 5 },
];

/** Deep copy with every Uint8Array replaced by its plain byte list, so Buffer vs Uint8Array does not matter. */
function normalise(v: unknown): unknown {
  if (v instanceof Uint8Array) return { bytes: Array.from(v) };
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
  return v;
}

describe('codec round trips', () => {
  it.each(clientMessages.map((m) => [`${m.type} ${JSON.stringify(Object.keys(m))}`, m] as const))('client message %s survives encode → decode → validate', (_name, message) => {
    const frame = encodeMessage(message);
    expect(frame).toBeInstanceOf(Uint8Array);
    const back = validateClientMessage(decodeFrame(frame));
    expect(normalise(back)).toEqual(normalise(message));
    if (message.type === 'update') {
      const b = back as typeof message;
      expect(b.delta.byteLength).toBe(message.delta.byteLength);
      expect(plain(b.delta)).toEqual(plain(message.delta));
    }
  });

  it.each(coordinatorMessages.map((m) => [`${m.type} ${JSON.stringify(Object.keys(m))}`, m] as const))('coordinator message %s survives encode → decode → validate', (_name, message) => {
    const back = validateCoordinatorMessage(decodeFrame(encodeMessage(message)));
    expect(normalise(back)).toEqual(normalise(message));
    if (message.type === 'offer') expect(plain((back as typeof message).params)).toEqual(plain(message.params));
    if (message.type === 'welcome' && message.catalogue.itemIds) {
      const ids = (back as typeof message).catalogue.itemIds!;
      expect(Array.from(bytesToInt32(ids))).toEqual([100, -5, 2 ** 31 - 1, -(2 ** 31)]);
    }
  });

  it('covers every message type of messages.ts', () => {
    // If a type is added to the schema, this list (and the round trips above) must grow with it.
    expect(new Set(clientMessages.map((m) => m.type))).toEqual(new Set(['join', 'update', 'metrics', 'heartbeat', 'leave']));
    expect(new Set(coordinatorMessages.map((m) => m.type))).toEqual(new Set(['welcome', 'offer', 'wait', 'ack', 'roundResult', 'error', 'heartbeat']));
  });

  it('a Float32Array delta sent through float32ToBytes decodes to the same floats, bit for bit', () => {
    const special = [0, -0, 1, -1, Math.PI, 1e-45 /* smallest subnormal */, 1.17549435e-38, 3.4028234663852886e38, -3.4028234663852886e38, 0.1, 1 / 3];
    const values = new Float32Array(4096);
    values.set(special);
    let x = 12345;
    for (let i = special.length; i < values.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      values[i] = (x / 2 ** 32 - 0.5) * 2 ** ((x % 60) - 30);
    }
    const frame = encodeMessage({ type: 'update', round: 1, modelVersion: 0, delta: float32ToBytes(values), clipped: false });
    const msg = validateClientMessage(decodeFrame(frame));
    if (msg.type !== 'update') throw new Error('not an update');
    const decoded = bytesToFloat32(msg.delta);
    expect(decoded.length).toBe(values.length);
    // Bit patterns, so -0 vs 0 and subnormals count.
    expect(Array.from(new Uint32Array(decoded.buffer.slice(decoded.byteOffset, decoded.byteOffset + decoded.byteLength)))).toEqual(Array.from(new Uint32Array(values.buffer)));
    expect(Object.is(decoded[1], -0)).toBe(true);
  });

  it('decodes the same floats when the delta lands at an unaligned byteOffset', () => {
    const values = Float32Array.from({ length: 257 }, (_, i) => Math.fround(Math.sin(i) * 10 ** ((i % 7) - 3)));
    const frame = encodeMessage({ type: 'update', round: 1, modelVersion: 0, delta: float32ToBytes(values), clipped: false });
    let sawUnaligned = false;
    for (let shift = 0; shift < 4; shift++) {
      // Place the frame at every offset mod 4 inside a larger buffer: the decoded bin is a view into it.
      const host = new Uint8Array(frame.byteLength + 8);
      host.set(frame, shift);
      const msg = validateClientMessage(decodeFrame(host.subarray(shift, shift + frame.byteLength)));
      if (msg.type !== 'update') throw new Error('not an update');
      if (msg.delta.byteOffset % 4 !== 0) sawUnaligned = true;
      const decoded = bytesToFloat32(msg.delta);
      expect(decoded.byteOffset % 4).toBe(0);
      expect(Array.from(decoded)).toEqual(Array.from(values));
    }
    expect(sawUnaligned).toBe(true); // otherwise the copy path was never exercised
  });

  it('float32ToBytes of a subarray covers exactly that window', () => {
    const all = Float32Array.from([1, 2, 3, 4, 5]);
    const window = all.subarray(1, 4);
    expect(Array.from(bytesToFloat32(float32ToBytes(window)))).toEqual([2, 3, 4]);
    const back = validateClientMessage(decodeFrame(encodeMessage({ type: 'update', round: 1, modelVersion: 0, delta: float32ToBytes(window), clipped: false })));
    expect(Array.from(bytesToFloat32((back as { delta: Uint8Array }).delta))).toEqual([2, 3, 4]);
  });
});

describe('binary helpers', () => {
  it('bytesToFloat32 rejects a byte length that is not a multiple of 4', () => {
    for (const n of [1, 2, 3, 5, 4099]) {
      expect(() => bytesToFloat32(new Uint8Array(n))).toThrow(RangeError);
      expect(() => bytesToFloat32(new Uint8Array(n + 3).subarray(3))).toThrow(RangeError);
    }
    expect(bytesToFloat32(new Uint8Array(0)).length).toBe(0);
    expect(bytesToFloat32(new Uint8Array(8)).length).toBe(2);
  });

  it('bytesToInt32 rejects a byte length that is not a multiple of 4 and round-trips otherwise', () => {
    expect(() => bytesToInt32(new Uint8Array(6))).toThrow(RangeError);
    const ids = Int32Array.from([0, 1, -1, 2 ** 31 - 1, -(2 ** 31)]);
    const unaligned = new Uint8Array(ids.byteLength + 1);
    unaligned.set(int32ToBytes(ids), 1);
    expect(Array.from(bytesToInt32(unaligned.subarray(1)))).toEqual(Array.from(ids));
  });

  it('bytesToFloat32 on aligned bytes is a view, on unaligned bytes a copy with the same values', () => {
    const f = Float32Array.from([1.5, -2.25]);
    const aligned = bytesToFloat32(float32ToBytes(f));
    expect(aligned.buffer).toBe(f.buffer);
    const host = new Uint8Array(9);
    host.set(float32ToBytes(f), 1);
    const copy = bytesToFloat32(host.subarray(1));
    expect(copy.buffer).not.toBe(host.buffer);
    expect(Array.from(copy)).toEqual([1.5, -2.25]);
  });
});

/** Encodes `message`, then swaps the msgpack string `marker` for the single reserved byte 0xc1. */
function withC1(message: object, marker = 'C1HERE'): Uint8Array {
  const frame = encodeMessage(message);
  const needle = [0xa0 | marker.length, ...Array.from(marker, (c) => c.charCodeAt(0))];
  let at = -1;
  for (let i = 0; i + needle.length <= frame.length && at < 0; i++) if (needle.every((b, k) => frame[i + k] === b)) at = i;
  if (at < 0) throw new Error('marker not found');
  const out = new Uint8Array(frame.length - needle.length + 1);
  out.set(frame.subarray(0, at));
  out[at] = 0xc1;
  out.set(frame.subarray(at + needle.length), at + 1);
  return out;
}

describe('decodeFrame rejects malformed frames with FEDREC_MALFORMED_FRAME', () => {
  const good = encodeMessage({ type: 'update', round: 3, modelVersion: 2, delta: randomBytes(64, 9), clipped: false });

  it('a single 0xc1 byte', () => {
    expect(codeOf(() => decodeFrame(Uint8Array.of(0xc1)))).toBe(ErrorCodes.MALFORMED_FRAME);
  });

  it('an empty frame', () => {
    expect(codeOf(() => decodeFrame(new Uint8Array(0)))).toBe(ErrorCodes.MALFORMED_FRAME);
  });

  it('every truncation of a valid frame', () => {
    expect(validateClientMessage(decodeFrame(good)).type).toBe('update');
    for (let n = 0; n < good.length; n++) {
      const code = codeOf(() => decodeFrame(good.slice(0, n)));
      if (code !== ErrorCodes.MALFORMED_FRAME) throw new Error(`prefix of ${n}/${good.length} bytes gave ${code}`);
    }
  });

  it('trailing bytes after a valid frame', () => {
    for (const tail of [[0x00], [0xc0], [0xc1], Array.from(good)]) {
      const frame = new Uint8Array([...good, ...tail]);
      expect(codeOf(() => decodeFrame(frame))).toBe(ErrorCodes.MALFORMED_FRAME);
    }
  });

  it('a msgpack array, string, number, nil, boolean or binary at top level', () => {
    for (const value of [[1, 2, 3], [{ type: 'heartbeat', sentAt: 1 }], 'heartbeat', 42, -1.5, null, true, new Uint8Array([1, 2])]) {
      expect(codeOf(() => decodeFrame(encodeMessage(value as object)))).toBe(ErrorCodes.MALFORMED_FRAME);
    }
  });

  it('a map keyed by a map, an array or 0xc1', () => {
    // fixmap{ {}: 1 }, fixmap{ []: 1 }, fixmap{ 0xc1: 1 }. (Number keys are fine: msgpackr makes them "1".)
    for (const frame of [Uint8Array.of(0x81, 0x80, 0x01), Uint8Array.of(0x81, 0x90, 0x01), Uint8Array.of(0x81, 0xc1, 0x01)]) {
      expect(codeOf(() => decodeFrame(frame))).toBe(ErrorCodes.MALFORMED_FRAME);
    }
  });

  it('an unknown extension type', () => {
    // fixext1 type 5, one data byte
    expect(codeOf(() => decodeFrame(Uint8Array.of(0xd4, 0x05, 0x00)))).toBe(ErrorCodes.MALFORMED_FRAME);
  });

  it('a nested 0xc1 anywhere in the map never yields a valid message', () => {
    // Positions where a schema check only asks for "a map" (welcome.privacy, join.capabilities) are the
    // dangerous ones: msgpackr decodes 0xc1 to a marker object there instead of failing.
    const cases: { frame: Uint8Array; validate: (m: Record<string, unknown>) => unknown }[] = [
      { frame: withC1({ type: 'heartbeat', sentAt: 'C1HERE' }), validate: validateClientMessage },
      { frame: withC1({ type: 'join', protocol: PROTOCOL_VERSION, clientId: 'a', mode: 'persistent', capabilities: 'C1HERE' }), validate: validateClientMessage },
      { frame: withC1({ type: 'join', protocol: PROTOCOL_VERSION, clientId: 'a', mode: 'persistent', capabilities: { tasks: ['train', 'C1HERE'] } }), validate: validateClientMessage },
      { frame: withC1({ type: 'update', round: 1, modelVersion: 0, delta: 'C1HERE', clipped: false }), validate: validateClientMessage },
      { frame: withC1({ type: 'update', round: 1, modelVersion: 0, delta: new Uint8Array(4), clipped: false, extra: 'C1HERE' }), validate: validateClientMessage },
      { frame: withC1({ ...coordinatorMessages[0], privacy: 'C1HERE' }), validate: validateCoordinatorMessage },
      { frame: withC1({ ...coordinatorMessages[0], privacy: { ...(coordinatorMessages[0] as { privacy: object }).privacy, budget: 'C1HERE' } }), validate: validateCoordinatorMessage },
    ];
    for (const { frame, validate } of cases) {
      expect(frame.includes(0xc1)).toBe(true);
      expect(codeOf(() => validate(decodeFrame(frame)))).toBe(ErrorCodes.MALFORMED_FRAME);
    }
  });

  it('extension values (timestamps and the like) nested in a message', () => {
    // msgpack timestamp ext (-1) → msgpackr makes a Date; a schema check for "a map" would accept it.
    const frame = encodeMessage({ ...coordinatorMessages[0], privacy: new Date(0) });
    expect(codeOf(() => validateCoordinatorMessage(decodeFrame(frame)))).toBe(ErrorCodes.MALFORMED_FRAME);
  });

  it('a "__proto__" key does not smuggle fields in through the prototype', () => {
    const inner = encodeMessage({ type: 'heartbeat', sentAt: 1 });
    const key = encodeMessage('__proto__' as unknown as object);
    const frame = new Uint8Array([0x81, ...key, ...inner]);
    let m: Record<string, unknown> | null = null;
    try {
      m = decodeFrame(frame);
    } catch (err) {
      expect((err as FedrecError).code).toBe(ErrorCodes.MALFORMED_FRAME);
    }
    if (m) {
      expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
      expect(m.type).toBeUndefined();
      expect(codeOf(() => validateClientMessage(m!))).toBe(ErrorCodes.UNKNOWN_MESSAGE_TYPE);
    }
  });

  it('the decoder still works after a run of malformed frames', () => {
    for (let i = 0; i < 50; i++) {
      codeOf(() => decodeFrame(good.slice(0, i)));
      codeOf(() => decodeFrame(Uint8Array.of(0xc1)));
    }
    const back = validateClientMessage(decodeFrame(good));
    expect(back).toMatchObject({ type: 'update', round: 3, modelVersion: 2, clipped: false });
    expect(plain((back as { delta: Uint8Array }).delta)).toEqual(Array.from(randomBytes(64, 9)));
  });

  it('a thrown decode error is a FedrecError carrying the cause', () => {
    try {
      decodeFrame(good.slice(0, 5));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FedrecError);
      expect((err as FedrecError).message).toMatch(/not valid msgpack/);
      expect((err as Error).cause).toBeInstanceOf(Error);
    }
  });
});

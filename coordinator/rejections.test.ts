// Every bad input a peer can send gets its coded answer, and none of them changes what the
// coordinator does for everyone else: it keeps serving, its state is as before, an open round
// still commits with exactly the good updates.

import { describe, expect, it } from 'vitest';
import { bytesToFloat32, float32ToBytes } from '../shared/protocol/binary.js';
import { encodeMessage } from '../shared/protocol/codec.js';
import { CloseCodes, ErrorCodes } from '../shared/protocol/errors.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { SeededRandom } from '../shared/random.js';
import { RawSocket, type Frame } from '../test-helpers/raw-socket.js';
import { useHarness } from '../test-helpers/harness.js';
import type { resolveConfig } from './config.js';
import type { RunningCoordinator } from './coordinator.js';
import type { RoundSummary } from './round-engine.js';

const h = useHarness();
let running: RunningCoordinator | null = null;

type Patch = Parameters<typeof resolveConfig>[0];

async function start(patch: Patch): Promise<RunningCoordinator> {
  // Plaintext: these raw sockets send plaintext updates (secure-mode refusals: secagg/*.test.ts).
  running = await h.coordinator({ aggregation: 'plaintext', model: { dim: 4 }, evaluation: { every: 0, clientsPerRound: 1, deadlineMs: 1_000 }, ...patch });
  return running;
}

async function connect(): Promise<RawSocket> {
  return h.socket(running!.url);
}

async function until(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const rejections = (code: string) => running!.sessions.rejections.get(code) ?? 0;

let fresh = 0;
/** A brand-new client can connect, join and get its welcome; it then leaves with forget, so the registry is as it was. */
async function assertStillServing(): Promise<void> {
  const registered = running!.engine.status().registered;
  const s = await connect();
  const id = `fresh-${++fresh}`;
  const welcome = await s.join(id);
  expect(welcome).toMatchObject({ type: 'welcome', protocol: PROTOCOL_VERSION, clientId: id });
  expect(running!.engine.status().registered).toBe(registered + 1);
  s.sendMessage({ type: 'leave', forget: true });
  expect((await s.waitClose()).code).toBe(CloseCodes.NORMAL);
  expect(running!.engine.status().registered).toBe(registered);
}

const join = (clientId: string, extra: Frame = {}) => ({ type: 'join', protocol: PROTOCOL_VERSION, clientId, mode: 'persistent', capabilities: { tasks: ['train'] }, ...extra });

describe('protocol-level rejections (no round open)', () => {
  // minClients far above what joins: no round ever opens, so only the protocol layer is exercised.
  const base: Patch = { minClients: 1000, limits: { maxPayloadBytes: 4096, maxClients: 100, heartbeatIntervalMs: 15_000, heartbeatTimeoutMs: 45_000 } };

  /** Sends `frame` on a fresh connection; expects `code` back, the connection kept, and nothing else changed. */
  async function expectCodedReply(frame: Uint8Array | string, code: string): Promise<RawSocket> {
    const registered = running!.engine.status().registered;
    const joined = running!.sessions.joined;
    const s = await connect();
    s.send(frame);
    const err = await s.takeError();
    expect(err.code).toBe(code);
    expect(typeof err.message).toBe('string');
    expect(rejections(code)).toBe(1);
    expect(running!.engine.currentModelVersion).toBe(0);
    expect(running!.engine.status().registered).toBe(registered);
    expect(running!.sessions.joined).toBe(joined);
    // The offending connection itself is still usable.
    expect(s.closeInfo).toBeNull();
    expect((await s.join(`after-${code}`)).type).toBe('welcome');
    await assertStillServing();
    return s;
  }

  it('a single 0xc1 byte → FEDREC_MALFORMED_FRAME', async () => {
    await start(base);
    await expectCodedReply(Uint8Array.of(0xc1), ErrorCodes.MALFORMED_FRAME);
  });

  it('a truncated msgpack frame → FEDREC_MALFORMED_FRAME', async () => {
    await start(base);
    const whole = encodeMessage(join('truncated'));
    await expectCodedReply(whole.slice(0, whole.length - 3), ErrorCodes.MALFORMED_FRAME);
  });

  it('a valid frame followed by trailing bytes → FEDREC_MALFORMED_FRAME (and no join happens)', async () => {
    await start(base);
    const whole = encodeMessage(join('trailing'));
    await expectCodedReply(new Uint8Array([...whole, 0x00]), ErrorCodes.MALFORMED_FRAME);
    expect(running!.engine.status().registered).toBe(1); // only "after-…" joined, never "trailing"
  });

  it('a nested 0xc1 in a join → FEDREC_MALFORMED_FRAME', async () => {
    await start(base);
    const frame = encodeMessage(join('nested', { capabilities: 'C1HERE' }));
    const at = Buffer.from(frame).indexOf(Buffer.from([0xa6, ...Buffer.from('C1HERE')]));
    const bad = new Uint8Array([...frame.subarray(0, at), 0xc1, ...frame.subarray(at + 7)]);
    await expectCodedReply(bad, ErrorCodes.MALFORMED_FRAME);
  });

  it('a text frame → FEDREC_BINARY_REQUIRED', async () => {
    await start(base);
    await expectCodedReply(JSON.stringify(join('texty')), ErrorCodes.BINARY_REQUIRED);
  });

  it('an unknown message type → FEDREC_UNKNOWN_MESSAGE_TYPE', async () => {
    await start(base);
    await expectCodedReply(encodeMessage({ type: 'subscribe', topic: 'all' }), ErrorCodes.UNKNOWN_MESSAGE_TYPE);
  });

  it('a join with a bad client id → FEDREC_INVALID_MESSAGE', async () => {
    await start(base);
    await expectCodedReply(encodeMessage(join('no spaces allowed')), ErrorCodes.INVALID_MESSAGE);
  });

  it('an update before join → FEDREC_NOT_JOINED', async () => {
    await start(base);
    await expectCodedReply(encodeMessage({ type: 'update', round: 1, modelVersion: 0, delta: new Uint8Array(4 * 300), clipped: false }), ErrorCodes.NOT_JOINED);
  });

  it('a second join on the same connection → FEDREC_ALREADY_JOINED', async () => {
    await start(base);
    const s = await connect();
    await s.join('twice');
    s.sendMessage(join('twice-again'));
    expect((await s.takeError()).code).toBe(ErrorCodes.ALREADY_JOINED);
    expect(running!.engine.status().registered).toBe(1);
    await assertStillServing();
  });

  it('a join in another protocol version → FEDREC_UNSUPPORTED_VERSION, then close 1002', async () => {
    await start(base);
    const s = await connect();
    s.sendMessage(join('from-the-future', { protocol: PROTOCOL_VERSION + 1 }));
    expect((await s.takeError()).code).toBe(ErrorCodes.UNSUPPORTED_VERSION);
    expect((await s.waitClose()).code).toBe(CloseCodes.PROTOCOL_ERROR);
    expect(rejections(ErrorCodes.UNSUPPORTED_VERSION)).toBe(1);
    expect(running!.engine.status().registered).toBe(0);
    expect(running!.sessions.joined).toBe(0);
    await assertStillServing();
  });

  it('a frame over limits.maxPayloadBytes → close 1009, counted as FEDREC_FRAME_TOO_LARGE; one at the limit is read', async () => {
    await start(base);
    const atLimit = await connect();
    atLimit.send(new Uint8Array(4096).fill(0xc1)); // exactly the limit: read, then refused as malformed
    expect((await atLimit.takeError()).code).toBe(ErrorCodes.MALFORMED_FRAME);
    expect(atLimit.closeInfo).toBeNull();

    const s = await connect();
    await s.join('big-sender');
    s.send(encodeMessage({ type: 'update', round: 1, modelVersion: 0, delta: new Uint8Array(4097), clipped: false }));
    expect((await s.waitClose()).code).toBe(CloseCodes.MESSAGE_TOO_BIG);
    await until(() => rejections(ErrorCodes.FRAME_TOO_LARGE) === 1, 'the FRAME_TOO_LARGE count');
    await until(() => running!.sessions.joined === 0, 'the oversized sender to be dropped');
    expect(running!.engine.currentModelVersion).toBe(0);
    expect(running!.engine.status().registered).toBe(1); // it joined before; a drop is not a forget
    await assertStillServing();
  });

  it('too many connections → FEDREC_TOO_MANY_CLIENTS and close 1013; a slot frees when one leaves', async () => {
    await start({ ...base, limits: { maxPayloadBytes: 4096, maxClients: 2, heartbeatIntervalMs: 15_000, heartbeatTimeoutMs: 45_000 } });
    const x = await connect();
    const y = await connect();
    await x.join('x');
    const z = await connect(); // the upgrade succeeds; the session layer refuses
    expect((await z.takeError()).code).toBe(ErrorCodes.TOO_MANY_CLIENTS);
    expect((await z.waitClose()).code).toBe(CloseCodes.TRY_AGAIN_LATER);
    expect(rejections(ErrorCodes.TOO_MANY_CLIENTS)).toBe(1);
    expect(running!.sessions.connected).toBe(2);
    expect(running!.engine.status().registered).toBe(1);
    // The two admitted connections are unaffected.
    expect((await y.join('y')).type).toBe('welcome');
    x.sendMessage({ type: 'heartbeat', sentAt: 1 });
    expect((await x.takeType('heartbeat')).type).toBe('heartbeat');
    // Once one leaves, a newcomer is admitted.
    x.close();
    await x.waitClose();
    await until(() => running!.sessions.connected === 1, 'the server to see x leave');
    await assertStillServing();
  });
});

describe('rejections inside an open training round', () => {
  const C = 1; // clip norm
  const LR = 2; // FedAvg server learning rate

  function vector(rng: SeededRandom, n: number, norm: number): Float32Array {
    const v = Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
    let sq = 0;
    for (const x of v) sq += x * x;
    const s = norm / Math.sqrt(sq);
    for (let i = 0; i < n; i++) v[i] *= s;
    return v;
  }

  function norm(v: Float32Array): number {
    let sq = 0;
    for (let i = 0; i < v.length; i++) sq += v[i] * v[i];
    return Math.sqrt(sq);
  }

  const update = (round: number, modelVersion: number, delta: Float32Array | Uint8Array, clipped = false) => ({
    type: 'update',
    round,
    modelVersion,
    delta: delta instanceof Float32Array ? float32ToBytes(delta) : delta,
    clipped,
  });

  /** FedAvg of clipped updates with the fixed denominator q·N = 2 (q = 1, N = 2), noise 0, by hand. */
  function expectedModel(before: Float32Array, updates: Float32Array[], denominator: number): Float32Array {
    const out = new Float32Array(before.length);
    const scales = updates.map((u) => Math.min(1, C / norm(u)));
    for (let i = 0; i < before.length; i++) {
      let s = 0;
      updates.forEach((u, k) => (s += u[i] * scales[k]));
      out[i] = before[i] + LR * (s / denominator);
    }
    return out;
  }

  function expectClose(actual: Float32Array, expected: Float32Array): void {
    expect(actual.length).toBe(expected.length);
    let worst = 0;
    for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
    expect(worst).toBeLessThan(1e-6);
  }

  it('bad updates are refused with their codes and leave no trace; the round commits with the good ones', async () => {
    const r = await start({
      rounds: 3,
      clientsPerRound: 2,
      minClients: 2,
      minReports: 2,
      roundDeadlineMs: 60_000,
      round: { clipNorm: C },
      noiseMultiplier: 0,
      denominator: 'expected',
      serverOptimizer: { name: 'fedavg', lr: LR },
    });
    const summaries: RoundSummary[] = [];
    r.engine.on('round', (s: RoundSummary) => summaries.push(s));
    const done = new Promise((resolve) => r.engine.once('done', resolve));

    const a = await connect();
    const b = await connect();
    await a.join('alice');
    await b.join('bob');
    const offerA = await a.takeType('offer');
    const offerB = await b.takeType('offer');
    expect(offerA).toMatchObject({ round: 1, task: 'train', modelVersion: 0 });
    expect(offerB).toMatchObject({ round: 1, modelVersion: 0 });
    const before = Float32Array.from(r.engine.model.params);
    expect(Array.from(bytesToFloat32(offerA.params as Uint8Array))).toEqual(Array.from(before));
    const n = before.length;
    expect(n).toBe(60 * 5);

    /** Sends `msg` from `s`; expects error `code` for `round`, and the engine exactly as before. */
    async function refused(s: RawSocket, msg: object | Uint8Array | string, code: string, round: number | undefined): Promise<void> {
      const count = rejections(code);
      if (typeof msg === 'string' || msg instanceof Uint8Array) s.send(msg);
      else s.sendMessage(msg);
      const err = await s.takeError();
      expect(err.code).toBe(code);
      if (round !== undefined) expect(err.round).toBe(round);
      expect(rejections(code)).toBe(count + 1);
      expect(s.closeInfo).toBeNull();
      expect(r.engine.currentModelVersion).toBe(0);
      expect(r.engine.status()).toMatchObject({ round: 1, open: true, phase: 'train', registered: 2 });
      await assertStillServing();
    }

    const rng = new SeededRandom('rejections');
    const dA = vector(rng, n, 3 * C); // above C: the coordinator must clip it
    const dB = vector(rng, n, 0.5 * C);

    const withNaN = Float32Array.from(dA);
    withNaN[17] = NaN;
    const withInf = Float32Array.from(dB);
    withInf[n - 1] = -Infinity;
    await refused(a, update(1, 0, withNaN), ErrorCodes.NON_FINITE, 1);
    await refused(a, update(1, 0, withInf), ErrorCodes.NON_FINITE, 1);
    await refused(a, update(1, 0, dA.subarray(0, n - 1)), ErrorCodes.WRONG_SIZE, 1);
    await refused(a, update(1, 0, Float32Array.from([...dA, 0])), ErrorCodes.WRONG_SIZE, 1);
    await refused(a, update(1, 0, new Uint8Array(4 * n + 2)), ErrorCodes.WRONG_SIZE, 1);
    await refused(a, update(1, 1, dA), ErrorCodes.MODEL_VERSION_MISMATCH, 1);
    await refused(a, update(2, 0, dA), ErrorCodes.UNKNOWN_ROUND, 2);
    await refused(a, update(99, 0, dA), ErrorCodes.UNKNOWN_ROUND, 99);
    await refused(a, Uint8Array.of(0xc1), ErrorCodes.MALFORMED_FRAME, undefined);
    await refused(a, 'not binary', ErrorCodes.BINARY_REQUIRED, undefined);

    // The good update is taken...
    a.sendMessage(update(1, 0, dA));
    expect(await a.takeType('ack')).toMatchObject({ round: 1 });
    // ...once.
    await refused(a, update(1, 0, dA), ErrorCodes.DUPLICATE_UPDATE, 1);

    // A client that joined after the round opened was not selected for it.
    const c = await connect();
    await c.join('carol');
    expect(await c.takeType('wait')).toMatchObject({ reason: 'not-selected' });
    c.sendMessage(update(1, 0, dB));
    const notSelected = await c.takeError();
    expect(notSelected).toMatchObject({ code: ErrorCodes.NOT_SELECTED, round: 1 });
    c.sendMessage({ type: 'leave', forget: true });
    await c.waitClose();
    expect(r.engine.status()).toMatchObject({ round: 1, open: true, registered: 2 });

    // Bob's update completes the round.
    b.sendMessage(update(1, 0, dB));
    expect(await b.takeType('ack')).toMatchObject({ round: 1 });
    for (const s of [a, b]) expect(await s.takeType('roundResult')).toMatchObject({ round: 1, committed: true, modelVersion: 1 });
    expect(r.engine.currentModelVersion).toBe(1);
    const afterRound1 = Float32Array.from(r.engine.model.params);
    expectClose(afterRound1, expectedModel(before, [dA, dB], 2));

    const s1 = summaries[0];
    expect(s1).toMatchObject({ round: 1, committed: true, sampled: 2, reported: 2, dropped: 0, late: 0, noiseStddev: 0, clipNorm: C });
    // The model shows alice's update was clipped (expectedModel clips); the summary releases no raw
    // per-client norm or clipped count (with one reporter they would be that client's own values).
    expect(s1.meanUpdateNorm).toBeNull();
    expect(s1.clippedFraction).toBeNull();
    // NaN ×2, wrong size ×3, version, unknown round ×2, duplicate, not selected (frame-level errors are not the round's).
    expect(s1.rejected).toBe(10);

    // Round 2 is open: an update for round 1 is now late.
    const offer2 = await a.takeType('offer');
    expect(offer2).toMatchObject({ round: 2, modelVersion: 1 });
    expect(Array.from(bytesToFloat32(offer2.params as Uint8Array))).toEqual(Array.from(afterRound1));
    await b.takeType('offer');
    a.sendMessage(update(1, 0, dA));
    expect(await a.takeError()).toMatchObject({ code: ErrorCodes.LATE_UPDATE, round: 1 });
    expect(r.engine.currentModelVersion).toBe(1);
    await assertStillServing();

    const d2 = [vector(rng, n, 0.2), vector(rng, n, 0.3)];
    a.sendMessage(update(2, 1, d2[0]));
    b.sendMessage(update(2, 1, d2[1]));
    for (const s of [a, b]) expect(await s.takeType('roundResult')).toMatchObject({ round: 2, committed: true, modelVersion: 2 });
    const afterRound2 = Float32Array.from(r.engine.model.params);
    expectClose(afterRound2, expectedModel(afterRound1, d2, 2));
    expect(summaries[1]).toMatchObject({ round: 2, reported: 2, late: 1 });

    // Round 3 is open: round 1 is now stale, round 2 late.
    await a.takeType('offer');
    await b.takeType('offer');
    a.sendMessage(update(1, 1, dA));
    expect(await a.takeError()).toMatchObject({ code: ErrorCodes.STALE_ROUND, round: 1 });
    a.sendMessage(update(2, 1, dA));
    expect(await a.takeError()).toMatchObject({ code: ErrorCodes.LATE_UPDATE, round: 2 });
    await assertStillServing();

    const d3 = [vector(rng, n, 0.1), vector(rng, n, 2)];
    a.sendMessage(update(3, 2, d3[0]));
    b.sendMessage(update(3, 2, d3[1]));
    await done;
    expect(summaries.map((s) => [s.round, s.committed])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
    expect(r.engine.currentModelVersion).toBe(3);
    expectClose(r.engine.model.params, expectedModel(afterRound2, d3, 2));
  });
});

// Plays the honest-but-curious coordinator: it keeps every frame real clients send it and runs the
// attack that reads a person's items from one plaintext update (the item-bias delta is positive on
// the items they trained on, negative on the sampled negatives). On plaintext frames it recovers
// every item exactly; on the frames of a secure round it does no better than a coin.

import { describe, expect, it } from 'vitest';
import type { FedrecClient } from '../../client/fedrec-client.js';
import { nodeSocketFactory } from '../../client/node/ws-socket.js';
import type { SocketFactory } from '../../client/socket.js';
import { decodeFrame } from '../../shared/protocol/codec.js';
import { useHarness } from '../../test-helpers/harness.js';
import { tinyDataset, tinyItemIds } from '../../test-helpers/tiny.js';
import type { RoundSummary } from '../round-engine.js';

const h = useHarness();
const CLIENTS = 8;
const DIM = 8;
const ITEMS = tinyItemIds.length;

/** A socket factory that keeps what the client sends: exactly what the coordinator receives. */
function recordingFactory(frames: Record<string, unknown>[]): SocketFactory {
  const inner = nodeSocketFactory();
  return (url) => {
    const s = inner(url);
    const send = s.send.bind(s);
    s.send = (data: Uint8Array) => {
      frames.push(decodeFrame(new Uint8Array(data)));
      send(data);
    };
    return s;
  };
}

async function runRound(aggregation: 'secure' | 'plaintext'): Promise<Map<number, Record<string, unknown>[]>> {
  const running = await h.coordinator({ aggregation, rounds: 1, clientsPerRound: CLIENTS, minClients: CLIENTS, roundDeadlineMs: 10_000, model: { dim: DIM }, evaluation: { every: 0 } });
  const rounds: RoundSummary[] = [];
  running.engine.on('round', (s: RoundSummary) => rounds.push(s));
  const done = new Promise((r) => running.engine.once('done', r));
  const sent = new Map<number, Record<string, unknown>[]>();
  const clients: FedrecClient[] = [];
  for (let k = 0; k < CLIENTS; k++) {
    const frames: Record<string, unknown>[] = [];
    sent.set(k, frames);
    clients.push(h.client(running.url, k, { socketFactory: recordingFactory(frames), allowPlaintext: aggregation === 'plaintext' }));
  }
  for (const c of clients) void c.run();
  await done;
  expect(rounds[0]).toMatchObject({ committed: true, reported: CLIENTS, aggregation });
  return sent;
}

/** The attack: bias coordinates that went up are the person's items. */
function attack(biases: Int32Array | Float32Array): Set<number> {
  const guessed = new Set<number>();
  biases.forEach((b, row) => b > 0 && guessed.add(row));
  return guessed;
}

const trueRows = (k: number) => new Set(tinyDataset(k).train.map((x) => x.item - tinyItemIds[0]));

function score(guessed: Set<number>, truth: Set<number>) {
  const hits = [...guessed].filter((r) => truth.has(r)).length;
  return { hits, guessed: guessed.size, truth: truth.size };
}

describe('the curious coordinator and the bias-sign attack', () => {
  it('recovers every item from plaintext frames (precision 1, recall 1)', async () => {
    const sent = await runRound('plaintext');
    for (let k = 0; k < CLIENTS; k++) {
      const update = sent.get(k)!.find((f) => f.type === 'update')!;
      const delta = new Float32Array(Uint8Array.from(update.delta as Uint8Array).buffer);
      const s = score(attack(delta.subarray(ITEMS * DIM)), trueRows(k));
      expect(s.hits).toBe(s.truth);
      expect(s.guessed).toBe(s.truth);
    }
  });

  it('does no better than chance on the frames of a secure round', async () => {
    const sent = await runRound('secure');
    let hits = 0;
    let truths = 0;
    let guessed = 0;
    let zeros = 0;
    let words = 0;
    for (let k = 0; k < CLIENTS; k++) {
      const frames = sent.get(k)!;
      expect(frames.some((f) => f.type === 'update')).toBe(false); // no plaintext update ever leaves
      const masked = frames.find((f) => f.type === 'sa-masked')!;
      const w = new Int32Array(Uint8Array.from(masked.masked as Uint8Array).buffer);
      // The support (the ~5% of rows a person trains) shows in a plaintext update as non-zeros.
      for (const x of w) if (x === 0) zeros++;
      words += w.length;
      const s = score(attack(w.subarray(ITEMS * DIM, ITEMS * DIM + ITEMS)), trueRows(k));
      hits += s.hits;
      truths += s.truth;
      guessed += s.guessed;
    }
    // Under masks every word is uniform: a guessed item is the person's at the base rate, and a
    // true item is guessed half the time. Bounds at about ±4 standard deviations.
    const base = truths / (CLIENTS * ITEMS);
    const recall = hits / truths;
    const precision = hits / guessed;
    expect(recall).toBeGreaterThan(0.5 - 4 * Math.sqrt(0.25 / truths));
    expect(recall).toBeLessThan(0.5 + 4 * Math.sqrt(0.25 / truths));
    expect(precision).toBeLessThan(base + 4 * Math.sqrt((base * (1 - base)) / guessed));
    expect(zeros / words).toBeLessThan(0.001);
  });
});

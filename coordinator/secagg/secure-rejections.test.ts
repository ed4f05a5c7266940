// A secure round refuses, with a code and without a trace, what does not belong to its stage:
// input before the keys, plaintext updates, keys of the wrong curve, keys from a client not offered
// the round, duplicates. The round then goes on with the clients that behave.

import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../shared/protocol/errors.js';
import { webCryptoSuite } from '../../shared/secagg/crypto-suite.js';
import { useHarness } from '../../test-helpers/harness.js';
import type { RoundSummary } from '../round-engine.js';

const h = useHarness();
const secureCaps = { capabilities: { tasks: ['train'], curves: ['x25519', 'p256'] } };

/** A secure round of four: three real clients and one raw socket the test speaks for, offered x25519. */
async function threeHonestAndOneRaw(rawId: string) {
  const running = await h.coordinator({ rounds: 1, clientsPerRound: 4, minClients: 4, roundDeadlineMs: 3_000, evaluation: { every: 0 }, secureAggregation: { stageDeadlineMs: 2_000 } });
  const rounds: RoundSummary[] = [];
  running.engine.on('round', (s: RoundSummary) => rounds.push(s));
  const done = new Promise((r) => running.engine.once('done', r));
  const raw = await h.socket(running.url);
  await raw.join(rawId, secureCaps);
  for (let k = 0; k < 3; k++) void h.client(running.url, k).run().catch(() => {});
  const offer = await raw.takeType('offer');
  expect(offer.secure).toMatchObject({ curve: 'x25519' });
  return { running, rounds, done, raw, round: offer.round as number };
}

describe('secure-round refusals', () => {
  it('answers each stray message with its code; the round still commits with the well-behaved clients', async () => {
    const { running, rounds, done, raw, round } = await threeHonestAndOneRaw('raw-device');

    raw.sendMessage({ type: 'sa-masked', round, modelVersion: 0, masked: new Uint8Array(8) });
    expect(await raw.takeError()).toMatchObject({ code: ErrorCodes.SECAGG_WRONG_STAGE, round });
    raw.sendMessage({ type: 'update', round, modelVersion: 0, delta: new Uint8Array(8), clipped: false });
    expect(await raw.takeError()).toMatchObject({ code: ErrorCodes.SECAGG_WRONG_STAGE, round });
    raw.sendMessage({ type: 'sa-keys', round, encKey: new Uint8Array(65).fill(4), maskKey: new Uint8Array(65).fill(4) });
    expect(await raw.takeError()).toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY, round });
    raw.sendMessage({ type: 'sa-keys', round, encKey: new Uint8Array(32).fill(9), maskKey: new Uint8Array(32).fill(9) });
    expect(await raw.takeError()).toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY, round }); // the same key twice
    raw.sendMessage({ type: 'sa-keys', round: round + 5, encKey: new Uint8Array(32).fill(1), maskKey: new Uint8Array(32).fill(2) });
    expect(await raw.takeError()).toMatchObject({ code: ErrorCodes.UNKNOWN_ROUND });
    // The raw device then goes quiet: the others' round commits without it once the key stage closes.
    await done;
    expect(rounds[0]).toMatchObject({ committed: true, reported: 3, aggregation: 'secure' });
    expect(rounds[0].rejected).toBeGreaterThanOrEqual(4);
    expect(running.sessions.rejections.get(ErrorCodes.SECAGG_BAD_KEY)).toBe(2);
  });

  it('refuses public keys no one can agree with (small-order X25519 points), so they never reach the neighbours', async () => {
    const { running, rounds, done, raw, round } = await threeHonestAndOneRaw('small-order-device');
    // 0 and 1 are points of order 4 and 1 (RFC 7748 §6.1): every agreement with them is all zeros.
    const one = new Uint8Array(32);
    one[0] = 1;
    raw.sendMessage({ type: 'sa-keys', round, encKey: new Uint8Array(32), maskKey: one });
    expect(await raw.takeError()).toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY, round });
    // Had they been relayed, each honest neighbour's agreement would fail and it would leave the round.
    await done;
    expect(rounds[0]).toMatchObject({ committed: true, reported: 3, aggregation: 'secure' });
    expect(running.sessions.rejections.get(ErrorCodes.SECAGG_BAD_KEY)).toBe(1);
  });

  it('a client sealing garbage shares can make its neighbours leave: the round is abandoned, nothing published (a known limit)', async () => {
    const { rounds, done, raw, round } = await threeHonestAndOneRaw('garbage-sharer');
    const [enc, mask] = [await webCryptoSuite.generateKeyPair('x25519'), await webCryptoSuite.generateKeyPair('x25519')];
    raw.sendMessage({ type: 'sa-keys', round, encKey: enc.publicKey, maskKey: mask.publicKey });
    const plan = await raw.takeType('sa-neighbours');
    const neighbours = plan.neighbours as { index: number }[];
    // Valid framing, undecryptable contents: each honest neighbour's AES-GCM open fails (SECAGG_BAD_CIPHERTEXT).
    raw.sendMessage({ type: 'sa-shares', round, shares: neighbours.map((n) => ({ to: n.index, sealed: crypto.getRandomValues(new Uint8Array(120)) })) });
    await done;
    // Without verifiable secret sharing no one can tell the coordinator whose shares were bad: the round
    // ends below threshold, and like every abandoned round it publishes no model and spends no budget.
    expect(rounds[0]).toMatchObject({ committed: false, abandonedBy: ErrorCodes.SECAGG_BELOW_THRESHOLD, modelVersion: 0 });
  });

  it('refuses keys from a client that was not offered the round (FEDREC_NOT_SELECTED)', async () => {
    const running = await h.coordinator({ rounds: 1, clientsPerRound: 2, minClients: 2, roundDeadlineMs: 3_000, evaluation: { every: 0 }, secureAggregation: { stageDeadlineMs: 2_000 } });
    const done = new Promise((r) => running.engine.once('done', r));
    const opened = new Promise<number>((r) => running.engine.once('phase-open', (e: { round: number }) => r(e.round)));
    // A selected device that never sends keys holds the key stage open until its deadline.
    const silent = await h.socket(running.url);
    await silent.join('silent-device', secureCaps);
    void h.client(running.url, 0).run().catch(() => {});
    const round = await opened;
    const late = await h.socket(running.url);
    await late.join('late-device', secureCaps); // registered after the draw: not in this round
    late.sendMessage({ type: 'sa-keys', round, encKey: new Uint8Array(32).fill(3), maskKey: new Uint8Array(32).fill(5) });
    expect(await late.takeError()).toMatchObject({ code: ErrorCodes.NOT_SELECTED, round });
    await done;
  });
});

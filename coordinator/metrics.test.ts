// GET /metrics against a real coordinator and real clients on loopback: the text parses strictly as
// Prometheus exposition, and each value is what happened (rounds, reports, bytes, rejections) or what
// GET /privacy says (ε, budget, clip norm). Two coordinators in one process keep their own series.

import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../shared/protocol/errors.js';
import { useHarness } from '../test-helpers/harness.js';
import { parsePrometheusText, sampleValue } from '../test-helpers/prom-text.js';
import type { RoundSummary } from './round-engine.js';

const h = useHarness();

async function scrape(httpUrl: string) {
  const res = await fetch(`${httpUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

describe('GET /metrics', () => {
  it('after two secure rounds with noise: rounds, reports, durations, bytes and ε as released', async () => {
    const budget = { epsilon: 50, delta: 1e-5 };
    const c = await h.coordinator({ rounds: 2, minClients: 2, clientsPerRound: 2, roundDeadlineMs: 10_000, noiseMultiplier: 1.1, round: { clipNorm: 1 }, privacy: { delta: 1e-5, budget }, evaluation: { every: 1, clientsPerRound: 2, deadlineMs: 10_000 } });
    const rounds: RoundSummary[] = [];
    c.engine.on('round', (s: RoundSummary) => rounds.push(s));
    const first = new Promise((r) => c.engine.once('round', r));
    const done = new Promise((r) => c.engine.once('done', r));
    const bad = await h.socket(c.url);
    bad.send(Uint8Array.of(0xc1)); // not msgpack: one FEDREC_MALFORMED_FRAME
    await bad.takeError();
    for (let k = 0; k < 2; k++) void h.client(c.url, k).run().catch(() => {});

    await first;
    const live = await scrape(c.httpUrl);
    expect(sampleValue(live, 'fedrec_clients_connected')).toBe(2); // both clients stay for round 2
    expect(sampleValue(live, 'fedrec_rounds_total', { outcome: 'committed' })).toBe(1);
    await done;

    const m = await scrape(c.httpUrl);
    const privacy = await (await fetch(`${c.httpUrl}/privacy`)).json();
    expect(rounds.map((r) => [r.committed, r.reported, r.dropped])).toEqual([[true, 2, 0], [true, 2, 0]]);
    expect(sampleValue(m, 'fedrec_rounds_total', { outcome: 'committed' })).toBe(2);
    expect(sampleValue(m, 'fedrec_rounds_total', { outcome: 'abandoned' })).toBe(0);
    expect(sampleValue(m, 'fedrec_round')).toBe(2);
    expect(sampleValue(m, 'fedrec_round_reports')).toBe(2);
    expect(sampleValue(m, 'fedrec_round_dropouts')).toBe(0);
    expect(sampleValue(m, 'fedrec_clients_enrolled')).toBe(2);
    expect(sampleValue(m, 'fedrec_round_duration_seconds_count')).toBe(2);
    expect(sampleValue(m, 'fedrec_round_duration_seconds_sum')).toBeCloseTo(rounds[0].seconds + rounds[1].seconds, 9);
    expect(sampleValue(m, 'fedrec_unmask_seconds_count')).toBe(2);
    expect(sampleValue(m, 'fedrec_unmask_seconds_sum')).toBeCloseTo((rounds[0].secure!.unmaskMs + rounds[1].secure!.unmaskMs) / 1000, 9);
    // ε exactly as GET /privacy says, and finite: this run adds noise.
    expect(privacy.epsilon).toBeGreaterThan(0);
    expect(sampleValue(m, 'fedrec_privacy_epsilon_spent')).toBe(privacy.epsilon);
    expect(sampleValue(m, 'fedrec_privacy_epsilon_budget')).toBe(budget.epsilon);
    expect(sampleValue(m, 'fedrec_clip_norm')).toBe(privacy.clipNorm);
    expect(sampleValue(m, 'fedrec_noise_stddev')).toBe(rounds[1].noiseStddev);
    expect(rounds[1].noiseStddev).toBeGreaterThan(0);
    // Each report is a masked vector of (parameters + 1) 32-bit words; joins, keys and shares add more.
    const words = c.engine.model.params.length + 1;
    expect(sampleValue(m, 'fedrec_received_bytes_total')).toBeGreaterThan(2 * 2 * words * 4);
    expect(sampleValue(m, 'fedrec_received_bytes_total')).toBeLessThanOrEqual(c.sessions.receivedBytes);
    expect(sampleValue(m, 'fedrec_rejections_total', { code: ErrorCodes.MALFORMED_FRAME })).toBe(1);
    // The process itself (prom-client's default metrics, in this coordinator's registry).
    expect(sampleValue(m, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(m.get('nodejs_heap_size_used_bytes')?.type).toBe('gauge');
    // Nothing per client: no sample carries a client id.
    for (const f of m.values()) for (const s of f.samples) expect(Object.values(s.labels).join(' ')).not.toMatch(/client-\d/);
  });

  it('a noise-free run says ε = +Inf (no budget: +Inf too), as /privacy says ∞ with null', async () => {
    const c = await h.coordinator({ rounds: 1, minClients: 2, clientsPerRound: 2, roundDeadlineMs: 10_000, evaluation: { every: 0 } });
    const done = new Promise((r) => c.engine.once('done', r));
    for (let k = 0; k < 2; k++) void h.client(c.url, k).run().catch(() => {});
    await done;
    const m = await scrape(c.httpUrl);
    const privacy = await (await fetch(`${c.httpUrl}/privacy`)).json();
    expect(privacy).toMatchObject({ epsilon: null, noiseFree: true });
    expect(sampleValue(m, 'fedrec_privacy_epsilon_spent')).toBe(Infinity);
    expect(sampleValue(m, 'fedrec_privacy_epsilon_budget')).toBe(Infinity);
    expect(sampleValue(m, 'fedrec_noise_stddev')).toBe(0);
    expect(sampleValue(m, 'fedrec_rounds_total', { outcome: 'committed' })).toBe(1);
  });

  it('two coordinators in one process keep their own series', async () => {
    const a = await h.coordinator();
    const b = await h.coordinator();
    const s = await h.socket(a.url);
    s.send('text'); // FEDREC_BINARY_REQUIRED, on a only
    await s.takeError();
    const [ma, mb] = await Promise.all([scrape(a.httpUrl), scrape(b.httpUrl)]);
    expect(sampleValue(ma, 'fedrec_rejections_total', { code: ErrorCodes.BINARY_REQUIRED })).toBe(1);
    expect(mb.get('fedrec_rejections_total')!.samples).toEqual([]);
    expect(sampleValue(ma, 'fedrec_received_bytes_total')).toBe(4);
    expect(sampleValue(mb, 'fedrec_received_bytes_total')).toBe(0);
  });
});

// The dashboard's state on its own, with fake sources: a bounded history, ∞ as null, rejections with
// a recent window, the open phase only while it is open, and the sentences the page and status say.

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PrivacySummary } from '../../shared/protocol/messages.js';
import type { RoundStatus, RoundSummary } from '../engine-types.js';
import { waitingFor } from './snapshot.js';
import { DashboardState } from './state.js';

const status: RoundStatus = { round: 0, phase: 'idle', open: false, seed: null, samplingRate: 0, modelVersion: 0, registered: 4, available: 1, minClients: 3 };
const privacy = { aggregation: 'secure', clipNorm: 1, noiseMultiplier: 1, samplingRate: 1, roundsDone: 0, epsilon: 0, delta: 1e-5, budget: { epsilon: 8, delta: 1e-5 }, mechanism: '' } as PrivacySummary;

function summary(round: number, epsilon: number): RoundSummary {
  return { round, committed: true, sampled: 4, reported: 3, dropped: 1, late: 0, declined: 0, rejected: 0, clippedFraction: null, meanUpdateNorm: null, aggregation: 'secure', secure: null, abandonedBy: null, clipNorm: 1, noiseStddev: 1.2, seconds: 2.5, modelVersion: round, epsilon, evaluation: round === 2 ? { clients: 3, hr10: 0.5, ndcg10: 0.25 } : null };
}

function setup(limit?: number) {
  const sources = { status: () => ({ ...status }), privacy: () => ({ ...privacy }), sessions: { joined: 1, rejections: new Map<string, number>() }, plannedRounds: 10 };
  const state = new DashboardState(sources, limit);
  return { sources, state };
}

afterEach(() => vi.useRealTimers());

describe('DashboardState', () => {
  it('keeps the last rounds only, oldest first, with ∞ as null', () => {
    const { state } = setup(3);
    for (let r = 1; r <= 5; r++) state.onRound(summary(r, r === 5 ? Infinity : r / 10));
    const s = state.snapshot();
    expect(s.rounds.map((r) => [r.round, r.epsilon])).toEqual([[3, 0.3], [4, 0.4], [5, null]]);
    expect(s.rounds[0]).toMatchObject({ reported: 3, sampled: 4, dropped: 1, seconds: 2.5, noiseStddev: 1.2 });
    state.close();
  });

  it('counts rejections since start and within the recent window', () => {
    vi.useFakeTimers();
    const { sources, state } = setup();
    sources.sessions.rejections.set('FEDREC_NOT_SELECTED', 2);
    expect(state.snapshot().rejections).toEqual([{ code: 'FEDREC_NOT_SELECTED', total: 2, recent: 2 }]);
    vi.advanceTimersByTime(11 * 60_000);
    sources.sessions.rejections.set('FEDREC_NOT_SELECTED', 3);
    sources.sessions.rejections.set('FEDREC_LATE_UPDATE', 1);
    expect(state.snapshot().rejections).toEqual([
      { code: 'FEDREC_NOT_SELECTED', total: 3, recent: 1 },
      { code: 'FEDREC_LATE_UPDATE', total: 1, recent: 1 },
    ]);
    state.close();
  });

  it('says what the coordinator waits for, and the open phase only while it is open', () => {
    const { sources, state } = setup();
    expect(waitingFor(state.snapshot())).toBe('waiting for clients: 1 of 3 connected');
    state.onPhaseOpen({ round: 1, task: 'train', selected: 4 });
    sources.status = () => ({ ...status, round: 1, phase: 'train', open: true });
    expect(waitingFor(state.snapshot())).toBe('round 1 training: waiting for updates from 4 selected clients');
    sources.status = () => ({ ...status, round: 1, phase: 'idle', open: false, available: 4 });
    expect(state.snapshot().openPhase).toBeNull();
    expect(waitingFor(state.snapshot())).toBe('between rounds: 4 clients available, the next round opens shortly');
    sources.status = () => ({ ...status, round: 7, phase: 'budget-exhausted', modelVersion: 7 });
    expect(waitingFor(state.snapshot())).toBe('finished: the privacy budget is spent (last round 7, model v7)');
    state.close();
  });
});

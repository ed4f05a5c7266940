import { describe, expect, it } from 'vitest';
import { silentNodeLogger } from '../shared/node/logger.js';
import { computeRdp, DEFAULT_ORDERS, rdpToEpsilon } from '../shared/privacy/rdp.js';
import { runSimulation, simulationDefaults } from './simulate.js';

const quiet = silentNodeLogger();
const small = { ...simulationDefaults, data: 'synthetic:users=120,items=80', clientsPerRound: null, evalClients: 120, workers: 2, concurrency: 8, deadlineMs: 60_000 };

describe('fedrec simulate (real coordinator, real clients in worker threads)', () => {
  it('runs rounds over loopback and reports per-round and final quality', async () => {
    const r = await runSimulation({ ...small, rounds: 3 }, quiet, quiet, quiet);
    expect(r.rounds.map((x) => x.round)).toEqual([1, 2, 3]);
    for (const round of r.rounds) {
      expect(round.participants).toBe(r.config.users);
      expect(round.hr10).toBeGreaterThanOrEqual(0);
      expect(round.evaluatedClients).toBe(r.config.users);
      expect(round.seconds).toBeGreaterThan(0);
    }
    expect(r.final.hr10).toBe(r.rounds[2].hr10);
    expect(r.final.epsilon).toBeNull(); // no noise: no guarantee, and it says so
    expect(r.final.stoppedBy).toBe('rounds');
  });

  it.each(['checkin', 'persistent'] as const)('gives every user a round with a %s fleet', async (fleet) => {
    const r = await runSimulation({ ...small, rounds: 2, fleet, evalEvery: 2 }, quiet, quiet, quiet);
    expect(r.config.fleet).toBe(fleet);
    expect(r.rounds.map((x) => [x.participants, x.committed])).toEqual([[120, true], [120, true]]);
    expect(r.rounds[1].evaluatedClients).toBe(120);
  });

  it('stops at the privacy budget', async () => {
    const z = 1.2, delta = 1e-5;
    const eps = (t: number) => rdpToEpsilon(DEFAULT_ORDERS, computeRdp(1, z, t, DEFAULT_ORDERS), delta).epsilon;
    const budget = { epsilon: (eps(2) + eps(3)) / 2, delta };
    const r = await runSimulation({ ...small, rounds: 10, noiseMultiplier: z, clip: 1, budget, delta, evalEvery: 0 }, quiet, quiet, quiet);
    expect(r.rounds.length).toBe(2);
    expect(r.final.stoppedBy).toBe('budget');
    expect(r.final.epsilon).toBeCloseTo(eps(2), 10);
  });
});

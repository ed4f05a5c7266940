import { describe, expect, it } from 'vitest';
import { planSimulation, simulationDefaults } from './simulate.js';

describe('planSimulation', () => {
  it('gives secure stages the round deadline: simulated devices that wait for CPU are not dropouts', async () => {
    const { config } = await planSimulation({ ...simulationDefaults, data: 'synthetic:users=50,items=20', deadlineMs: 123_000 });
    expect(config.secureAggregation.stageDeadlineMs).toBe(123_000);
    expect(config.roundDeadlineMs).toBe(123_000);
    expect(config.limits.heartbeatTimeoutMs).toBe(123_000);
  });
});

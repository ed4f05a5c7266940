import { describe, expect, it, vi } from 'vitest';
import { main } from './main.js';
import { runPrivacyCommand } from './privacy-command.js';

async function run(argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runPrivacyCommand(argv, (l) => lines.push(l));
  return { code, lines };
}

describe('fedrec privacy', () => {
  it('prints ε and the optimal order for a planned run', async () => {
    // TF Privacy compute_dp_sgd_privacy_test, Test0: n=60000, batch=150, z=1.3, 15 epochs, δ=1e-5.
    const { code, lines } = await run(['--sampling-rate', '0.0025', '--noise-multiplier', '1.3', '--rounds', '6000', '--delta', '1e-5']);
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]);
    expect(Object.keys(out)).toEqual(['epsilon', 'order']);
    expect(out.epsilon).toBeCloseTo(0.7242234026109595, 9);
    expect(out.order).toBe(19);
  });

  it('honours --conversion classic (and tolerates a leading "privacy")', async () => {
    const args = ['privacy', '--sampling-rate=0.0025', '--noise-multiplier=1.3', '--rounds=6000', '--delta=1e-5'];
    const { code, lines } = await run([...args, '--conversion', 'classic']);
    expect(code).toBe(0);
    expect(JSON.parse(lines[0]).epsilon).toBeCloseTo(0.941870567, 8); // TF Privacy compute_noise_from_budget_test
  });

  it('calibrates the noise multiplier for --target-epsilon', async () => {
    const { code, lines } = await run(['--sampling-rate', '0.0025', '--target-epsilon', '0.7242234026109595', '--rounds', '6000', '--delta', '1e-5']);
    expect(code).toBe(0);
    const out = JSON.parse(lines[0]);
    expect(Object.keys(out)).toEqual(['noiseMultiplier', 'epsilon']);
    expect(out.noiseMultiplier).toBeCloseTo(1.3, 5);
    expect(out.epsilon).toBeLessThanOrEqual(0.7242234026109595);
  });

  it.each([
    [['--sampling-rate', '2', '--noise-multiplier', '1', '--rounds', '10', '--delta', '1e-5'], '--sampling-rate'],
    [['--sampling-rate', 'abc', '--noise-multiplier', '1', '--rounds', '10', '--delta', '1e-5'], '--sampling-rate'],
    [['--sampling-rate', '0.1', '--noise-multiplier', '-1', '--rounds', '10', '--delta', '1e-5'], '--noise-multiplier'],
    [['--sampling-rate', '0.1', '--noise-multiplier', '1', '--rounds', '2.5', '--delta', '1e-5'], '--rounds'],
    [['--sampling-rate', '0.1', '--noise-multiplier', '1', '--rounds', '10'], '--delta'],
    [['--sampling-rate', '0.1', '--rounds', '10', '--delta', '1e-5'], '--noise-multiplier'],
    [['--sampling-rate', '0.1', '--noise-multiplier', '1', '--target-epsilon', '1', '--rounds', '10', '--delta', '1e-5'], '--target-epsilon'],
    [['--sampling-rate', '0.1', '--noise-multiplier', '1', '--rounds', '10', '--delta', '1e-5', '--conversion', 'rdp'], '--conversion'],
    [['--sampling-rate', '0.1', '--noise-multiplier', '1', '--rounds', '10', '--delta', '1e-5', '--epsilon', '3'], '--epsilon'],
    [['--sampling-rate', '0.1', '--noise-multiplier', '1', '--rounds', '10', '--delta'], '--delta'],
  ])('rejects %j with exit code 2 and a one-line error naming %s', async (argv, flag) => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.map(String).join(' ')));
    try {
      expect(await main(['privacy', ...argv])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]).not.toContain('\n');
    expect(errors[0]).toMatch(/^fedrec privacy: FEDREC_USAGE: /);
    expect(errors[0]).toContain(flag);
  });

  it('suggests the flag meant', async () => {
    await expect(runPrivacyCommand(['--sampling-rat', '0.1'], () => {})).rejects.toThrow('unknown flag --sampling-rat; did you mean --sampling-rate?');
    await expect(runPrivacyCommand(['--epsilon', '3'], () => {})).rejects.toThrow('did you mean --target-epsilon?');
  });

  it('prints its usage for -h and --help', async () => {
    for (const flag of ['-h', '--help']) {
      const { code, lines } = await run([flag]);
      expect(code).toBe(0);
      expect(lines[0]).toMatch(/^fedrec privacy --sampling-rate Q/);
    }
  });
});

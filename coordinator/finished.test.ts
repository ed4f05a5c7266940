// A finished coordinator tells its devices so and stays up: `fedrec coordinator --rounds 1` run as an
// operator would, two real clients, then GET /round and /privacy still answer and Ctrl-C stops it.

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fedrecBin } from '../test-helpers/run-cli.js';
import { useHarness } from '../test-helpers/harness.js';
import { freePort } from '../test-helpers/free-port.js';

const h = useHarness();

describe('a finished coordinator', () => {
  it('tells connected devices it is done (they stop with "done"), keeps serving, and stops on SIGINT', async () => {
    const port = await freePort();
    // Ids 1..160 cover the tiny datasets' items (100..159).
    const proc = spawn(process.execPath, [fedrecBin, 'coordinator', '--items', '160', '--dim', '8', '--port', String(port), '--rounds', '1', '--min-clients', '2', '--clients-per-round', '2', '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    proc.stderr!.on('data', (d) => (log += d));
    const exited = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
    try {
      const url = `ws://127.0.0.1:${port}`;
      for (let i = 0; i < 100 && !log.includes('"event":"listening"'); i++) await new Promise((r) => setTimeout(r, 50));
      const ends = await Promise.all([0, 1].map((k) => h.client(url, k).run()));
      expect(ends).toEqual(['done', 'done']);
      expect(log).toContain('"event":"finished"');
      const round = await (await fetch(`http://127.0.0.1:${port}/round`)).json();
      expect(round).toMatchObject({ phase: 'done', modelVersion: 1 });
      expect((await fetch(`http://127.0.0.1:${port}/privacy`)).ok).toBe(true);
      // A device joining now hears "done" at once instead of waiting for an offer.
      expect(await h.client(url, 2).run()).toBe('done');
      const sent = Date.now();
      proc.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(Date.now() - sent).toBeLessThan(2_000);
    } finally {
      proc.kill('SIGKILL');
    }
  });
});

// README "Watching a coordinator", run verbatim: each `<!-- walkthrough:watching…:PART -->` block is
// read from README.md and run by bash in a fresh directory, `npx fedrec` going to this checkout's build
// (a shim first on PATH). The coordinator stays up while `after` runs; the status the README prints
// must be what the command prints (the clock aside).

import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repo, useReadmeShell, walkthroughBlocks as blocks } from '../test-helpers/readme-shell.js';
import { STACK_LINE } from '../test-helpers/run-cli.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const hasCurl = spawnSync('curl', ['--version']).status === 0;

const shell = useReadmeShell('fedrec-watching-', afterEach);
const freshDir = () => shell.fresh();
const bash = (line: string, env: NodeJS.ProcessEnv) => shell.run(line, env);

/** Runs setup, starts the coordinator, runs `after`; returns each `after` line's output, in order. */
async function run(name: string): Promise<string[]> {
  const parts = blocks(await readFile(join(repo, 'README.md'), 'utf8'), name);
  expect(parts.coordinator, `README block walkthrough:${name}:coordinator`).toHaveLength(1);
  expect(parts.after, `README block walkthrough:${name}:after`).toBeDefined();
  const env = await freshDir();
  for (const line of parts.setup ?? []) expect(await bash(line, env).exited, line).toBe(0);
  const c = bash(parts.coordinator[0], env);
  shell.keep(c.child);
  for (let i = 0; i < 200 && !c.output().includes('"event":"listening"'); i++) await new Promise((r) => setTimeout(r, 50));
  expect(c.output()).toContain('"event":"listening"');
  const outputs: string[] = [];
  for (const line of parts.after) {
    const p = bash(line, env);
    expect(await p.exited, `${line}\n${p.output()}`).toBe(0);
    expect(p.output(), line).not.toMatch(STACK_LINE);
    outputs.push(p.output());
  }
  c.child.kill('SIGINT');
  expect(await c.exited).toBe(0);
  shell.keep(null);
  return outputs;
}

describe('README: watching a coordinator, verbatim', () => {
  it.skipIf(!hasCurl)('metrics and fedrec status on loopback, as the README shows them', async () => {
    const [metrics, status] = await run('watching');
    expect(metrics.trim().split('\n')).toEqual(['fedrec_rounds_total{outcome="committed"} 0', 'fedrec_rounds_total{outcome="abandoned"} 0']);
    // The README's sample output, line for line; only the clock in the first line differs.
    const readme = await readFile(join(repo, 'README.md'), 'utf8');
    const sample = /<!-- walkthrough:watching:after -->\s*```sh\n[\s\S]*?```\s*```\n([\s\S]*?)```/.exec(readme)![1].trimEnd().split('\n');
    const printed = status.trimEnd().split('\n');
    const clock = (l: string) => l.replace(/, [^,]+$/, ', CLOCK');
    expect([clock(printed[0]), ...printed.slice(1)]).toEqual([clock(sample[0]), ...sample.slice(1)]);
  }, 60_000);

  it.skipIf(!hasCurl || !hasOpenssl)('behind an operator token: curl and status with it, status refused without it', async () => {
    const [metrics, json, refused] = await run('watching-token');
    expect(metrics).toContain('fedrec_privacy_epsilon_spent 0');
    expect(metrics).toContain('fedrec_privacy_epsilon_budget +Inf');
    expect(JSON.parse(json)).toMatchObject({ plannedRounds: 5, status: { phase: 'idle' }, clients: { minClients: 2 } });
    expect(refused).toMatch(/^fedrec status: FEDREC_UNAUTHORIZED: http:\/\/127\.0\.0\.1:8790 needs the operator token: give --token-file FILE/);
    expect(refused.trimEnd().endsWith('refused: no token')).toBe(true);
  }, 60_000);
});

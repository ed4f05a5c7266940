// Every README block that runs `fedrec simulate` or `fedrec baseline` (the long jobs behind the quality,
// privacy–utility and distributed-DP figures), run verbatim by bash from the project root with
// --dry-run appended to those two commands: the flags, values, data paths, output paths and the
// coordinator configuration are all checked as the real run would check them, so the README cannot
// drift from the code. The short commands are run for real by the walk-through tests.

import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bash, repo, shellDir } from '../test-helpers/readme-shell.js';
import { STACK_LINE } from '../test-helpers/run-cli.js';

/** ```sh blocks that call fedrec only as simulate or baseline (walk-through blocks are run elsewhere). */
function longJobBlocks(readme: string): string[] {
  const blocks: string[] = [];
  for (const m of readme.matchAll(/(<!-- walkthrough:[^>]*-->\s*)?```sh\n([\s\S]*?)```/g)) {
    if (m[1]) continue;
    const calls = [...m[2].matchAll(/npx fedrec (\w+)/g)].map((c) => c[1]);
    if (calls.length > 0 && calls.every((c) => c === 'simulate' || c === 'baseline')) blocks.push(m[2].trim());
  }
  return blocks;
}

const readme = await readFile(join(repo, 'README.md'), 'utf8');
const blocks = longJobBlocks(readme);
const hasData = existsSync(join(repo, '../shared/data/ml-latest-small/ratings.csv'));
let shim: { dir: string; env: NodeJS.ProcessEnv } | null = null;

beforeAll(async () => {
  shim = await shellDir('fedrec-readme-commands-', { dryRun: true });
});
afterAll(async () => {
  if (shim) await rm(shim.dir, { recursive: true, force: true });
});

describe('README long-job commands (dry run)', () => {
  it('finds the blocks: the main job, quality, privacy–utility, small population, distributed DP', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  const run = async (block: string) => {
    const p = bash(block, repo, shim!.env);
    const code = await p.exited;
    const out = p.output();
    expect(out).not.toMatch(STACK_LINE);
    expect(code, `${block}\n${out}`).toBe(0);
    // One plan per fedrec call that ran (a loop runs its call once per value).
    const plans = out.split('\n').filter((l) => l.startsWith('{"dryRun":true'));
    expect(plans.length, out).toBeGreaterThanOrEqual((block.match(/npx fedrec (simulate|baseline)/g) ?? []).length);
  };
  const title = (b: string) => b.split('\n').find((l) => l.includes('npx fedrec'))!.trim().slice(0, 90);
  const own = blocks.filter((b) => !b.includes('../shared/data'));
  const withData = blocks.filter((b) => b.includes('../shared/data'));

  it.each(own.map((b) => [title(b), b]))('%s', async (_t, block) => run(block), 120_000);

  it.skipIf(!hasData).each(withData.map((b) => [title(b), b]))('%s (reads ../shared/data/ml-latest-small; skipped when it is absent)', async (_t, block) => run(block), 120_000);
});

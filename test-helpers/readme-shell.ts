// Running README blocks verbatim: the ```sh blocks tagged `<!-- walkthrough:NAME:PART -->`, each line
// run by bash in a fresh directory where `npx fedrec` goes to this checkout's build (a shim `npx` first
// on PATH) and `examples/` is this checkout's.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('..', import.meta.url));

/** The command lines of every block tagged walkthrough:NAME:PART, by PART (comment lines dropped). */
export function walkthroughBlocks(readme: string, name: string): Record<string, string[]> {
  const parts: Record<string, string[]> = {};
  for (const m of readme.matchAll(new RegExp(`<!-- walkthrough:${name}:(\\w+) -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\``, 'g'))) {
    parts[m[1]] = m[2].split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  }
  return parts;
}

/**
 * A fresh directory with examples/ linked and the environment whose `npx fedrec` is this build.
 * `dryRun`: `fedrec simulate` and `fedrec baseline` get --dry-run (every check, no long work), and
 * `npm ci` is a no-op (the tests run after it).
 */
export async function shellDir(prefix: string, o: { dryRun?: boolean } = {}): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await symlink(join(repo, 'examples'), join(dir, 'examples'));
  const bin = join(dir, '.shim');
  await mkdir(bin);
  const realNpx = spawnSync('sh', ['-c', 'command -v npx']).stdout.toString().trim();
  const fedrec = `"${process.execPath}" "${join(repo, 'bin/fedrec.js')}"`;
  const dry = o.dryRun ? `if [ "$1" = simulate ] || [ "$1" = baseline ]; then exec ${fedrec} "$@" --dry-run; fi\n` : '';
  await writeFile(join(bin, 'npx'), `#!/bin/sh\nif [ "$1" = fedrec ]; then shift; ${dry}exec ${fedrec} "$@"; fi\nexec "${realNpx}" "$@"\n`);
  await chmod(join(bin, 'npx'), 0o755);
  if (o.dryRun) {
    const realNpm = spawnSync('sh', ['-c', 'command -v npm']).stdout.toString().trim();
    await writeFile(join(bin, 'npm'), `#!/bin/sh\nif [ "$1" = ci ]; then exit 0; fi\nexec "${realNpm}" "$@"\n`);
    await chmod(join(bin, 'npm'), 0o755);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  delete env.FEDREC_LOG_LEVEL; // people see the default logs
  return { dir, env };
}

export interface Shell {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** One README line, run by bash in `dir`; stdout and stderr together. */
export function bash(line: string, dir: string, env: NodeJS.ProcessEnv): Shell {
  const child = spawn('bash', ['-c', line], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out, exited: new Promise((r) => child.on('close', (code) => r(code))) };
}

/**
 * A test file's README shell: a fresh directory per test (removed afterwards, with any coordinator
 * still running in it killed), and bash lines run there.
 */
export function useReadmeShell(prefix: string, afterEach: (fn: () => Promise<void>) => void) {
  let dir = '';
  let coordinator: ChildProcess | null = null;
  afterEach(async () => {
    coordinator?.kill('SIGKILL');
    coordinator = null;
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = '';
  });
  return {
    get dir(): string {
      return dir;
    },
    async fresh(): Promise<NodeJS.ProcessEnv> {
      const made = await shellDir(prefix);
      dir = made.dir;
      return made.env;
    },
    run: (line: string, env: NodeJS.ProcessEnv): Shell => bash(line, dir, env),
    /** The long-running coordinator of this test: killed after it if the test did not stop it. */
    keep(child: ChildProcess | null): void {
      coordinator = child;
    },
  };
}

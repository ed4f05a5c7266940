// Runs the built `fedrec` command as a user would (node bin/fedrec.js …, which loads dist/: the test
// command compiles first) and collects its exit code and output.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const fedrecBin = fileURLToPath(new URL('../bin/fedrec.js', import.meta.url));

export type CliResult = { code: number | null; stdout: string; stderr: string };

export function runCli(args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fedrecBin, ...args], {
      cwd: o.cwd,
      env: { ...process.env, FEDREC_DEBUG: '', FEDREC_LOG_LEVEL: 'silent', ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fedrec ${args.join(' ')} did not exit within ${o.timeoutMs ?? 20_000} ms; stderr: ${stderr}`));
    }, o.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A stack frame line, which a user-facing error must never show. */
export const STACK_LINE = /^\s{4}at /m;

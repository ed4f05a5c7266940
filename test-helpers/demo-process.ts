// Runs `fedrec demo` as a person would (the built CLI, spawned) and hands back the address it prints,
// for tests that drive it over HTTP or with a browser.

import { type ChildProcess, spawn } from 'node:child_process';
import { fedrecBin } from './run-cli.js';

export interface DemoProcess {
  child: ChildProcess;
  /** http://127.0.0.1:PORT/, read from the start line. */
  url: string;
  startLine: string;
  /** Everything written to stderr so far (the JSON log). */
  stderr(): string;
  /** Sends SIGINT and resolves with the exit code and how long the exit took. */
  interrupt(): Promise<{ code: number | null; ms: number }>;
}

export function startDemoProcess(args: string[], timeoutMs = 30_000): Promise<DemoProcess> {
  const child = spawn(process.execPath, [fedrecBin, 'demo', '--log-format', 'json', ...args], {
    env: { ...process.env, FEDREC_DEBUG: '', FEDREC_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fedrec demo printed no address within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`fedrec demo exited (${code}) before printing its address; stdout: ${stdout} stderr: ${stderr.slice(-2000)}`));
    });
    child.stdout!.on('data', (d) => {
      stdout += d;
      const line = stdout.split('\n').find((l) => /http:\/\/127\.0\.0\.1:\d+\//.test(l));
      if (!line) return;
      clearTimeout(timer);
      resolve({
        child,
        url: /http:\/\/127\.0\.0\.1:\d+\//.exec(line)![0],
        startLine: line,
        stderr: () => stderr,
        async interrupt() {
          const started = Date.now();
          if (child.exitCode === null) child.kill('SIGINT');
          const code = await exited;
          return { code, ms: Date.now() - started };
        },
      });
    });
  });
}

// `fedrec client --ca / --insecure`, in-process: the refusal of ws:// beyond loopback comes before any
// connection, and a --ca that is not a file is a usage error.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ErrorCodes } from '../../shared/protocol/errors.js';
import { useHarness } from '../../test-helpers/harness.js';
import { runClientCommand } from './cli.js';

const h = useHarness();

async function consentingStateDir(): Promise<{ dir: string; history: string }> {
  const dir = await h.tempDir('fedrec-client-');
  const history = join(dir, 'history.csv');
  await writeFile(history, 'item_id,timestamp,kind\n1,1,view\n2,2,purchase\n');
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  await runClientCommand(['consent', '--state-dir', join(dir, 'state'), '--grant']);
  log.mockRestore();
  return { dir: join(dir, 'state'), history };
}

describe('fedrec client transport flags', () => {
  it('refuses ws:// to a host that is not loopback with FEDREC_INSECURE_TRANSPORT', async () => {
    const { dir, history } = await consentingStateDir();
    await expect(runClientCommand(['--server', 'ws://recs.example.org:8787', '--history', history, '--state-dir', dir, '--log-format', 'json'])).rejects.toMatchObject({ code: ErrorCodes.INSECURE_TRANSPORT });
  });

  it('--ca must name a readable file', async () => {
    const { dir, history } = await consentingStateDir();
    await expect(runClientCommand(['--server', 'wss://127.0.0.1:1', '--ca', join(dir, 'missing.pem'), '--history', history, '--state-dir', dir])).rejects.toThrow(/--ca/);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentNodeLogger } from '../shared/node/logger.js';
import { ErrorCodes } from '../shared/protocol/errors.js';
import { RawSocket } from '../test-helpers/raw-socket.js';
import { tinyItemIds } from '../test-helpers/tiny.js';
import { resolveConfig } from './config.js';
import { startCoordinator, type RunningCoordinator } from './coordinator.js';

let running: RunningCoordinator | null = null;
const sockets: RawSocket[] = [];
let dir = '';
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await running?.close();
  running = null;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('closed registration (enrolled devices only)', () => {
  it('refuses an unknown client id with FEDREC_UNKNOWN_CLIENT and registers nothing; enrolled ids join', async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedrec-enrol-'));
    await writeFile(join(dir, 'registry.json'), JSON.stringify({ clients: ['device-1', 'device-2'] }));
    const config = resolveConfig({ port: 0, stateDir: dir, registration: 'closed', minClients: 5, model: { dim: 4 } });
    running = await startCoordinator({ config, logger: silentNodeLogger(), itemIds: tinyItemIds });
    const stranger = await RawSocket.connect(running.url);
    sockets.push(stranger);
    stranger.sendMessage({ type: 'join', protocol: 1, clientId: 'stranger', mode: 'persistent', capabilities: { tasks: ['train'] } });
    expect((await stranger.takeError()).code).toBe(ErrorCodes.UNKNOWN_CLIENT);
    expect(running.engine.status().registered).toBe(2);
    expect(running.sessions.joined).toBe(0);

    const device = await RawSocket.connect(running.url);
    sockets.push(device);
    expect((await device.join('device-1')).type).toBe('welcome');
    expect(running.sessions.joined).toBe(1);
  });

  it('open registration (the default) registers new ids', async () => {
    running = await startCoordinator({ config: resolveConfig({ port: 0, model: { dim: 4 }, minClients: 5 }), logger: silentNodeLogger(), itemIds: tinyItemIds });
    const s = await RawSocket.connect(running.url);
    sockets.push(s);
    await s.join('new-device');
    expect(running.engine.status().registered).toBe(1);
  });
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../shared/protocol/errors.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { useHarness } from '../test-helpers/harness.js';

const h = useHarness();

describe('closed registration (enrolled devices only)', () => {
  it('refuses an unknown client id with FEDREC_UNKNOWN_CLIENT and registers nothing; enrolled ids join', async () => {
    const dir = await h.tempDir('fedrec-enrol-');
    await writeFile(join(dir, 'registry.json'), JSON.stringify({ clients: ['device-1', 'device-2'] }));
    const running = await h.coordinator({ stateDir: dir, registration: 'closed', minClients: 5, model: { dim: 4 } });
    const stranger = await h.socket(running.url);
    stranger.sendMessage({ type: 'join', protocol: PROTOCOL_VERSION, clientId: 'stranger', mode: 'persistent', capabilities: { tasks: ['train'] } });
    expect((await stranger.takeError()).code).toBe(ErrorCodes.UNKNOWN_CLIENT);
    expect(running.engine.status().registered).toBe(2);
    expect(running.sessions.joined).toBe(0);

    const device = await h.socket(running.url);
    expect((await device.join('device-1')).type).toBe('welcome');
    expect(running.sessions.joined).toBe(1);
  });

  it('open registration (the default) registers new ids', async () => {
    const running = await h.coordinator({ model: { dim: 4 }, minClients: 5 });
    const s = await h.socket(running.url);
    await s.join('new-device');
    expect(running.engine.status().registered).toBe(1);
  });
});

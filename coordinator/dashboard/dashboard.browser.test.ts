// The operator dashboard in Chromium (npm run test:browser) against a real coordinator and real
// clients: the round count rises live without a reload, the charts and tables fill, nothing breaks
// the strict CSP, and a screenshot goes to results/screenshots/dashboard.png. A token-protected
// coordinator's dashboard shows no data without the token, and keeps it for the tab once given.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FedrecClient } from '../../client/fedrec-client.js';
import { nodeSocketFactory } from '../../client/node/ws-socket.js';
import { MemoryStore } from '../../client/store.js';
import { silentNodeLogger } from '../../shared/node/logger.js';
import { chromiumMissing, launchChromium, screenshotPath, watchPageErrors } from '../../test-helpers/chromium.js';
import { grantedConsent } from '../../test-helpers/cluster.js';
import { RawSocket } from '../../test-helpers/raw-socket.js';
import { tinyDataset, tinyItemIds } from '../../test-helpers/tiny.js';
import { resolveConfig } from '../config.js';
import { startCoordinator, type RunningCoordinator } from '../coordinator.js';
import type { RoundSummary } from '../round-engine.js';
// @ts-expect-error: a plain ESM build script without type declarations
import { buildDashboard } from '../../scripts/build-dashboard.mjs';

const TOKEN = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
let tmp = '';
let browser: Browser;
const stops: (() => unknown)[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'fedrec-dashboard-'));
  await buildDashboard({ outDir: path.join(tmp, 'dashboard') });
  if (!chromiumMissing) browser = await launchChromium();
});
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});
afterAll(async () => {
  await browser?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function coordinator(patch: Parameters<typeof resolveConfig>[0]): Promise<RunningCoordinator> {
  const config = resolveConfig({ port: 0, model: { dim: 8 }, ...patch });
  const c = await startCoordinator({ config, logger: silentNodeLogger(), itemIds: tinyItemIds, dashboardDir: path.join(tmp, 'dashboard') });
  stops.push(() => c.close());
  return c;
}

function clients(c: RunningCoordinator, n: number): void {
  for (let k = 0; k < n; k++) {
    const client = new FedrecClient({ url: c.url, socketFactory: nodeSocketFactory(), store: new MemoryStore(), data: tinyDataset(k), seed: 1, clientId: `client-${k}`, consent: grantedConsent });
    stops.push(() => client.stop());
    void client.run().catch(() => {});
  }
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  stops.push(() => context.close());
  return context.newPage();
}

const text = async (page: Page, id: string) => ((await page.getByTestId(id).textContent()) ?? '').trim();

describe.skipIf(chromiumMissing)('the coordinator dashboard in Chromium', () => {
  it('follows a run live: the round count rises without a reload, charts and tables fill, CSP holds', async () => {
    const budget = { epsilon: 40, delta: 1e-5 };
    const c = await coordinator({ rounds: 5, minClients: 3, clientsPerRound: 3, roundDeadlineMs: 20_000, interRoundDelayMs: 1_200, noiseMultiplier: 0.9, round: { clipNorm: 1 }, serverOptimizer: { name: 'fedavg', lr: 1 }, privacy: { delta: 1e-5, budget }, evaluation: { every: 1, clientsPerRound: 3, deadlineMs: 20_000 } });
    const rounds: RoundSummary[] = [];
    c.engine.on('round', (s: RoundSummary) => rounds.push(s));
    const done = new Promise((r) => c.engine.once('done', r));
    const page = await newPage();
    const problems = watchPageErrors(page);
    const response = await page.goto(`${c.httpUrl}/dashboard`);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect.poll(() => text(page, 'phase')).toBe('waiting for clients: 0 of 3 connected');
    expect(await text(page, 'round')).toBe('0');

    // A refused frame, for the rejections table.
    const raw = await RawSocket.connect(c.url);
    raw.send('not binary');
    await raw.takeError();
    raw.close();
    clients(c, 3);
    // The page is never reloaded: every value below arrived by polling.
    const seen = new Set<number>();
    while (!(await Promise.race([done.then(() => true), new Promise((r) => setTimeout(() => r(false), 150))]))) seen.add(Number(await text(page, 'round')));
    await expect.poll(() => text(page, 'phase'), { timeout: 5_000 }).toMatch(/^finished: all rounds done \(last round 5, model v5\)/);
    seen.add(Number(await text(page, 'round')));
    expect([...seen].filter((r) => r > 0).length, `round values seen: ${[...seen]}`).toBeGreaterThanOrEqual(3);
    expect(Math.max(...seen)).toBe(5);

    await expect.poll(() => page.locator('[data-testid="rounds-table"] tbody tr').count()).toBe(5);
    expect(await page.locator('.uplot').count()).toBe(4);
    expect(await text(page, 'clients')).toMatch(/^[0-3]$/);
    const privacy = await (await fetch(`${c.httpUrl}/privacy`)).json();
    expect(await text(page, 'epsilon')).toBe(String(Number(privacy.epsilon.toPrecision(3))));
    expect(await page.locator('#epsilon-note').textContent()).toContain(`of ${budget.epsilon}`);
    expect(await text(page, 'evaluation')).toBe(rounds[4].evaluation!.hr10.toFixed(3));
    expect(await page.locator('#rejections').textContent()).toContain('FEDREC_BINARY_REQUIRED');
    await page.screenshot({ path: await screenshotPath('dashboard'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('behind an operator token: no data without it; ?token= once, then kept for the tab only', async () => {
    const file = path.join(tmp, 'admin.token');
    await writeFile(file, `${TOKEN}\n`);
    const c = await coordinator({ adminTokenFile: file });
    const page = await newPage();
    await page.goto(`${c.httpUrl}/dashboard`);
    await expect.poll(() => text(page, 'banner')).toMatch(/^FEDREC_UNAUTHORIZED: .*\/dashboard\?token=TOKEN/);
    expect(await page.locator('#board').isHidden()).toBe(true);
    expect(await page.evaluate(async () => (await fetch('/dashboard/state')).status)).toBe(401);

    await page.goto(`${c.httpUrl}/dashboard?token=${TOKEN}`);
    await expect.poll(() => text(page, 'phase')).toBe('waiting for clients: 0 of 2 connected');
    expect(page.url()).toBe(`${c.httpUrl}/dashboard`); // the token left the address bar
    expect(await page.locator('#banner').isHidden()).toBe(true);
    await page.reload();
    await expect.poll(() => text(page, 'round')).toBe('0');
    expect(await page.locator('#banner').isHidden()).toBe(true);

    // Another tab of another session starts without it.
    const stranger = await newPage();
    await stranger.goto(`${c.httpUrl}/dashboard`);
    await expect.poll(() => text(stranger, 'banner')).toMatch(/^FEDREC_UNAUTHORIZED/);
    // A wrong token is refused the same way, and forgotten.
    await stranger.goto(`${c.httpUrl}/dashboard?token=${TOKEN.replace(/.$/, 'x')}`);
    await expect.poll(() => text(stranger, 'banner')).toMatch(/^FEDREC_UNAUTHORIZED: the operator token does not match/);
    expect(await stranger.evaluate(() => sessionStorage.length)).toBe(0);
  });
});

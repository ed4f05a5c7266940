// The people's web app end to end (issue 9's "done when"): a real `fedrec demo` (the built CLI
// spawned on port 0, its printed address opened) with its 40 simulated clients, and two people, each
// in their own browser context (own IndexedDB). Both say yes on the consent screen (nothing leaves
// before), mark items and take part in a committed secure round beside the simulated clients; their
// recommendations show titles from GET /catalogue with reasons. Every WebSocket frame each page (its
// worker) sent is decoded and audited (test-helpers/frame-audit.ts): no marked item in clear, only
// masked updates. Then Alice pauses (her socket closes; no frame a second later while rounds go on),
// downloads her data (exactly what IndexedDB holds) and is forgotten (IndexedDB empty, her id gone
// from the demo's --state-dir registry.json). Screenshots go to results/screenshots/.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogueListing, ItemInfo } from '../../../shared/model/catalogue-listing.js';
import { decodeFrame } from '../../../shared/protocol/codec.js';
import { AppPerson, DESKTOP, PHONE } from '../../../test-helpers/app-person.js';
import { chromiumMissing, launchChromium } from '../../../test-helpers/chromium.js';
import { type DemoProcess, startDemoProcess } from '../../../test-helpers/demo-process.js';
import { auditSentFrames, type PrivateHistory } from '../../../test-helpers/frame-audit.js';
import { exampleFrames } from '../../../test-helpers/leaky-frames.js';
import { DEMO_DEFAULTS } from '../../../demo/settings.js';

const SIMULATED = DEMO_DEFAULTS.clients;
let stateDir = '';
let demo: DemoProcess;
let browser: Browser;
let listing: CatalogueListing;
let alice: AppPerson;
let bob: AppPerson;
/** What each person marked: ids above 100, so no round number or neighbour index can equal one. */
let marked: Map<AppPerson, ItemInfo[]>;

const round = async () => (await (await fetch(`${demo.url}round`)).json()) as { round: number; modelVersion: number; registered: number };
const registry = async () => (JSON.parse(await readFile(path.join(stateDir, 'registry.json'), 'utf8')) as { clients: string[] }).clients;
const demoRounds = () => demo.stderr().split('\n').filter((l) => l.includes('"event":"demo-round"')).map((l) => JSON.parse(l) as { round: number; committed: boolean; sampled: number; reported: number });
const history = (p: AppPerson): PrivateHistory => ({ items: marked.get(p)!.map((it) => ({ id: it.id, title: it.title! })), catalogue: listing.items.map((it) => it.id), dim: DEMO_DEFAULTS.dim });
const auditOf = (p: AppPerson) => auditSentFrames(p.sent.frames.map((f) => f.bytes), history(p));

describe('the frame audit the browser test relies on', () => {
  const h: PrivateHistory = { items: [120, 135, 150, 170, 199].map((id) => ({ id, title: `Made-up Title ${id} (1999)` })), catalogue: Array.from({ length: 200 }, (_, i) => i + 1), dim: DEMO_DEFAULTS.dim };

  it('passes what a masking device sends and flags every way of leaking the history', async () => {
    const { clean, leaks } = await exampleFrames(h);
    expect(auditSentFrames(clean, h).problems).toEqual([]);
    for (const [how, frame] of Object.entries(leaks)) expect(auditSentFrames([frame], h).problems, how).not.toEqual([]);
    // A plaintext update is non-zero exactly on the person's rows, and the audit says so.
    expect(auditSentFrames([leaks['a plaintext update']], h).problems).toEqual(expect.arrayContaining([expect.stringContaining('a plaintext update'), expect.stringContaining('non-zero on 5 item rows, 5 of them the person\'s')]));
    expect(auditSentFrames([leaks['a quantized update with noise but no masks']], h).problems.join('\n')).toMatch(/χ²|mean \|int32\|/);
  });
});

describe.skipIf(chromiumMissing !== null)('the people’s web app on a real fedrec demo, with two people', () => {
  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'fedrec-app-demo-'));
    demo = await startDemoProcess(['--port', '0', '--state-dir', stateDir]);
    listing = (await (await fetch(`${demo.url}catalogue`)).json()) as CatalogueListing;
    // Alice likes one genre, Bob another: items of a genre are one taste cluster of the synthetic data.
    const upper = listing.items.filter((it) => it.id > 100 && it.title && it.genres?.length);
    const genres = [...new Set(upper.map((it) => it.genres![0]))];
    const of = (genre: string, n: number) => upper.filter((it) => it.genres![0] === genre).slice(0, n);
    browser = await launchChromium();
    alice = await AppPerson.open(browser, 'alice', demo.url);
    bob = await AppPerson.open(browser, 'bob', demo.url);
    marked = new Map([[alice, of(genres[0], 5)], [bob, of(genres[1], 4)]]);
  });

  afterAll(async () => {
    await browser?.close();
    if (demo) {
      const { code } = await demo.interrupt();
      expect(code).toBe(0);
    }
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('asks first: the consent screen, and nothing leaves either device before the yes', async () => {
    for (const p of [alice, bob]) {
      await expect.poll(() => p.get('consent-screen').isVisible()).toBe(true);
      await expect.poll(() => p.text('consent-screen')).toContain('declares a privacy budget of ε = 250000 at δ = 1e-5');
    }
    await new Promise((r) => setTimeout(r, 1_500));
    for (const p of [alice, bob]) expect({ sockets: p.sent.sockets, frames: p.sent.frames }).toEqual({ sockets: [], frames: [] });
    await expect.poll(async () => (await round()).registered).toBe(SIMULATED);
    await alice.screenshot('app-consent');

    await alice.consent({ viewed: true, bought: true }, '300000');
    await bob.consent({ viewed: true, bought: false }, '');
    for (const p of [alice, bob]) await expect.poll(() => p.text('status')).toContain('Mark something');
  });

  it('both mark items and take part in a committed round beside the simulated clients', async () => {
    const before = (await round()).modelVersion;
    const [a, b] = [marked.get(alice)!, marked.get(bob)!];
    // Search by title; then the keyboard: Enter toggles a mark and the re-rendered list keeps the focus.
    await alice.mark(a[0].id, 'view', a[0].title!.toLowerCase());
    await alice.get('catalogue-search').fill(`#${a[1].id}`);
    await alice.get(`item-${a[1].id}-view`).focus();
    for (const pressed of ['true', 'false']) {
      await alice.page.keyboard.press('Enter');
      await expect.poll(() => alice.get(`item-${a[1].id}-view`).getAttribute('aria-pressed')).toBe(pressed);
      expect(await alice.page.evaluate(() => (document.activeElement as HTMLElement).dataset.testid)).toBe(`item-${a[1].id}-view`);
    }
    for (const it of a.slice(1, 4)) await alice.mark(it.id, 'view');
    await alice.mark(a[4].id, 'buy');
    for (const it of b.slice(0, 3)) await bob.mark(it.id, 'view');
    await bob.mark(b[3].id, 'buy'); // Bob lets only views train: this one must not leave either

    // A round both sent a masked update in, which the demo committed with all 40 + 2 devices.
    let common: number | undefined;
    await expect
      .poll(async () => {
        const [ra, rb] = await Promise.all([alice.clientState(), bob.clientState()]);
        const mine = new Set(rb?.ledger.map((e) => e.round));
        common = ra?.ledger.map((e) => e.round).find((r) => mine.has(r) && demoRounds().some((d) => d.round === r));
        return common;
      }, { timeout: 90_000, interval: 500 })
      .toBeDefined();
    expect(demoRounds().find((d) => d.round === common)).toMatchObject({ committed: true, sampled: SIMULATED + 2, reported: SIMULATED + 2 });
    for (const p of [alice, bob]) {
      const entry = (await p.clientState())!.ledger.find((e) => e.round === common)!;
      expect(entry.aggregation).toBe('secure');
      expect((await round()).modelVersion).toBeGreaterThan(Math.max(before, entry.modelVersion));
      await expect.poll(() => p.get('ledger-row').count()).toBeGreaterThan(0);
      expect(await p.text('ledger-row')).toContain('masked');
    }
    expect((await round()).registered).toBe(SIMULATED + 2);
  });

  it('recommends ten items with titles from GET /catalogue and reasons, computed on the device', async () => {
    const titles = new Set(listing.items.map((it) => it.title));
    for (const p of [alice, bob]) {
      await expect.poll(() => p.get('recommendation-1').isVisible(), { timeout: 30_000 }).toBe(true);
      const mine = marked.get(p)!.map((it) => it.title!);
      const rows = await p.get('recommendations').locator('li.rec').evaluateAll((lis) => lis.map((li) => ({ title: li.querySelector('.title')!.textContent!, why: li.querySelector('.why')!.textContent! })));
      expect(rows).toHaveLength(10);
      for (let rank = 1; rank <= 10; rank++) expect(await p.get(`recommendation-${rank}-why`).isVisible()).toBe(true);
      for (const { title, why } of rows) {
        expect(titles.has(title), title).toBe(true);
        expect(mine).not.toContain(title);
        // "Because you viewed “X” and “Y”" names only this person's own items.
        for (const [, named] of why.matchAll(/“([^”]+)”/g)) expect(mine).toContain(named);
      }
      expect(rows.some((r) => r.why.startsWith('Because you'))).toBe(true);
      await expect.poll(() => p.text('privacy-spent')).toMatch(/ε = \d/);
    }
    // The catalogue as Alice sees her marks: "only what I marked".
    await alice.get('only-history').check();
    await alice.page.mouse.move(0, 0);
    await alice.screenshot('app-catalogue');
    await alice.get('only-history').uncheck();
    await alice.screenshot('app-recommendations', 'recommendations');
    await alice.screenshot('app-privacy', 'privacy-panel');
    // Phone width: one column, nothing wider than the screen.
    await alice.page.setViewportSize(PHONE);
    expect(await alice.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await alice.get('recommendations').scrollIntoViewIfNeeded();
    await alice.screenshot('app-phone', null, false);
    await alice.page.setViewportSize(DESKTOP);
  });

  it('sent no marked item in clear, in any field or binary pattern, and its update only masked', async () => {
    // No counter the client sends (round, model version, neighbour index) has reached the smallest id.
    expect((await round()).round).toBeLessThan(Math.min(...[...marked.values()].flat().map((it) => it.id)));
    for (const p of [alice, bob]) {
      const audit = auditOf(p);
      expect(audit.problems, p.name).toEqual([]);
      expect(audit.types['sa-masked'], p.name).toBeGreaterThanOrEqual(1);
      expect(audit.types.update, p.name).toBeUndefined();
      expect(audit.dense).toHaveLength(audit.types['sa-masked']);
    }
  });

  it('pauses: the socket closes within a second and nothing is sent after it, while rounds go on', async () => {
    const bobSent = (await bob.clientState())!.ledger.length;
    expect(alice.sent.sockets.filter((s) => s.closedAt === null)).toHaveLength(1); // connected until now
    const paused = Date.now();
    await alice.get('pause').click();
    await expect.poll(() => alice.sent.sockets.every((s) => s.closedAt !== null), { timeout: 1_000, interval: 25 }).toBe(true);
    expect(Math.max(...alice.sent.sockets.map((s) => s.closedAt!)) - paused).toBeLessThan(1_000);
    await expect.poll(() => alice.text('status')).toContain('Paused');
    const version = (await round()).modelVersion;
    await expect.poll(async () => (await round()).modelVersion, { timeout: 30_000, interval: 250 }).toBeGreaterThanOrEqual(version + 2);
    expect(alice.sent.frames.filter((f) => f.at > paused + 1_000)).toEqual([]);
    expect(alice.sent.sockets.filter((s) => s.openedAt > paused)).toEqual([]);
    expect((await bob.clientState())!.ledger.length).toBeGreaterThan(bobSent); // Bob kept taking part
  });

  it('downloads exactly what IndexedDB holds', async () => {
    const [download] = await Promise.all([alice.page.waitForEvent('download'), alice.get('download-data').click()]);
    const file = JSON.parse(await readFile((await download.path())!, 'utf8')) as { format: string; databases: unknown };
    expect(file.format).toBe('fedrec-device-data/1');
    const held = await alice.indexedDb();
    expect(file.databases).toEqual(held);
    const state = (await alice.clientState())!;
    expect(state.ledger.length).toBeGreaterThan(0);
    expect(state.userVector).toHaveLength(DEMO_DEFAULTS.dim);
  });

  it('forgets: IndexedDB is empty and the id is gone from the coordinator’s registry.json', async () => {
    const { clientId } = (await alice.clientState())!;
    const bobId = (await bob.clientState())!.clientId;
    await expect.poll(registry).toEqual(expect.arrayContaining([clientId, bobId]));
    const from = alice.sent.frames.length;
    await alice.get('forget-me').click();
    await alice.get('forget-me-confirm').click();
    await expect.poll(() => alice.text('notice'), { timeout: 20_000 }).toContain('Forgotten');
    expect(await alice.text('notice')).toContain('The coordinator dropped this device’s id.');
    expect(await alice.indexedDb()).toEqual({});
    await expect.poll(registry, { timeout: 5_000 }).not.toContain(clientId);
    expect(await registry()).toContain(bobId);
    expect((await round()).registered).toBe(SIMULATED + 1);
    // Forgetting took one join and one leave that asks to be forgotten, nothing else.
    const forgetFrames = alice.sent.frames.slice(from).map((f) => decodeFrame(f.bytes));
    expect(forgetFrames.map((m) => m.type)).toEqual(['join', 'leave']);
    expect(forgetFrames[1]).toEqual({ type: 'leave', forget: true });
    await expect.poll(() => alice.get('ledger-empty').isVisible()).toBe(true);
  });

  it('all along, neither page sent a marked item in clear, logged an error, threw, or had a request fail', () => {
    for (const p of [alice, bob]) {
      const audit = auditOf(p);
      expect(audit.problems, p.name).toEqual([]);
      expect(audit.dense).toHaveLength(audit.types['sa-masked']);
      expect(p.problems, p.name).toEqual([]);
    }
  });
});

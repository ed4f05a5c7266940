// `fedrec demo` opened in Chromium, as a person would: the CLI spawned on port 0, its printed address
// loaded. The page and everything it loads come from the coordinator's origin under the strict CSP,
// without a console error, and the page can open its same-origin WebSocket and read /privacy.
// The built app (dist/web/, from npm run build) is used when present; otherwise a placeholder page
// in a temp dir stands in. The app itself, end to end on a demo, is client/browser/app/app.browser.test.ts.

import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, screenshotPath, watchPageErrors } from '../test-helpers/chromium.js';
import { type DemoProcess, startDemoProcess } from '../test-helpers/demo-process.js';

const builtApp = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/web/index.html');
const title = chromiumMissing ? `skipped: ${chromiumMissing}` : 'the demo page loads from the coordinator origin without errors';

let placeholder: string | null = null;
let demo: DemoProcess | null = null;
let browser: Browser | null = null;

/** A page shaped like the app: external script and style only (the CSP forbids inline ones). */
async function writePlaceholder(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fedrec-demo-web-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>fedrec</title><link rel="stylesheet" href="app.css"><script type="module" src="app.js"></script></head><body><main id="app">placeholder</main></body></html>');
  await writeFile(path.join(dir, 'app.css'), 'main { font-family: sans-serif; }');
  await writeFile(path.join(dir, 'app.js'), "document.querySelector('#app').textContent = 'placeholder loaded';");
  return dir;
}

beforeAll(async () => {
  if (chromiumMissing) return;
  if (!existsSync(builtApp)) placeholder = await writePlaceholder();
  demo = await startDemoProcess(['--port', '0', '--clients', '4', ...(placeholder ? ['--web-dir', placeholder] : [])]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (demo) {
    const { code, ms } = await demo.interrupt();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(1_000);
  }
  if (placeholder) await rm(placeholder, { recursive: true, force: true });
});

describe('fedrec demo in Chromium', () => {
  it.skipIf(chromiumMissing !== null)(title, async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    const problems = watchPageErrors(page);
    const origins = new Set<string>();
    page.on('request', (r) => origins.add(new URL(r.url()).origin));

    const response = await page.goto(demo!.url, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
    const headers = response!.headers();
    expect(headers['content-type']).toBe('text/html; charset=utf-8');
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    // The app's files are not a single document: it loaded scripts (and styles) too, all from here.
    const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    expect(loaded.some((p) => p.endsWith('.js'))).toBe(true);
    expect([...origins]).toEqual([new URL(demo!.url).origin]);

    // Under its CSP the page may read /privacy and open the WebSocket of its own origin.
    const privacy = await page.evaluate(async () => (await fetch('/privacy')).json());
    expect(privacy).toMatchObject({ aggregation: 'secure', samplingRate: 1 });
    const opened = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/`);
          ws.onopen = () => (ws.close(), resolve('open'));
          ws.onerror = () => resolve('error');
        }),
    );
    expect(opened).toBe('open');

    const shot = await screenshotPath('demo-first-load');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(1_000);
    expect(problems).toEqual([]);
    await context.close();
  });
});

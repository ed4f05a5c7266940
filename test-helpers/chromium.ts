// One way to start a browser for the *.browser.test.ts files (npm run test:browser): Debian's
// chromium driven by playwright-core (its own browser download cannot run here). Each launch gets a
// fresh, temporary user-data-dir from playwright (removed at close), so no test sees another's
// IndexedDB or cookies. Without /usr/bin/chromium the suites skip and say why.

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Why the browser tests cannot run here, or null when they can (for it.skipIf / describe.skipIf). */
export const chromiumMissing: string | null = existsSync(CHROMIUM_PATH)
  ? null
  : `${CHROMIUM_PATH} is not installed (apt-get install chromium; .ci/run does it)`;

if (chromiumMissing) console.warn(`browser tests skipped: ${chromiumMissing}`);

/** A headless Chromium with a fresh profile; each newContext() is a separate person (own IndexedDB). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** Screenshots go to results/screenshots/ (git-ignored: results/ holds generated output). */
export const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../results/screenshots');

export async function screenshotPath(name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return path.join(SCREENSHOT_DIR, `${name}.png`);
}

/**
 * Everything on a page that a person would call broken: console errors (CSP violations are logged
 * there), uncaught exceptions, failed requests and HTTP errors. Read the array after the steps.
 */
export function watchPageErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

// One person using the people's web app (client/browser/app/) in Chromium: their own browser context
// (their own IndexedDB), every frame their page and its worker sent (sent-frames.ts), what went
// wrong on the page (watchPageErrors), and the steps a person takes, by the app's data-testid names.

import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { screenshotPath, watchPageErrors } from './chromium.js';
import { dumpIndexedDb, type IndexedDbDump } from './indexeddb-dump.js';
import { captureSentFrames, type SentCapture } from './sent-frames.js';

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** The client core's record in IndexedDB, as far as these tests read it. */
export interface ClientRecord {
  clientId: string;
  ledger: { round: number; modelVersion: number; bytes: number; aggregation: string }[];
  userVector: number[] | null;
}

export class AppPerson {
  readonly sent: SentCapture;
  /** Console errors, exceptions, failed requests and HTTP errors on this person's page. */
  readonly problems: string[];

  private constructor(
    readonly name: string,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    this.sent = captureSentFrames(page);
    this.problems = watchPageErrors(page);
  }

  /** A new person (a fresh context) opening the app at `url`. */
  static async open(browser: Browser, name: string, url: string): Promise<AppPerson> {
    const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    const person = new AppPerson(name, context, await context.newPage());
    await person.page.goto(url);
    return person;
  }

  get(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  async text(testId: string): Promise<string> {
    return (await this.get(testId).first().textContent()) ?? '';
  }

  /** Yes on the consent screen: the kinds of history that may train and an ε limit ('' for none). */
  async consent(kinds: { viewed: boolean; bought: boolean }, epsilonLimit: string): Promise<void> {
    await this.get('kind-viewed').setChecked(kinds.viewed);
    await this.get('kind-bought').setChecked(kinds.bought);
    await this.get('epsilon-limit').fill(epsilonLimit);
    await this.get('consent-accept').click();
    await expect.poll(() => this.get('consent-screen').isVisible()).toBe(false);
  }

  /** Finds an item with the search box (by #id unless a query is given) and marks it viewed or bought. */
  async mark(id: number, kind: 'view' | 'buy', query = `#${id}`): Promise<void> {
    await this.get('catalogue-search').fill(query);
    const button = this.get(`item-${id}-${kind}`);
    await button.click();
    await expect.poll(() => button.getAttribute('aria-pressed')).toBe('true');
    await this.get('catalogue-search').fill('');
  }

  indexedDb(): Promise<IndexedDbDump> {
    return dumpIndexedDb(this.page);
  }

  /** The client core's record as IndexedDB holds it now, or null before the device has one. */
  async clientState(): Promise<ClientRecord | null> {
    const dump = await this.indexedDb();
    const db = Object.keys(dump).find((name) => name.startsWith('fedrec-client'));
    return ((db && dump[db].state?.records[0]?.value) as ClientRecord | undefined) ?? null;
  }

  /**
   * Saves results/screenshots/NAME.png: the whole page (or what the viewport shows), or one region by
   * data-testid (cut from a full-page capture: element captures below the fold came out blank).
   */
  async screenshot(name: string, region: string | null = null, fullPage = true): Promise<string> {
    const file = await screenshotPath(name);
    if (!region) {
      await this.page.screenshot({ path: file, fullPage });
      return file;
    }
    await this.page.evaluate(() => window.scrollTo(0, 0)); // so the box is in page coordinates
    const box = (await this.get(region).boundingBox())!;
    await this.page.screenshot({ path: file, fullPage: true, clip: { x: box.x - 8, y: box.y - 8, width: box.width + 16, height: box.height + 16 } });
    return file;
  }

  close(): Promise<void> {
    return this.context.close();
  }
}

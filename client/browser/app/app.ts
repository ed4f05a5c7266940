// The page's entry point: reads where the coordinator is, builds the views into index.html's
// regions, and renders the controller's state on every change.

import type { AppState } from './app-state.js';
import { appConfig } from './config.js';
import { Controller } from './controller.js';
import { CatalogueView } from './views/catalogue-view.js';
import { ConsentView } from './views/consent-view.js';
import { DataView, StatusView } from './views/controls-view.js';
import { PrivacyView } from './views/privacy-view.js';
import { RecsView } from './views/recs-view.js';

function region(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el;
}

function main(): void {
  let config;
  try {
    config = appConfig(location);
  } catch (err) {
    region('status').textContent = (err as Error).message;
    return;
  }
  const c = new Controller(config, new URL('worker.js', location.href).toString());
  // Every action reports its own failure on the page instead of an unhandled rejection.
  const act = <A extends unknown[]>(fn: (...a: A) => unknown) => (...a: A) => void Promise.resolve().then(() => fn(...a)).catch((err) => c.report(err));
  const controls = { pause: act(() => c.pause()), openConsent: act(() => c.openConsent()), download: act(() => c.download()), askForget: act(() => c.askForget()), forget: act(() => c.forget()), cancelForget: act(() => c.cancelForget()) };
  const views = [
    new StatusView(region('status'), controls),
    new ConsentView(region('consent'), { accept: act((kinds, eps) => c.accept(kinds, eps)), decline: act(() => c.decline()) }),
    new CatalogueView(region('catalogue'), { query: act((q) => c.setQuery(q)), onlyHistory: act((on) => c.setOnlyHistory(on)), more: act(() => c.showMore()), mark: act((item, kind) => c.toggleMark(item, kind)) }),
    new RecsView(region('recommendations')),
    new PrivacyView(region('privacy')),
    new DataView(region('data'), controls),
  ];
  const app = region('app');
  let frame = 0;
  // Several changes in one task render once.
  const render = () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      const s: AppState = c.state;
      app.hidden = s.consentOpen;
      for (const v of views) v.render(s);
    });
  };
  c.subscribe(render);
  render();
  c.start().catch((err) => c.report(err));
}

main();

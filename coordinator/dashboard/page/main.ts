// The dashboard page: reads GET /dashboard/state every second and redraws. With an operator token the
// page is opened once as /dashboard?token=…; the token moves to sessionStorage (gone when the tab
// closes), leaves the address bar, and travels only as an Authorization header on the data requests.

import type { DashboardSnapshot } from '../snapshot.js';
import { DashboardView } from './view.js';

const TOKEN_KEY = 'fedrec-operator-token';
const POLL_MS = 1_000;
const RETRY_MS = 3_000;

function takeToken(): string | null {
  const url = new URL(location.href);
  const given = url.searchParams.get('token');
  if (given) {
    sessionStorage.setItem(TOKEN_KEY, given);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function banner(message: string | null, kind: 'error' | 'note' = 'note'): void {
  const el = document.getElementById('banner')!;
  el.hidden = message === null;
  el.dataset.kind = kind;
  el.textContent = message ?? '';
}

async function poll(view: DashboardView, token: string | null): Promise<void> {
  let res: Response;
  try {
    res = await fetch('/dashboard/state', { cache: 'no-store', headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch {
    banner('The coordinator does not answer; retrying.');
    return void setTimeout(() => void poll(view, token), RETRY_MS);
  }
  if (res.status === 401 || res.status === 403) {
    // A refusal will not change by asking again: say what to do and stop.
    const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
    if (res.status === 401) sessionStorage.removeItem(TOKEN_KEY);
    const hint = res.status === 401 ? ' Open this page once as /dashboard?token=TOKEN (the contents of the coordinator\'s --admin-token-file).' : '';
    banner(`${body.error ?? res.status}: ${body.message ?? 'refused'}.${hint}`, 'error');
    document.getElementById('phase')!.textContent = 'not authorized';
    return;
  }
  if (!res.ok) {
    banner(`The coordinator answered ${res.status}; retrying.`);
    return void setTimeout(() => void poll(view, token), RETRY_MS);
  }
  banner(null);
  view.render((await res.json()) as DashboardSnapshot);
  setTimeout(() => void poll(view, token), POLL_MS);
}

void poll(new DashboardView(), takeToken());

// The coordinator's HTTP answers. Public, for devices and people: /health, /round, /privacy,
// /catalogue (CORS for allowed origins), then the web app's files if one is served. For the operator:
// /metrics and /dashboard/state (the data), behind AdminAccess; the dashboard page itself
// (/dashboard and its script and style) holds no data, and is served wherever the dashboard is on.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ErrorCodes } from '../shared/protocol/errors.js';
import type { AdminAccess } from './admin-access.js';
import type { CatalogueRoute } from './catalogue-route.js';
import { ipOf } from './connection-guard.js';
import type { DashboardState } from './dashboard/state.js';
import type { CoordinatorMetrics } from './metrics.js';
import { corsHeaders, type OriginPolicy, PREFLIGHT_HEADERS } from './origin-policy.js';
import { releasesOf } from './releases.js';
import type { PrivacyLedger } from './privacy-ledger.js';
import type { RoundEngine } from './round-engine.js';
import type { SessionManager } from './sessions.js';
import type { StaticFiles } from './static-files.js';

export interface RouteDeps {
  engine: RoundEngine;
  ledger: PrivacyLedger;
  sessions: SessionManager;
  origins: OriginPolicy;
  catalogue: CatalogueRoute;
  /** The web app's files, if this coordinator serves one. */
  statics: StaticFiles | null;
  admin: AdminAccess;
  metrics: CoordinatorMetrics;
  dashboard: DashboardState;
  dashboardFiles: StaticFiles;
  logger: Logger;
}

type Send = (status: number, body: unknown, headers?: Record<string, string>) => void;

export function httpRoutes(d: RouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    // Browsers on allowed origins may read the public GET endpoints; others get no CORS header.
    const cors = corsHeaders(d.origins, req.headers.origin, req.headers.host);
    const send: Send = (status, body, headers = cors) => {
      // ∞ (a noise-free run) is not JSON; say null and flag it.
      const text = JSON.stringify(body, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
      res.end(text);
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, ...(cors['access-control-allow-origin'] ? PREFLIGHT_HEADERS : {}), allow: 'GET, OPTIONS' });
      return void res.end();
    }
    if (req.method !== 'GET') return send(405, { error: 'FEDREC_METHOD_NOT_ALLOWED', message: 'only GET (and OPTIONS) is served over HTTP' });
    if (path === '/metrics' || path === '/dashboard' || path.startsWith('/dashboard/')) return operator(d, req, res, path, send);
    switch (path) {
      case '/health':
        return send(200, { ok: true, connected: d.sessions.connected, joined: d.sessions.joined, ...d.engine.status() });
      case '/round':
        return send(200, d.engine.status());
      case '/catalogue':
        return d.catalogue(req, res, cors);
      case '/privacy': {
        const s = d.ledger.summary();
        const evaluation = {
          released: d.engine.evaluationsReleased,
          noised: false,
          note: 'evaluation averages (HR@10, NDCG@10 of held-out items) are published without noise and are not covered by epsilon; set evaluation.every to 0 to publish none',
        };
        return send(200, { ...s, noiseFree: !Number.isFinite(s.epsilon), evaluation, releases: releasesOf(d.engine.config, d.engine.evaluationsReleased) });
      }
      default:
        if (d.statics) return d.statics.serve(res, path, () => send(404, { error: 'FEDREC_NOT_FOUND', message: `no such path ${path}; try /, /health, /round, /privacy or /catalogue` }));
        return send(404, { error: 'FEDREC_NOT_FOUND', message: `no such path ${path}; try /health, /round, /privacy or /catalogue` });
    }
  };
}

/** /metrics, /dashboard and its files and data: never with CORS headers, the data only for the operator. */
function operator(d: RouteDeps, req: IncomingMessage, res: ServerResponse, path: string, send: Send): void {
  const isData = path === '/metrics' || path === '/dashboard/state';
  const refusal = d.admin.mode === 'off' || isData ? d.admin.refusal(req) : null;
  if (refusal) {
    d.sessions.rejections.set(refusal.code, (d.sessions.rejections.get(refusal.code) ?? 0) + 1);
    d.logger.warn({ event: 'rejected', code: refusal.code, remote: ipOf(req.socket), path }, `rejected: ${refusal.code} (GET ${path})`);
    return send(refusal.status, { error: refusal.code, message: refusal.message }, refusal.headers);
  }
  if (path === '/metrics') {
    d.metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': d.metrics.contentType, 'cache-control': 'no-store' }).end(text),
      (err: Error) => {
        d.logger.error({ event: 'metrics-failed', err: err.message }, 'could not render /metrics');
        send(500, { error: ErrorCodes.INTERNAL, message: 'the metrics could not be rendered; see the coordinator log' }, {});
      },
    );
    return;
  }
  if (path === '/dashboard/state') return send(200, d.dashboard.snapshot(), {});
  const file = path === '/dashboard' || path === '/dashboard/' ? '/index.html' : path.slice('/dashboard'.length);
  d.dashboardFiles.serve(res, file, () =>
    send(404, { error: 'FEDREC_NOT_FOUND', message: file === '/index.html' ? `the dashboard is not built (no index.html in ${d.dashboardFiles.root}): run \`npm run build\`` : `no such dashboard file ${path}` }, {}),
  );
}

// Assembles a running coordinator: state (checkpoint or fresh model), aggregation chain, strategy,
// privacy ledger, round engine, and the HTTP + WebSocket server in front of them.

import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { type Catalogue, makeCatalogue } from '../shared/model/catalogue.js';
import type { ItemMetadata } from '../shared/model/catalogue-listing.js';
import { initModel, parameterCount } from '../shared/model/mf-model.js';
import { ClipNormController } from './aggregation/adaptive-clip.js';
import { dpFedAvgAggregator } from './aggregation/dp-fedavg.js';
import { secureDpFedAvgAggregator } from './aggregation/secure-dp-fedavg.js';
import { nodeSecAggCrypto } from '../shared/node/node-secagg-crypto.js';
import { catalogueRoute } from './catalogue-route.js';
import { StaticFiles } from './static-files.js';
import { CheckpointStore } from './checkpoint-store.js';
import { type CoordinatorConfig, isLoopbackHost } from './config.js';
import { PrivacyLedger } from './privacy-ledger.js';
import { AdminAccess, readAdminToken } from './admin-access.js';
import { builtDashboardDir } from './dashboard/files.js';
import { DashboardState } from './dashboard/state.js';
import { httpRoutes } from './http-routes.js';
import { CoordinatorMetrics } from './metrics.js';
import { ConnectionGuard, ipOf } from './connection-guard.js';
import { createHttpServer } from './http-server.js';
import type { OriginPolicy } from './origin-policy.js';
import { openRegistry } from './registry.js';
import { RoundEngine, type RoundSummary } from './round-engine.js';
import { noiseWarning, refuseUnaffordableBudget } from './start-checks.js';
import { SessionManager } from './sessions.js';
import { FedAdam } from './strategies/fedadam.js';
import { FedAvg } from './strategies/fedavg.js';
import type { ServerStrategy } from './strategies/strategy.js';

export interface RunningCoordinator {
  url: string;
  httpUrl: string;
  port: number;
  engine: RoundEngine;
  sessions: SessionManager;
  ledger: PrivacyLedger;
  close(): Promise<void>;
}

export interface CoordinatorOptions {
  config: CoordinatorConfig;
  logger: Logger;
  /** The public catalogue; required for a fresh state, must match a checkpoint's when resuming. */
  itemIds: Int32Array;
  /** Titles and genres by item id, served at GET /catalogue; items without one are listed by id. */
  catalogueMetadata?: ItemMetadata | null;
  /** Listen, but run no round until engine.start() (a simulation registers its whole fleet first). */
  deferRounds?: boolean;
  /** Clients known to be registering (a simulation's fleet): start checks use it, not the registry's size so far. */
  expectedPopulation?: number;
  /** A directory (the built web app) served on the GET paths no API route answers; none by default. */
  staticDir?: string | null;
  /** The built dashboard page served at /dashboard; dist/dashboard/ by default. */
  dashboardDir?: string;
}

/** Room for msgpack framing and the small fields around an update's delta. */
const FRAME_HEADROOM_BYTES = 64 * 1024;

export async function startCoordinator({ config, logger, itemIds, catalogueMetadata, staticDir, dashboardDir, deferRounds, expectedPopulation }: CoordinatorOptions): Promise<RunningCoordinator> {
  const store = config.stateDir ? new CheckpointStore(config.stateDir) : null;
  if (config.stateDir) await mkdir(config.stateDir, { recursive: true, mode: 0o700 });
  const registry = await openRegistry(config);
  const checkpoint = store ? await store.load() : null;

  let catalogue: Catalogue;
  let model;
  if (checkpoint) {
    catalogue = makeCatalogue(checkpoint.itemIds);
    const given = makeCatalogue(itemIds);
    if (given.version !== catalogue.version) {
      throw new Error(`the catalogue differs from the one in ${store!.file} (${given.version} vs ${catalogue.version}); use a new --state-dir to train on a new catalogue`);
    }
    if (checkpoint.model.dim !== config.model.dim) {
      throw new Error(`the checkpoint in ${store!.file} has dim ${checkpoint.model.dim}, the config asks for ${config.model.dim}`);
    }
    model = checkpoint.model;
    logger.info({ event: 'resumed', round: checkpoint.round, modelVersion: checkpoint.modelVersion, file: store!.file }, `resuming after committed round ${checkpoint.round}`);
  } else {
    catalogue = makeCatalogue(itemIds);
    model = initModel({ items: itemIds.length, dim: config.model.dim }, config.model.seed, config.model.initScale);
  }

  // Before listening: a budget round 1 cannot afford is a mistake to fix now, not a silent "done".
  const population = Math.max(registry.size, expectedPopulation ?? 0);
  if (!checkpoint) refuseUnaffordableBudget(config, population, parameterCount(model));
  const noisy = noiseWarning(config, population, parameterCount(model));
  if (noisy) logger.warn({ event: 'start-warning', code: noisy.code, ...noisy.numbers }, noisy.message);

  const strategy = makeStrategy(config);
  if (checkpoint && checkpoint.strategy.name === strategy.name) strategy.restore(checkpoint.strategy.state);
  const clip = new ClipNormController(typeof checkpoint?.clipNorm === 'number' ? checkpoint.clipNorm : config.round.clipNorm);
  const clipNorm = () => clip.value;
  let currentRate = config.samplingRate ?? 0;
  const ledger = new PrivacyLedger(
    { delta: config.privacy.delta, budget: config.privacy.budget, clipNorm, noiseMultiplier: config.noiseMultiplier, samplingRate: () => currentRate, aggregation: config.aggregation, dp: config.dp },
    checkpoint?.privacy ?? null,
  );
  const chain = { clipNorm: clip, noiseMultiplier: config.noiseMultiplier, denominator: config.denominator, adaptiveClipping: config.adaptiveClipping };
  const secure = config.aggregation === 'secure' ? secureDpFedAvgAggregator(chain) : null;
  const aggregator = secure?.chain ?? dpFedAvgAggregator(chain);
  const engine = new RoundEngine({
    config,
    model,
    catalogue,
    strategy,
    aggregator,
    secureLeaf: secure?.leaf ?? null,
    secaggCrypto: nodeSecAggCrypto,
    registry,
    store,
    ledger,
    clipNorm: clip,
    logger,
    round: checkpoint?.round ?? 0,
    modelVersion: checkpoint?.modelVersion ?? 0,
  });
  engine.on('phase-open', (e: { task: string; samplingRate: number }) => {
    if (e.task === 'train') currentRate = e.samplingRate;
  });

  const maxPayloadBytes = config.limits.maxPayloadBytes || parameterCount(model) * 4 + FRAME_HEADROOM_BYTES;
  const sessions = new SessionManager(engine, ledger, { ...config.limits, maxPayloadBytes }, logger);
  sessions.isRegistered = (id) => registry.has(id);

  const tls = config.tls !== null;
  const origins: OriginPolicy = { allowed: config.limits.allowedOrigins, scheme: tls ? 'https' : 'http' };
  const guard = new ConnectionGuard(config.limits, origins, sessions.rejections, logger);
  const listing = catalogueRoute(catalogue, catalogueMetadata);
  const statics = staticDir ? new StaticFiles(staticDir) : null;
  // The operator's view: fed by the engine's events, read at GET /metrics and /dashboard/state.
  const admin = new AdminAccess(isLoopbackHost(config.host), config.adminTokenFile ? await readAdminToken(config.adminTokenFile) : null);
  const watched = { status: () => engine.status(), privacy: () => ledger.summary(), sessions };
  const metrics = new CoordinatorMetrics(watched);
  const dashboard = new DashboardState({ ...watched, plannedRounds: config.rounds });
  engine.on('phase-open', (e: { round: number; task: 'train' | 'evaluate'; selected: number }) => dashboard.onPhaseOpen(e));
  engine.on('round', (s: RoundSummary) => {
    metrics.observeRound(s);
    dashboard.onRound(s);
  });
  const routes = httpRoutes({ engine, ledger, sessions, origins, catalogue: listing, statics, admin, metrics, dashboard, dashboardFiles: new StaticFiles(dashboardDir ?? builtDashboardDir()), logger });
  const http = await createHttpServer(config.tls, config.limits.handshakeTimeoutMs, (req, res) => {
    if (!guard.refuseRequest(req, res)) routes(req, res);
  });
  // noServer: upgrades pass the guard (per-IP cap, Origin) before ws sees them.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxPayloadBytes, perMessageDeflate: false });
  wss.on('error', (err) => logger.error({ event: 'server-error', err: err.message }, 'WebSocket server error'));
  wss.on('connection', (ws, req) => sessions.accept(ws, ipOf(req.socket), req.socket.remotePort ?? 0));
  guard.attach(http, wss, tls);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  // After listening, a server error is logged, never an uncaught 'error' that kills the process.
  http.on('error', (err) => logger.error({ event: 'server-error', err: err.message }, 'HTTP server error'));
  const port = (http.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  sessions.startHeartbeatSweep();
  logger.info(
    { event: 'listening', host: config.host, port, items: model.items, dim: model.dim, maxPayloadBytes, noiseMultiplier: config.noiseMultiplier, clipNorm: config.round.clipNorm, strategy: strategy.name, aggregation: config.aggregation, tls, admission: admissionSummary(config), ...effectiveConfig(config) },
    `coordinator listening on ${tls ? 'wss' : 'ws'}://${hostForUrl}:${port}: ${describeConfig(config)}`,
  );
  if (!tls && !isLoopbackHost(config.host)) {
    logger.warn({ event: 'insecure-transport', host: config.host }, `serving ws:// on ${config.host}, beyond loopback: client ids (secrets) and updates travel in clear; give --tls-cert and --tls-key`);
  }
  const note = admin.startNote(`${tls ? 'https' : 'http'}://${hostForUrl}:${port}`);
  logger[note.level]({ event: 'operator-endpoints', mode: admin.mode }, note.message);
  if (!deferRounds) void engine.start();

  return {
    url: `${tls ? 'wss' : 'ws'}://${hostForUrl}:${port}`,
    httpUrl: `${tls ? 'https' : 'http'}://${hostForUrl}:${port}`,
    port,
    engine,
    sessions,
    ledger,
    async close() {
      await engine.stop();
      dashboard.close();
      sessions.closeAll();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      // Sockets that never sent a request would hold close() until their handshake timeout.
      const closed = new Promise<void>((r) => http.close(() => r()));
      http.closeAllConnections();
      await closed;
    },
  };
}

function admissionSummary(c: CoordinatorConfig) {
  const { handshakeTimeoutMs, joinTimeoutMs, maxConnectionsPerIp, registrationsPerIpPerMinute, allowedOrigins } = c.limits;
  return { handshakeTimeoutMs, joinTimeoutMs, maxConnectionsPerIp, registrationsPerIpPerMinute, allowedOrigins };
}

function makeStrategy(config: CoordinatorConfig): ServerStrategy {
  const o = config.serverOptimizer;
  if (o.name === 'fedadam') return new FedAdam({ serverLr: o.lr, beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.99, tau: o.tau ?? 1e-3 });
  return new FedAvg(o.lr);
}

/** What an operator must know at start: who takes part, how often, under which privacy. */
function effectiveConfig(c: CoordinatorConfig) {
  return {
    samplingRate: c.samplingRate,
    clientsPerRound: c.samplingRate === null ? c.clientsPerRound : null,
    minClients: c.minClients,
    minReports: c.minReports,
    interRoundDelayMs: c.interRoundDelayMs,
    rounds: c.rounds,
    registration: c.registration,
    budget: c.privacy.budget,
    delta: c.privacy.delta,
  };
}

function describeConfig(c: CoordinatorConfig): string {
  const q = c.samplingRate === null ? `${c.clientsPerRound} clients a round (q = that / N)` : `q = ${c.samplingRate}`;
  const budget = c.privacy.budget ? `budget ε ${c.privacy.budget.epsilon} at δ ${c.privacy.budget.delta}` : 'no privacy budget';
  const noise = c.noiseMultiplier > 0 ? `noise z ${c.noiseMultiplier}` : 'no noise (ε = ∞)';
  return `${c.aggregation} aggregation, ${q}, rounds start at ${c.minClients} connected clients, ${c.interRoundDelayMs / 1000} s apart, ${c.minReports} report${c.minReports === 1 ? '' : 's'} to commit, ${noise}, ${budget}, registration ${c.registration}`;
}

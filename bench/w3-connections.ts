// W3 connections: a coordinator (in this process) holding 10,000 persistent clients that live in 4
// child processes, all joined and heartbeating every 2 s (timeout 6 s), for a window of several
// timeouts; then one round is offered to a Poisson sample (q = 0.1). Reports the clients joined per
// the coordinator, this process's RSS with everyone connected, heartbeats answered / sent, whether
// the coordinator dropped anyone (FEDREC_HEARTBEAT_TIMEOUT rejections or closes seen by clients),
// and how many clients received the offer.
//
// The round is held back during the heartbeat window by minClients = clients + 1; the extra
// ("trigger") client joins after the window and the engine opens the round at once.

import { availableParallelism } from 'node:os';
import { resolveConfig } from '../coordinator/config.js';
import { startCoordinator } from '../coordinator/coordinator.js';
import { ErrorCodes } from '../shared/protocol/errors.js';
import { silentNodeLogger } from '../shared/node/logger.js';
import { Child, forceGc, memorySample, mib, progress, round, siblingScript, sleep } from './util.js';
import type { ClientsCounts, ClientsIn, ClientsOut } from './w3-clients.js';

export interface W3Options {
  clients: number;
  processes?: number;
  items?: number;
  dim?: number;
  samplingRate?: number;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  /** Heartbeating with everyone connected, before the round is offered. */
  windowMs?: number;
}

function sum(reports: ClientsCounts[]): ClientsCounts {
  const total: ClientsCounts = { connected: 0, joined: 0, failed: 0, heartbeatsSent: 0, heartbeatsAnswered: 0, offers: 0, offerBytes: 0, closedByServer: 0, closeCodes: {}, errorFrames: {} };
  for (const r of reports) {
    for (const k of ['connected', 'joined', 'failed', 'heartbeatsSent', 'heartbeatsAnswered', 'offers', 'offerBytes', 'closedByServer'] as const) total[k] += r[k];
    for (const [k, v] of Object.entries(r.closeCodes)) total.closeCodes[k] = (total.closeCodes[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.errorFrames)) total.errorFrames[k] = (total.errorFrames[k] ?? 0) + v;
  }
  return total;
}

export async function runW3(o: W3Options): Promise<Record<string, unknown>> {
  const n = o.clients;
  const processes = o.processes ?? (n > 5_000 ? 4 : 2);
  const items = o.items ?? 1_000;
  const dim = o.dim ?? 16;
  const q = o.samplingRate ?? 0.1;
  const hbInterval = o.heartbeatIntervalMs ?? 2_000;
  const hbTimeout = o.heartbeatTimeoutMs ?? 6_000;
  const windowMs = o.windowMs ?? 20_000;

  const rssIdle = memorySample();
  const config = resolveConfig({
    host: '127.0.0.1',
    port: 0,
    stateDir: null,
    model: { dim },
    rounds: 1,
    samplingRate: q,
    minClients: n + 1,
    roundDeadlineMs: 120_000,
    evaluation: { every: 0 },
    limits: { maxClients: Math.max(15_000, n + 100), heartbeatIntervalMs: hbInterval, heartbeatTimeoutMs: hbTimeout },
  });
  const itemIds = Int32Array.from({ length: items }, (_, i) => i + 1);
  const coordinator = await startCoordinator({ config, logger: silentNodeLogger(), itemIds });
  let selected = -1;
  coordinator.engine.on('phase-open', (e: { selected: number }) => (selected = e.selected));
  const children = Array.from({ length: processes }, () => new Child<ClientsIn, ClientsOut>(siblingScript('w3-clients'), [], ['--max-old-space-size=1024']));
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  const report = async () => sum(await Promise.all(children.map((c) => (c.send({ type: 'report' }), c.wait('report', 30_000)))));
  try {
    const t0 = Date.now();
    const per = Math.ceil(n / processes);
    children.forEach((c, k) => {
      const ids = Array.from({ length: Math.min(per, n - k * per) }, (_, i) => `w3-${k}-${i}`);
      // Each process on its own loopback source address: ephemeral ports never run short.
      c.send({ type: 'connect', url: coordinator.url, ids, localAddress: `127.0.0.${k + 1}`, connectConcurrency: 64 });
    });
    const ticker = setInterval(() => progress('w3', `joined per coordinator: ${coordinator.sessions.joined}/${n}, rss ${mib(process.memoryUsage().rss)} MiB`), 3_000);
    let ready: ClientsCounts;
    try {
      ready = sum(await Promise.all(children.map((c) => c.wait('ready', 300_000))));
    } finally {
      clearInterval(ticker);
    }
    const joinSeconds = (Date.now() - t0) / 1000;
    const joined = coordinator.sessions.joined;
    progress('w3', `${ready.joined} clients joined (coordinator: ${joined}) in ${joinSeconds.toFixed(1)} s; ${ready.failed} failed; heartbeating for ${windowMs / 1000} s`);

    const windowStart = await report();
    const rssSamples: number[] = [];
    for (let t = 0; t < windowMs; t += 2_000) {
      await sleep(Math.min(2_000, windowMs - t));
      rssSamples.push(process.memoryUsage().rss);
      progress('w3', `window ${Math.min(windowMs, t + 2_000) / 1000}/${windowMs / 1000} s: joined ${coordinator.sessions.joined}, rss ${mib(process.memoryUsage().rss)} MiB`);
    }
    const windowEnd = await report();
    const joinedAfterWindow = coordinator.sessions.joined;
    const rssAllConnected = process.memoryUsage();
    peakRss = Math.max(peakRss, rssAllConnected.rss);
    forceGc(); // what is live, as opposed to garbage not yet collected
    const afterGc = process.memoryUsage();

    // The trigger client: the round opens and is offered to the sample.
    children[0].send({ type: 'join-one', id: 'w3-trigger' });
    await children[0].wait('joined-one', 30_000);
    const tOffer = Date.now();
    let offered = 0;
    while (Date.now() - tOffer < 20_000) {
      await sleep(500);
      offered = (await report()).offers;
      if (selected >= 0 && offered >= selected) break;
    }
    const offerSeconds = (Date.now() - tOffer) / 1000;
    await sleep(2 * hbInterval); // keep heartbeating a little after the offer
    for (const c of children) c.send({ type: 'stop-heartbeats' });
    await sleep(1_500); // answers in flight
    const final = await report();
    const rssEnd = process.memoryUsage();
    const timeouts = coordinator.sessions.rejections.get(ErrorCodes.HEARTBEAT_TIMEOUT) ?? 0;
    const stillJoined = coordinator.sessions.joined;
    const rejections = Object.fromEntries(coordinator.sessions.rejections);

    const windowSent = windowEnd.heartbeatsSent - windowStart.heartbeatsSent;
    const windowAnswered = windowEnd.heartbeatsAnswered - windowStart.heartbeatsAnswered;
    const coordinatorRssMiB = mib(Math.max(peakRss, rssAllConnected.rss, rssEnd.rss));
    const noneDropped = timeouts === 0 && final.closedByServer === 0 && stillJoined === n + 1;
    const heartbeatsOk = final.heartbeatsSent > 0 && final.heartbeatsAnswered === final.heartbeatsSent && noneDropped;
    const out = {
      clients: joined,
      clientsRequested: n,
      processes,
      clientsPerProcess: per,
      model: { items, dim },
      joinSeconds: round(joinSeconds, 1),
      joinFailures: ready.failed,
      coordinatorRssMiB,
      coordinatorRss: {
        beforeCoordinatorMiB: rssIdle.rssMiB,
        allConnectedMiB: mib(rssAllConnected.rss),
        heapUsedAllConnectedMiB: mib(rssAllConnected.heapUsed),
        windowStartMiB: mib(rssSamples[0] ?? 0),
        windowEndMiB: mib(rssSamples[rssSamples.length - 1] ?? 0),
        afterGcMiB: mib(afterGc.rss),
        heapUsedAfterGcMiB: mib(afterGc.heapUsed),
        afterOfferMiB: mib(rssEnd.rss),
        peakMiB: mib(peakRss),
        perClientKiB: round((afterGc.rss - rssIdle.rssMiB * 1024 * 1024) / n / 1024, 1),
      },
      heartbeat: { intervalMs: hbInterval, timeoutMs: hbTimeout, windowSeconds: windowMs / 1000 },
      heartbeatsSent: final.heartbeatsSent,
      heartbeatsAnswered: final.heartbeatsAnswered,
      heartbeatsInWindow: { sent: windowSent, answered: windowAnswered, perSecond: round(windowSent / (windowMs / 1000), 0) },
      heartbeatsAnsweredRatio: final.heartbeatsSent ? round(final.heartbeatsAnswered / final.heartbeatsSent, 5) : null,
      heartbeatsOk,
      heartbeatTimeoutRejections: timeouts,
      closedByCoordinator: final.closedByServer,
      closeCodes: final.closeCodes,
      rejections,
      joinedAfterWindow,
      joinedAtEnd: stillJoined,
      samplingRate: q,
      selected,
      offered,
      offerSeconds: round(offerSeconds, 2),
      offerBytes: final.offers ? Math.round(final.offerBytes / final.offers) : 0,
      target: '10,000 clients under 1 GiB RSS, none dropped',
      met: joined >= 10_000 && coordinatorRssMiB < 1024 && noneDropped && heartbeatsOk,
      cores: availableParallelism(),
    };
    console.log(
      `W3 connections: ${joined} clients joined, coordinator RSS ${coordinatorRssMiB} MiB (peak), heartbeats ${final.heartbeatsAnswered}/${final.heartbeatsSent} answered, ` +
        `${timeouts} heartbeat timeouts, ${final.closedByServer} closed by the coordinator; offer (q=${q}) reached ${offered} of ${selected} selected (target: 10,000 under 1 GiB, none dropped: ${out.met ? 'met' : 'NOT met'})`,
    );
    return out;
  } finally {
    clearInterval(sampler);
    await Promise.all(children.map((c) => c.stop(5_000)));
    await coordinator.close();
  }
}

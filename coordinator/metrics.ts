// GET /metrics: the coordinator in Prometheus text format (prom-client), one Registry per coordinator
// so several in one process (tests, the demo) never share a series, served together with Node's
// process metrics. Only what the coordinator already releases: counts, the round summaries it logs,
// and GET /privacy's numbers, no per-client value.

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PrivacySummary } from '../shared/protocol/messages.js';
import type { RoundStatus, RoundSummary } from './engine-types.js';

export interface MetricsSources {
  status(): RoundStatus;
  privacy(): PrivacySummary;
  sessions: { readonly joined: number; readonly receivedBytes: number; readonly rejections: ReadonlyMap<string, number> };
}

/**
 * Node's process metrics (CPU, memory, event loop, GC), registered once per process: they describe the
 * process, which every coordinator in it shares, and prom-client cannot stop their GC observer and
 * event-loop monitor again, so one set per coordinator would outlive each closed coordinator.
 */
let processMetrics: Registry | null = null;
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

export class CoordinatorMetrics {
  readonly registry = new Registry();
  private readonly rounds: Counter<'outcome'>;
  private readonly duration: Histogram;
  private readonly unmask: Histogram;
  private readonly lastRound: { reports: Gauge; dropouts: Gauge; noise: Gauge };

  constructor(src: MetricsSources) {
    const registers = [this.registry];
    const live = (name: string, help: string, read: () => number) =>
      new Gauge({ name, help, registers, collect() { this.set(read()); } });
    live('fedrec_round', 'Current round: the open one, else the last committed one.', () => src.status().round);
    live('fedrec_clients_connected', 'Clients connected and joined now.', () => src.sessions.joined);
    live('fedrec_clients_available', 'Clients that could take part in a round now (connected or recently checked in).', () => src.status().available);
    live('fedrec_clients_min', 'Clients a round waits for before it opens (minClients).', () => src.status().minClients);
    live('fedrec_clients_enrolled', 'Registered client ids (the population N of the sampling rate).', () => src.status().registered);
    live('fedrec_privacy_epsilon_spent', 'Epsilon spent so far at fedrec_privacy_delta, as GET /privacy reports it; +Inf after a round without noise.', () => src.privacy().epsilon);
    live('fedrec_privacy_epsilon_budget', 'The privacy budget epsilon; +Inf when none is set.', () => src.privacy().budget?.epsilon ?? Infinity);
    live('fedrec_privacy_delta', 'The delta epsilon is reported at.', () => src.privacy().delta);
    live('fedrec_clip_norm', 'Current L2 clip norm C of client updates.', () => src.privacy().clipNorm);
    live('fedrec_noise_multiplier', 'Noise multiplier z (noise stddev = z times the sensitivity).', () => src.privacy().noiseMultiplier);

    // Counters that mirror monotonic counts kept elsewhere: add what they grew by since the last scrape.
    let seenBytes = 0;
    new Counter({
      name: 'fedrec_received_bytes_total',
      help: 'Bytes of WebSocket messages received from clients.',
      registers,
      collect() {
        this.inc(src.sessions.receivedBytes - seenBytes);
        seenBytes = src.sessions.receivedBytes;
      },
    });
    const seenRejections = new Map<string, number>();
    new Counter({
      name: 'fedrec_rejections_total',
      help: 'Refused messages, connections and requests, by FEDREC_* code.',
      labelNames: ['code'],
      registers,
      collect() {
        for (const [code, total] of src.sessions.rejections) {
          const grew = total - (seenRejections.get(code) ?? 0);
          if (grew > 0) this.inc({ code }, grew);
          seenRejections.set(code, total);
        }
      },
    });

    this.rounds = new Counter({ name: 'fedrec_rounds_total', help: 'Rounds this process ran, by outcome.', labelNames: ['outcome'], registers });
    for (const outcome of ['committed', 'abandoned']) this.rounds.inc({ outcome }, 0);
    this.duration = new Histogram({ name: 'fedrec_round_duration_seconds', help: 'Wall time of a round, from opening to its summary (evaluation included).', buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600], registers });
    this.unmask = new Histogram({ name: 'fedrec_unmask_seconds', help: 'Time a secure round spent unmasking the sum.', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers });
    this.lastRound = {
      reports: new Gauge({ name: 'fedrec_round_reports', help: 'Updates that reached the last finished round.', registers }),
      dropouts: new Gauge({ name: 'fedrec_round_dropouts', help: 'Selected clients that dropped out of the last finished round.', registers }),
      noise: new Gauge({ name: 'fedrec_noise_stddev', help: 'Stddev of the Gaussian noise added to the last round\'s sum (0 before the first round).', registers }),
    };
  }

  /** A round summary the engine released. */
  observeRound(s: RoundSummary): void {
    this.rounds.inc({ outcome: s.committed ? 'committed' : 'abandoned' });
    this.duration.observe(s.seconds);
    if (s.secure) this.unmask.observe(s.secure.unmaskMs / 1000);
    this.lastRound.reports.set(s.reported);
    this.lastRound.dropouts.set(s.dropped);
    this.lastRound.noise.set(s.noiseStddev);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async text(): Promise<string> {
    // prom-client writes NaN as "Nan" (the event-loop lag before its first sample); the format says NaN.
    const text = await Registry.merge([processRegistry(), this.registry]).metrics();
    return text.replace(/ Nan$/gm, ' NaN');
  }
}

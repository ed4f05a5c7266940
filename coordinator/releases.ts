// Everything the coordinator lets out, and what ε covers it: GET /privacy lists it so that a person
// (or their device) can see that the ε it reports is about the model only.

import type { CoordinatorConfig } from './config.js';

export interface Release {
  what: string;
  to: 'public' | 'selected devices' | 'operator';
  coveredBy: 'epsilon' | 'not covered';
  note: string;
}

export function releasesOf(c: CoordinatorConfig, evaluationsReleased: number): Release[] {
  const dp = c.noiseMultiplier > 0;
  const out: Release[] = [
    {
      what: 'the model (item table and biases) after each committed round',
      to: 'selected devices',
      coveredBy: dp ? 'epsilon' : 'not covered',
      note: dp ? 'DP-FedAvg: clipped updates, Gaussian noise on the sum, Poisson sampling; ε at δ above, over every round so far' : 'no noise: ε = ∞, the model carries no DP guarantee',
    },
    {
      what: 'the clip norm',
      to: 'selected devices',
      coveredBy: c.adaptiveClipping && dp ? 'epsilon' : 'not covered',
      note: c.adaptiveClipping ? 'adapted from a noised count of clipped updates, charged to the same ε' : 'fixed by configuration: it depends on no one\'s data',
    },
    {
      what: 'round status: round number, phase, sampling rate, the public sampling seed, counts of enrolled and connected devices',
      to: 'public',
      coveredBy: 'not covered',
      note: 'population counts, not about any one update; the sampling seed lets a device test its own selection (so a device id is a secret)',
    },
    {
      what: 'evaluation averages (HR@10, NDCG@10 of held-out items)',
      to: 'public',
      coveredBy: 'not covered',
      note: c.evaluation.every > 0 ? `published without noise (${evaluationsReleased} so far); set evaluation.every to 0 to publish none` : 'off (evaluation.every is 0): none published',
    },
    { what: 'the item catalogue (ids, titles, genres)', to: 'public', coveredBy: 'not covered', note: 'public data the coordinator was given; nothing learnt from devices' },
    {
      what: 'operator views: per-round reports, dropouts, durations, rejections by code, and logs with device ids',
      to: 'operator',
      coveredBy: 'not covered',
      note: 'what the coordinator itself sees; /metrics and /dashboard need the operator token off loopback, and logs are confidential',
    },
  ];
  return out;
}

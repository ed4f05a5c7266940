// Before joining, the device reads the coordinator's declared privacy (GET /privacy) and refuses a
// coordinator whose budget is unbounded or above the user's own limit.

import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { PrivacySummary } from '../shared/protocol/messages.js';

/** ws://host:port/path → http://host:port/privacy (wss → https). */
export function privacyUrl(wsUrl: string): string {
  const u = new URL(wsUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = '/privacy';
  u.search = '';
  return u.toString();
}

/** Throws FEDREC_PRIVACY_LIMIT when the declared budget does not fit `maxEpsilon`. */
export function checkPrivacy(declared: Pick<PrivacySummary, 'budget' | 'epsilon'>, maxEpsilon: number): void {
  const b = declared.budget;
  if (!b) throw new FedrecError(ErrorCodes.PRIVACY_LIMIT, `the coordinator declares no privacy budget; your limit is ε ≤ ${maxEpsilon}`);
  if (!(b.epsilon <= maxEpsilon)) throw new FedrecError(ErrorCodes.PRIVACY_LIMIT, `the coordinator's budget ε = ${b.epsilon} exceeds your limit ε ≤ ${maxEpsilon}`);
}

/** The little of fetch the check needs, so Node can read /privacy over https with a private CA. */
export type PrivacyFetch = (url: string) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export async function fetchDeclaredPrivacy(wsUrl: string, fetchImpl: PrivacyFetch = (u) => fetch(u)): Promise<PrivacySummary> {
  const url = privacyUrl(wsUrl);
  let res: Awaited<ReturnType<PrivacyFetch>>;
  try {
    res = await fetchImpl(url);
  } catch (cause) {
    throw new FedrecError(ErrorCodes.PRIVACY_LIMIT, `cannot read ${url} to check the coordinator's privacy budget`, { cause });
  }
  if (!res.ok) throw new FedrecError(ErrorCodes.PRIVACY_LIMIT, `${url} answered ${res.status}; refusing to join without a declared budget`);
  return (await res.json()) as PrivacySummary;
}

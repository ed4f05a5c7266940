// Which browser origins may open a WebSocket to the coordinator and read its GET endpoints. A page on
// another site could otherwise drive a visitor's browser into registering ids or holding sockets.
// Requests without an Origin header (Node clients, curl) are not browsers and pass.

export interface OriginPolicy {
  /** Explicit origins ("https://app.example.org"); ['*'] allows any; [] same-origin only. */
  allowed: readonly string[];
  /** http or https: the scheme this coordinator serves, to recognise its own origin. */
  scheme: 'http' | 'https';
}

/** Whether a request carrying `origin` (undefined: no header) to `host` may proceed. */
export function originAllowed(policy: OriginPolicy, origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (policy.allowed.includes('*')) return true;
  const o = origin.toLowerCase();
  if (host !== undefined && o === `${policy.scheme}://${host.toLowerCase()}`) return true;
  return policy.allowed.some((a) => a.toLowerCase() === o);
}

/** CORS headers for an allowed cross-origin request; none for same-origin, absent or refused ones. */
export function corsHeaders(policy: OriginPolicy, origin: string | undefined, host: string | undefined): Record<string, string> {
  if (origin === undefined || !originAllowed(policy, origin, host)) return {};
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

/** The answer to a CORS preflight: GET (and OPTIONS) only, cached for ten minutes. */
export const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'GET, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '600',
} as const;

// Before connecting: a ws:// (unencrypted) URL is allowed only to this machine. The client id is a
// secret (whoever knows it can tell whether this device took part in a round) and updates are
// derived from private history; neither may cross a network in clear unless the user says so.

import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';

/** 127.0.0.0/8, ::1 and localhost (and its subdomains, which resolve to loopback by RFC 6761). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1' || h === '::ffff:7f00:1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Throws FEDREC_INSECURE_TRANSPORT for ws:// to a host that is not loopback, unless allowed. */
export function checkTransport(url: string, allowInsecure: boolean): void {
  const u = new URL(url);
  if (u.protocol !== 'ws:' || allowInsecure || isLoopbackHost(u.hostname)) return;
  throw new FedrecError(
    ErrorCodes.INSECURE_TRANSPORT,
    `refusing ${url}: ws:// is unencrypted, and this client's id (a secret that reveals which rounds it took part in) and its model updates would cross the network in clear; use wss://, or --insecure (allowInsecureTransport) if the network path is trusted`,
  );
}

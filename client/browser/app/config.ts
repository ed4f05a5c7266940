// Where the app's coordinator is and what its records on this device are called. `fedrec demo`
// serves the app from the coordinator's own origin, so by default it talks to location.host (the
// coordinator takes WebSocket upgrades on any path). `?coordinator=ws://host:port` points it
// elsewhere during development; that coordinator must list this page's origin in allowedOrigins.

export interface AppConfig {
  /** The coordinator's WebSocket URL. */
  wsUrl: string;
  /** Its HTTP origin, for GET /privacy and /catalogue. */
  httpBase: string;
  /** The client core's database (IndexedDbStore) and the app's (history, consent), per coordinator: an id belongs to one. */
  clientDb: string;
  appDb: string;
}

export function appConfig(location: { protocol: string; host: string; search: string }): AppConfig {
  const override = new URLSearchParams(location.search).get('coordinator');
  const wsUrl = override ?? `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/`;
  const u = new URL(wsUrl);
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new RangeError(`?coordinator= takes a ws:// or wss:// URL, not "${wsUrl}"`);
  const httpBase = `${u.protocol === 'wss:' ? 'https:' : 'http:'}//${u.host}`;
  const key = `${u.protocol}//${u.host}`;
  return { wsUrl: u.toString(), httpBase, clientDb: `fedrec-client ${key}`, appDb: `fedrec-app ${key}` };
}

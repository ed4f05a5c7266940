// What the page shows, in one plain object: everything in it was read from IndexedDB, the
// coordinator's public endpoints or the worker's reports. Views render it; the controller changes it.

import type { Interaction } from '../../../shared/data/types.js';
import type { CatalogueListing, ItemInfo } from '../../../shared/model/catalogue-listing.js';
import type { ClientState } from '../../store.js';
import type { AppConfig } from './config.js';
import { consentStatus, type ConsentStatus, type StoredConsent } from './consent-policy.js';
import type { CoordinatorPrivacy } from './coordinator-api.js';
import type { Phase } from './worker-protocol.js';

export interface LogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  text: string;
}

export interface AppState {
  config: AppConfig;
  listing: CatalogueListing | null;
  listingError: string | null;
  byId: Map<number, ItemInfo>;
  history: Interaction[];
  consent: StoredConsent | null;
  /** The client core's record in IndexedDB (id, user vector, model, ledger). */
  client: ClientState | null;
  privacy: CoordinatorPrivacy | null;
  privacyError: string | null;
  status: { phase: Phase; text: string };
  log: LogLine[];
  /** The consent screen is up: first visit, expired, resume, or "change my choices". */
  consentOpen: boolean;
  consentError: string | null;
  query: string;
  onlyHistory: boolean;
  shown: number;
  forget: 'idle' | 'confirm' | 'working';
  /** A one-off message after download or forget. */
  notice: string | null;
}

export const PAGE_SIZE = 30;
const MAX_LOG = 30;

export function initialState(config: AppConfig): AppState {
  return {
    config,
    listing: null,
    listingError: null,
    byId: new Map(),
    history: [],
    consent: null,
    client: null,
    privacy: null,
    privacyError: null,
    status: { phase: 'idle', text: 'Starting…' },
    log: [],
    consentOpen: false,
    consentError: null,
    query: '',
    onlyHistory: false,
    shown: PAGE_SIZE,
    forget: 'idle',
    notice: null,
  };
}

export function withListing(s: AppState, listing: CatalogueListing): AppState {
  return { ...s, listing, listingError: null, byId: new Map(listing.items.map((it) => [it.id, it])) };
}

export function consentNow(s: AppState, now = new Date()): ConsentStatus {
  return consentStatus(s.consent, now);
}

/** The consent screen opens by itself when there is no answer yet or the yes has run out. */
export function needsConsentScreen(s: AppState, now = new Date()): boolean {
  const k = consentNow(s, now).kind;
  return k === 'none' || k === 'expired';
}

export function withLog(s: AppState, line: LogLine): AppState {
  return { ...s, log: [line, ...s.log].slice(0, MAX_LOG) };
}

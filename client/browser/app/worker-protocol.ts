// Messages between the page and the training worker. The page owns the person's decisions (it
// writes consent and history to IndexedDB, then says so); the worker owns the connection and the
// client core's state, and reports what happens in words the page can show.

export type PageToWorker =
  | { type: 'configure'; wsUrl: string; clientDb: string; appDb: string }
  /** Consent or history changed in IndexedDB: start, stop or restart the client to match. */
  | { type: 'changed'; what: 'consent' | 'history' }
  /** Opt-out: stop sending now (the page has already written the revoke). */
  | { type: 'pause' }
  /** Drop this device's id on the coordinator and wipe the client core's store. */
  | { type: 'forget' };

/** Where the device stands, for the status line. */
export type Phase =
  | 'idle' // nothing to do: no consent, paused, expired or no history of a consented kind
  | 'connecting'
  | 'waiting' // joined; waiting to be picked for a round
  | 'training' // picked: training on this device and taking part in secure aggregation
  | 'sent' // this device's masked update left; the round is finishing
  | 'stopped' // the coordinator finished or refused this device
  | 'error';

export type WorkerToPage =
  | { type: 'status'; phase: Phase; text: string; code?: string }
  /** The client core saved its state (ledger, model, user vector): the page re-reads it. */
  | { type: 'state-changed' }
  /** A round this device took part in ended. */
  | { type: 'round-end'; round: number; committed: boolean }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; event: string; text: string }
  | { type: 'paused' }
  | { type: 'forgotten'; remote: 'dropped' | 'never-joined' | 'unreachable'; detail?: string };

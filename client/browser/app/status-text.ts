// What the device is doing, in words a person reads in the status line. Pure, so the wording of
// every state and refusal is in one place.

import { ErrorCodes, FedrecError } from '../../../shared/protocol/errors.js';
import type { RunEnd } from '../../client-options.js';
import type { ConsentStatus } from './consent-policy.js';
import type { Phase } from './worker-protocol.js';

export interface StatusLine {
  phase: Phase;
  text: string;
  code?: string;
}

export function idleText(consent: ConsentStatus): string {
  switch (consent.kind) {
    case 'none':
      return 'Not training: you have not said yes yet. Browsing and marking items stay on this device.';
    case 'paused':
      return 'Paused: nothing leaves this device. Your history and recommendations stay here.';
    case 'expired':
      return 'Your consent has expired, so training stopped. Please choose again.';
    case 'granted':
      return 'Ready.';
  }
}

export const NO_HISTORY = 'Mark something you viewed or bought (of a kind you let train) and this device will take part.';
export const CONNECTING = 'Connecting to the coordinator…';
export const OTHER_TAB = 'Another tab of this app is taking part for this device; this tab takes over when it closes.';
export const WAITING = 'Connected. Waiting for this device to be picked for a round (devices are picked at random).';

export function trainingText(round: number): string {
  return `Picked for round ${round}: training on your history here, then sending a masked update.`;
}

export function sentText(round: number, bytes: number): string {
  return `Round ${round}: your masked update left this device (${formatBytes(bytes)}). Waiting for the round to finish.`;
}

export function roundEndText(round: number, committed: boolean): string {
  return committed
    ? `Round ${round} finished: a new model was published; this device receives it with its next round, and its recommendations follow then.`
    : `Round ${round} was abandoned (too few devices answered): nothing was published, no privacy spent.`;
}

/** Why run() returned, when the app did not stop it itself (null: nothing to say). */
export function endText(end: RunEnd): StatusLine | null {
  switch (end) {
    case 'done':
      return { phase: 'stopped', text: 'The coordinator has finished training: it runs no more rounds.' };
    case 'budget-exhausted':
      return { phase: 'stopped', text: 'The coordinator has spent its whole privacy budget: it runs no more rounds.' };
    case 'shut-down':
      return { phase: 'error', text: 'The coordinator shut down. This device will try again shortly.' };
    default:
      return null;
  }
}

/** A refusal or failure of the client core, and whether trying again later can help. */
export function failureText(err: unknown): StatusLine & { retry: boolean } {
  const e = err instanceof FedrecError ? err : null;
  const message = (err as Error)?.message ?? String(err);
  switch (e?.code) {
    case ErrorCodes.PRIVACY_LIMIT:
      return { phase: 'stopped', code: e.code, retry: false, text: `Not joining, to respect your privacy limit: ${message}.` };
    case ErrorCodes.INSECURE_AGGREGATION:
      return { phase: 'stopped', code: e.code, retry: false, text: 'Not joining: this coordinator does not use secure aggregation, so it would see your update.' };
    case ErrorCodes.INSECURE_TRANSPORT:
      return { phase: 'stopped', code: e.code, retry: false, text: 'Not joining: the connection to this coordinator would not be encrypted.' };
    case ErrorCodes.EMPTY_HISTORY:
      return { phase: 'idle', code: e.code, retry: false, text: message };
    case ErrorCodes.NO_CONSENT:
      return { phase: 'idle', code: e.code, retry: false, text: 'Paused: nothing leaves this device.' };
    case ErrorCodes.UNREACHABLE:
      return { phase: 'error', code: e.code, retry: true, text: 'Cannot reach the coordinator. This device will try again shortly.' };
    default:
      return { phase: 'error', code: e?.code, retry: true, text: `Something went wrong (${message}). This device will try again shortly.` };
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MB`;
}

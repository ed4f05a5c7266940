// Small helpers of the client's connection: what a close code means for the user, fresh seeds, and
// row lookups shared across simulated clients.

import { RowIndex } from '../shared/model/catalogue.js';
import { CloseCodes, ErrorCodes, FedrecError } from '../shared/protocol/errors.js';

export function closeError(code: number, reason: string): FedrecError {
  if (code === CloseCodes.MESSAGE_TOO_BIG) return new FedrecError(ErrorCodes.FRAME_TOO_LARGE, 'the coordinator closed the connection: a frame was over its size limit');
  if (code === CloseCodes.PROTOCOL_ERROR) return new FedrecError(ErrorCodes.UNSUPPORTED_VERSION, `the coordinator closed the connection: ${reason || 'protocol error'}`);
  if (code === CloseCodes.TRY_AGAIN_LATER) return new FedrecError(ErrorCodes.TOO_MANY_CLIENTS, 'the coordinator is full; retry later');
  return new FedrecError(ErrorCodes.CONNECTION_CLOSED, `connection closed (${code}${reason ? `: ${reason}` : ''})`);
}

export function randomSeed(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0];
}

/**
 * Row lookups per catalogue array, shared by every client holding the same (cached) catalogue:
 * a simulated fleet would otherwise rebuild a 9k-entry map on every check-in. The catalogue was
 * hash-checked when it arrived, so it is not hashed again here.
 */
const rowIndexes = new WeakMap<Int32Array, RowIndex>();
export function rowIndexFor(itemIds: Int32Array, version: string): RowIndex {
  let index = rowIndexes.get(itemIds);
  if (!index) rowIndexes.set(itemIds, (index = new RowIndex({ itemIds, version })));
  return index;
}


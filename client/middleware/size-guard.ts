// Refuses, on the device, an update the coordinator would reject for size: better a clear local
// error than a connection closed with 1009 halfway through an upload.

import { ErrorCodes, FedrecError } from '../../shared/protocol/errors.js';
import type { UpdateMiddleware } from './types.js';

/** msgpack framing around the delta is a few dozen bytes; leave generous room. */
const FRAMING_BYTES = 1024;

export const sizeGuard: UpdateMiddleware = (u, ctx) => {
  const bytes = u.delta.byteLength + FRAMING_BYTES;
  if (bytes > ctx.maxPayloadBytes) {
    throw new FedrecError(ErrorCodes.FRAME_TOO_LARGE, `update of ${bytes} bytes exceeds the coordinator's limit of ${ctx.maxPayloadBytes}`, { round: u.round });
  }
  return u;
};

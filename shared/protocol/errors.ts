// Stable error codes. Every rejection a peer can cause has one, so operators can grep logs and
// clients can react in code. Close codes follow RFC 6455 (1008 policy, 1009 too big, 1013 try later).

export const ErrorCodes = {
  MALFORMED_FRAME: 'FEDREC_MALFORMED_FRAME',
  BINARY_REQUIRED: 'FEDREC_BINARY_REQUIRED',
  FRAME_TOO_LARGE: 'FEDREC_FRAME_TOO_LARGE',
  INVALID_MESSAGE: 'FEDREC_INVALID_MESSAGE',
  UNKNOWN_MESSAGE_TYPE: 'FEDREC_UNKNOWN_MESSAGE_TYPE',
  UNSUPPORTED_VERSION: 'FEDREC_UNSUPPORTED_VERSION',
  NOT_JOINED: 'FEDREC_NOT_JOINED',
  ALREADY_JOINED: 'FEDREC_ALREADY_JOINED',
  CLIENT_ID_IN_USE: 'FEDREC_CLIENT_ID_IN_USE',
  TOO_MANY_CLIENTS: 'FEDREC_TOO_MANY_CLIENTS',
  NOT_SELECTED: 'FEDREC_NOT_SELECTED',
  UNKNOWN_ROUND: 'FEDREC_UNKNOWN_ROUND',
  STALE_ROUND: 'FEDREC_STALE_ROUND',
  LATE_UPDATE: 'FEDREC_LATE_UPDATE',
  DUPLICATE_UPDATE: 'FEDREC_DUPLICATE_UPDATE',
  WRONG_TASK: 'FEDREC_WRONG_TASK',
  MODEL_VERSION_MISMATCH: 'FEDREC_MODEL_VERSION_MISMATCH',
  WRONG_SIZE: 'FEDREC_WRONG_SIZE',
  NON_FINITE: 'FEDREC_NON_FINITE',
  HEARTBEAT_TIMEOUT: 'FEDREC_HEARTBEAT_TIMEOUT',
  RATE_LIMITED: 'FEDREC_RATE_LIMITED',
  UNKNOWN_CLIENT: 'FEDREC_UNKNOWN_CLIENT',
  SHUTTING_DOWN: 'FEDREC_SHUTTING_DOWN',
  CONNECTION_CLOSED: 'FEDREC_CONNECTION_CLOSED',
  CATALOGUE_MISMATCH: 'FEDREC_CATALOGUE_MISMATCH',
  // Raised on the device, never by the coordinator:
  NO_CONSENT: 'FEDREC_NO_CONSENT',
  PRIVACY_LIMIT: 'FEDREC_PRIVACY_LIMIT',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export const CloseCodes = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  TRY_AGAIN_LATER: 1013,
} as const;

/** An error with a stable code, safe to send to the peer (the message never carries private data). */
export class FedrecError extends Error {
  readonly code: ErrorCode;
  readonly round?: number;
  constructor(code: ErrorCode, message: string, options?: { round?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FedrecError';
    this.code = code;
    if (options?.round !== undefined) this.round = options.round;
  }
}

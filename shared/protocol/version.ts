/** Bumped on any incompatible change to shared/protocol/messages.ts. */
export const PROTOCOL_VERSION = 2;

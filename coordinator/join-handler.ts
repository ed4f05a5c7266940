// A connection's join: the per-address rate of new ids, the engine's admission (open, closed, or
// token enrollment), a reconnect taking over its id from an older connection, and the welcome.
// The socket's lifecycle around it (decode → validate → dispatch) is in sessions.ts.

import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { int32ToBytes } from '../shared/protocol/binary.js';
import { encodeMessage } from '../shared/protocol/codec.js';
import { CloseCodes, ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { JoinMessage, JoinMode, Task, WelcomeMessage } from '../shared/protocol/messages.js';
import type { Curve } from '../shared/protocol/secagg-messages.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import type { PrivacyLedger } from './privacy-ledger.js';
import { RegistrationRate } from './registration-rate.js';
import type { RoundEngine } from './round-engine.js';
import type { Session, SessionLimits } from './sessions.js';

/** Enrollment refusals, answered with the code and a 1008 close. */
const ENROLLMENT_REFUSALS = new Set<string>([ErrorCodes.UNAUTHORIZED, ErrorCodes.TOKEN_EXPIRED, ErrorCodes.TOKEN_REUSED]);

export interface JoinDeps {
  engine: RoundEngine;
  ledger: PrivacyLedger;
  limits: SessionLimits;
  logger: Logger;
  /** Joined sessions by client id, shared with the session manager. */
  byId: Map<string, Session>;
  /** Whether an id is already registered (a known id joining costs no registration token). */
  isRegistered: (clientId: string) => boolean;
  /** Counts and logs a refusal and answers it with a coded error frame. */
  reject: (s: Session, ws: WebSocket, err: FedrecError) => void;
}

export class JoinHandler {
  private registrations: RegistrationRate | null = null;

  constructor(private readonly d: JoinDeps) {}

  /** Joins the session as msg.clientId, or throws a coded refusal (a refused enrollment closes it). */
  join(s: Session, msg: JoinMessage): void {
    this.admitRegistration(s, msg.clientId);
    this.admit(s, msg.clientId, msg.mode, msg.capabilities.tasks, msg.capabilities.curves ?? [], msg.catalogueVersion, msg.token);
  }

  /** Throws FEDREC_RATE_LIMITED, before anything is registered, when this address mints ids too fast. */
  private admitRegistration(s: Session, clientId: string): void {
    const { limits } = this.d;
    if (limits.registrationsPerIpPerMinute === 0 || s.clientId !== null || this.d.isRegistered(clientId)) return;
    this.registrations ??= new RegistrationRate(limits.registrationsPerIpPerMinute);
    if (!this.registrations.take(s.ip)) {
      throw new FedrecError(ErrorCodes.RATE_LIMITED, `more than ${limits.registrationsPerIpPerMinute} new client ids a minute from one address; nothing was registered, retry later`);
    }
  }

  private admit(s: Session, clientId: string, mode: JoinMode, tasks: readonly Task[], curves: readonly Curve[], catalogueVersion: string | undefined, token: string | undefined): void {
    const { engine, logger, byId } = this.d;
    if (s.clientId !== null) throw new FedrecError(ErrorCodes.ALREADY_JOINED, `this connection already joined as ${s.clientId}`);
    let admission;
    try {
      admission = engine.admits(clientId, token);
    } catch (err) {
      // A refused enrollment ends the connection: a peer without a valid token has nothing to do here.
      if (err instanceof FedrecError && ENROLLMENT_REFUSALS.has(err.code)) {
        this.d.reject(s, s.ws, err);
        s.ws.close(CloseCodes.POLICY_VIOLATION, err.code);
        return;
      }
      throw err;
    }
    if (admission.registered) {
      logger.info({ event: 'enrolled', clientId, replaced: admission.replaced }, admission.replaced ? 'client enrolled with a token; the account\'s previous id was forgotten' : 'client enrolled with a token');
      admission.persisted.catch((err: Error) => logger.error({ event: 'registry-write-failed', err: err.message }, 'could not persist an enrollment (registry.json / used-tokens.json)'));
      if (admission.replaced) byId.get(admission.replaced)?.ws.close(CloseCodes.POLICY_VIOLATION, ErrorCodes.UNKNOWN_CLIENT);
    }
    const previous = byId.get(clientId);
    if (previous) {
      // A reconnect after a network drop: the new connection wins; the old one may be half-dead.
      previous.clientId = null;
      previous.ws.close(CloseCodes.POLICY_VIOLATION, ErrorCodes.CLIENT_ID_IN_USE);
    }
    s.clientId = clientId;
    s.mode = mode;
    s.tasks = tasks;
    s.curves = curves;
    byId.set(clientId, s);
    const cat = engine.catalogue;
    const welcome: WelcomeMessage = {
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      clientId,
      catalogue: catalogueVersion === cat.version ? { version: cat.version } : { version: cat.version, itemIds: int32ToBytes(cat.itemIds) },
      limits: { maxPayloadBytes: this.d.limits.maxPayloadBytes, heartbeatIntervalMs: this.d.limits.heartbeatIntervalMs },
      privacy: this.d.ledger.summary(),
    };
    s.ws.send(encodeMessage(welcome));
    // Persistent devices join once per connection: worth a line. Check-ins poll every second or so.
    if (mode === 'persistent') logger.info({ event: 'join', clientId, connected: byId.size }, `client joined (${byId.size} joined)`);
    else logger.debug({ event: 'check-in', clientId }, 'client checked in');
    engine.onJoin(clientId, mode);
  }
}

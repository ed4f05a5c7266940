// Schema checks for every inbound message, on both sides. A message that fails gets a coded error
// naming the field; nothing downstream ever sees an unchecked value.

import { ErrorCodes, FedrecError } from './errors.js';
import { bool, bytes, finite, int, invalid, type Obj, obj, str } from './fields.js';
import { type ClientMessage, type CoordinatorMessage, type PrivacySummary, WAIT_REASONS, type WaitReason } from './messages.js';
import { CURVES, type Curve } from './secagg-messages.js';
import { isSecAggType, validateSecAggClientMessage, validateSecAggCoordinatorMessage, validateSecureOffer } from './validate-secagg.js';
import { UPDATE_ENCODINGS, type UpdateEncoding } from './update-encoding.js';
import { PROTOCOL_VERSION } from './version.js';

function checkVersion(m: Obj, type: string): void {
  const v = m.protocol;
  if (typeof v !== 'number') invalid(type, 'protocol', 'a number');
  if (v !== PROTOCOL_VERSION) {
    throw new FedrecError(ErrorCodes.UNSUPPORTED_VERSION, `protocol version ${v} is not supported; this side speaks ${PROTOCOL_VERSION}`);
  }
}

const CLIENT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Checks a decoded frame from a client; returns it typed or throws a FedrecError. */
export function validateClientMessage(m: Obj): ClientMessage {
  const type = m.type;
  if (isSecAggType(type)) return validateSecAggClientMessage(m);
  switch (type) {
    case 'join': {
      checkVersion(m, type);
      const clientId = str(m, type, 'clientId', 128);
      if (!CLIENT_ID.test(clientId)) invalid(type, 'clientId', 'letters, digits and _.:- only');
      const mode = m.mode;
      if (mode !== 'persistent' && mode !== 'checkin') invalid(type, 'mode', '"persistent" or "checkin"');
      const caps = obj(m, type, 'capabilities');
      const tasks = caps.tasks;
      if (!Array.isArray(tasks) || tasks.length === 0 || tasks.some((t) => t !== 'train' && t !== 'evaluate')) {
        invalid(type, 'capabilities.tasks', 'a non-empty list of "train" | "evaluate"');
      }
      const curves = caps.curves;
      if (curves !== undefined && (!Array.isArray(curves) || curves.length > CURVES.length || curves.some((c) => !CURVES.includes(c as Curve)))) {
        invalid(type, 'capabilities.curves', `a list of ${CURVES.join(' | ')}`);
      }
      const out: ClientMessage = { type, protocol: PROTOCOL_VERSION, clientId, mode, capabilities: curves ? { tasks, curves: curves as Curve[] } : { tasks } };
      if (m.catalogueVersion !== undefined) out.catalogueVersion = str(m, type, 'catalogueVersion', 64);
      if (m.token !== undefined) out.token = str(m, type, 'token', 4096);
      return out;
    }
    case 'update': {
      const out: ClientMessage = {
        type,
        round: int(m, type, 'round', 1),
        modelVersion: int(m, type, 'modelVersion'),
        delta: bytes(m, type, 'delta'),
        clipped: bool(m, type, 'clipped'),
      };
      if (m.encoding !== undefined) {
        if (!UPDATE_ENCODINGS.includes(m.encoding as UpdateEncoding)) invalid(type, 'encoding', `one of ${UPDATE_ENCODINGS.join(', ')}`);
        out.encoding = m.encoding as UpdateEncoding;
      }
      if (out.encoding === 'q8') out.scale = finite(m, type, 'scale', Number.MIN_VALUE);
      return out;
    }
    case 'metrics':
      return {
        type,
        round: int(m, type, 'round', 1),
        modelVersion: int(m, type, 'modelVersion'),
        hr10: finite(m, type, 'hr10', 0, 1),
        ndcg10: finite(m, type, 'ndcg10', 0, 1),
      };
    case 'decline': {
      const task = m.task;
      if (task !== 'train' && task !== 'evaluate') invalid(type, 'task', '"train" or "evaluate"');
      return { type, round: int(m, type, 'round', 1), task };
    }
    case 'heartbeat':
      return { type, sentAt: finite(m, type, 'sentAt') };
    case 'leave':
      return { type, forget: bool(m, type, 'forget') };
    default:
      throw new FedrecError(ErrorCodes.UNKNOWN_MESSAGE_TYPE, `unknown message type ${JSON.stringify(type)?.slice(0, 40)}`);
  }
}

/** The declared privacy a client decides on: every number it reads must be what it claims. */
function privacySummary(p: Obj): PrivacySummary {
  const t = 'welcome.privacy';
  // ε is +∞ after a noise-free round: a number, but not a finite one.
  const eps = p.epsilon;
  if (typeof eps !== 'number' || Number.isNaN(eps) || eps < 0) invalid(t, 'epsilon', 'a number ≥ 0 (possibly Infinity)');
  let budget: PrivacySummary['budget'] = null;
  if (p.budget !== null && p.budget !== undefined) {
    const b = obj(p, t, 'budget');
    budget = { epsilon: finite(b, `${t}.budget`, 'epsilon', 0), delta: finite(b, `${t}.budget`, 'delta', 0, 1) };
  }
  const aggregation = p.aggregation;
  if (aggregation !== 'secure' && aggregation !== 'plaintext') invalid(t, 'aggregation', '"secure" or "plaintext"');
  return {
    mechanism: str(p, t, 'mechanism', 512),
    aggregation,
    clipNorm: finite(p, t, 'clipNorm', 0),
    noiseMultiplier: finite(p, t, 'noiseMultiplier', 0),
    samplingRate: finite(p, t, 'samplingRate', 0, 1),
    roundsDone: int(p, t, 'roundsDone'),
    epsilon: eps,
    delta: finite(p, t, 'delta', 0, 1),
    budget,
  };
}

/** Checks a decoded frame from the coordinator (clients do not trust it blindly either). */
export function validateCoordinatorMessage(m: Obj): CoordinatorMessage {
  const type = m.type;
  if (isSecAggType(type)) return validateSecAggCoordinatorMessage(m);
  switch (type) {
    case 'welcome': {
      checkVersion(m, type);
      const cat = obj(m, type, 'catalogue');
      const catalogue: { version: string; itemIds?: Uint8Array } = { version: str(cat, 'welcome.catalogue', 'version', 64) };
      if (cat.itemIds !== undefined) catalogue.itemIds = bytes(cat, 'welcome.catalogue', 'itemIds');
      const limits = obj(m, type, 'limits');
      return {
        type,
        protocol: PROTOCOL_VERSION,
        clientId: str(m, type, 'clientId', 128),
        catalogue,
        limits: {
          maxPayloadBytes: int(limits, 'welcome.limits', 'maxPayloadBytes', 1),
          heartbeatIntervalMs: int(limits, 'welcome.limits', 'heartbeatIntervalMs', 1),
        },
        privacy: privacySummary(obj(m, type, 'privacy')),
      };
    }
    case 'offer': {
      const task = m.task;
      if (task !== 'train' && task !== 'evaluate') invalid(type, 'task', '"train" or "evaluate"');
      const shape = obj(m, type, 'shape');
      const cfg = obj(m, type, 'config');
      const secure = m.secure === undefined ? undefined : validateSecureOffer(obj(m, type, 'secure'));
      if (secure && task !== 'train') invalid(type, 'secure', 'present on train offers only');
      return {
        ...(secure ? { secure } : {}),
        type,
        round: int(m, type, 'round', 1),
        task,
        modelVersion: int(m, type, 'modelVersion'),
        shape: { items: int(shape, 'offer.shape', 'items', 1), dim: int(shape, 'offer.shape', 'dim', 1) },
        catalogueVersion: str(m, type, 'catalogueVersion', 64),
        params: bytes(m, type, 'params'),
        config: {
          localEpochs: int(cfg, 'offer.config', 'localEpochs'),
          lr: finite(cfg, 'offer.config', 'lr', 0),
          l2: finite(cfg, 'offer.config', 'l2', 0),
          negatives: int(cfg, 'offer.config', 'negatives'),
          batchSize: int(cfg, 'offer.config', 'batchSize', 1),
          clipNorm: finite(cfg, 'offer.config', 'clipNorm', 0),
          evalFitEpochs: int(cfg, 'offer.config', 'evalFitEpochs'),
        },
        deadlineMs: int(m, type, 'deadlineMs'),
      };
    }
    case 'wait': {
      const reason = m.reason;
      if (!WAIT_REASONS.includes(reason as WaitReason)) invalid(type, 'reason', 'a known reason');
      return { type, reason: reason as WaitReason, retryAfterMs: int(m, type, 'retryAfterMs') };
    }
    case 'ack':
      return { type, round: int(m, type, 'round', 1) };
    case 'roundResult':
      return {
        type,
        round: int(m, type, 'round', 1),
        committed: bool(m, type, 'committed'),
        modelVersion: int(m, type, 'modelVersion'),
      };
    case 'error': {
      const out: CoordinatorMessage = { type, code: str(m, type, 'code', 64) as never, message: str(m, type, 'message', 2048) };
      if (m.round !== undefined) out.round = int(m, type, 'round');
      return out;
    }
    case 'heartbeat':
      return { type, sentAt: finite(m, type, 'sentAt') };
    default:
      throw new FedrecError(ErrorCodes.UNKNOWN_MESSAGE_TYPE, `unknown message type ${JSON.stringify(type)?.slice(0, 40)}`);
  }
}

import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeMessage } from './codec.js';
import { ErrorCodes, FedrecError } from './errors.js';
import { validateClientMessage, validateCoordinatorMessage } from './validate.js';
import { PROTOCOL_VERSION } from './version.js';

type Obj = Record<string, unknown>;

/** Sends `m` over the wire format first, as a peer would, then validates it. */
function viaWire(validate: (m: Obj) => unknown, m: Obj): () => unknown {
  return () => validate(decodeFrame(encodeMessage(m)));
}

function rejection(fn: () => unknown): FedrecError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FedrecError) return err;
    throw new Error(`expected a FedrecError, got ${String(err)}`);
  }
  throw new Error('expected a rejection, but the message validated');
}

const join: Obj = { type: 'join', protocol: PROTOCOL_VERSION, clientId: 'client-1', mode: 'persistent', capabilities: { tasks: ['train'] } };
const update: Obj = { type: 'update', round: 2, modelVersion: 1, delta: new Uint8Array(16), clipped: false };
const metrics: Obj = { type: 'metrics', round: 2, modelVersion: 2, hr10: 0.5, ndcg10: 0.3 };
const heartbeat: Obj = { type: 'heartbeat', sentAt: 123 };
const leave: Obj = { type: 'leave', forget: false };
const cfg = { localEpochs: 5, lr: 0.05, l2: 0, negatives: 4, batchSize: 1, clipNorm: 5, evalFitEpochs: 2 };
const offer: Obj = { type: 'offer', round: 1, task: 'train', modelVersion: 0, shape: { items: 2, dim: 1 }, catalogueVersion: 'v', params: new Uint8Array(16), config: cfg, deadlineMs: 1000 };
const welcome: Obj = {
  type: 'welcome',
  protocol: PROTOCOL_VERSION,
  clientId: 'client-1',
  catalogue: { version: 'v' },
  limits: { maxPayloadBytes: 1024, heartbeatIntervalMs: 1000 },
  privacy: { mechanism: 'sampled-gaussian', aggregation: 'secure', clipNorm: 1, noiseMultiplier: 1, samplingRate: 0.1, roundsDone: 0, epsilon: 0, delta: 1e-5, budget: null },
};

describe('validateClientMessage', () => {
  it('accepts the baseline messages (so the rejections below are about the one change each makes)', () => {
    for (const m of [join, update, metrics, heartbeat, leave]) expect(viaWire(validateClientMessage, m)()).toBeTruthy();
  });

  it('rejects an unknown or missing type with FEDREC_UNKNOWN_MESSAGE_TYPE', () => {
    for (const type of ['bogus', 'welcome', 'offer', 'JOIN', '', 7, null, undefined, ['join']]) {
      const m: Obj = { ...heartbeat, type };
      expect(rejection(viaWire(validateClientMessage, m)).code).toBe(ErrorCodes.UNKNOWN_MESSAGE_TYPE);
    }
    expect(rejection(() => validateClientMessage({})).code).toBe(ErrorCodes.UNKNOWN_MESSAGE_TYPE);
  });

  it('rejects a join with another protocol version with FEDREC_UNSUPPORTED_VERSION', () => {
    for (const protocol of [PROTOCOL_VERSION + 1, PROTOCOL_VERSION - 1, 0, 1.5]) {
      const e = rejection(viaWire(validateClientMessage, { ...join, protocol }));
      expect(e.code).toBe(ErrorCodes.UNSUPPORTED_VERSION);
      expect(e.message).toContain(String(protocol));
    }
  });

  it('rejects a join without a numeric protocol with FEDREC_INVALID_MESSAGE naming join.protocol', () => {
    for (const protocol of [undefined, '1', null]) {
      const m = { ...join, protocol };
      if (protocol === undefined) delete m.protocol;
      const e = rejection(viaWire(validateClientMessage, m));
      expect(e.code).toBe(ErrorCodes.INVALID_MESSAGE);
      expect(e.message).toContain('join.protocol');
    }
  });

  // [base message, field, bad values]; each bad value (undefined = field missing) must be refused naming the field.
  const fieldCases: [Obj, string, unknown[]][] = [
    [join, 'clientId', [undefined, 5, '', null, 'x'.repeat(129)]],
    [join, 'mode', [undefined, 'sometimes', 1]],
    [join, 'capabilities', [undefined, 'train', null, [1], new Uint8Array(2)]],
    [join, 'catalogueVersion', [5, '', 'v'.repeat(65)]],
    [update, 'round', [undefined, '2', 0, -1, 1.5, 2 ** 53, true]],
    [update, 'modelVersion', [undefined, -1, 0.5, '1']],
    [update, 'delta', [undefined, null, 'AAAA', [0, 0, 0, 0], { 0: 1 }, 42]],
    [update, 'clipped', [undefined, 0, 'false', null]],
    [metrics, 'round', [undefined, 0]],
    [metrics, 'modelVersion', [undefined, -3]],
    [metrics, 'hr10', [undefined, '0.5', -0.1, 1.1]],
    [metrics, 'ndcg10', [undefined, 2, null]],
    [heartbeat, 'sentAt', [undefined, '123', null]],
    [leave, 'forget', [undefined, 1, 'yes']],
  ];
  for (const [base, field, values] of fieldCases) {
    it(`rejects ${base.type}.${field} missing or mistyped with FEDREC_INVALID_MESSAGE naming the field`, () => {
      for (const value of values) {
        const m: Obj = { ...base, [field]: value };
        if (value === undefined) delete m[field];
        const e = rejection(viaWire(validateClientMessage, m));
        expect(e.code, `${field} = ${String(value)}`).toBe(ErrorCodes.INVALID_MESSAGE);
        expect(e.message).toContain(`${base.type}.${field}`);
      }
    });
  }

  it('rejects join.capabilities.tasks that is empty, missing or holds an unknown task', () => {
    for (const tasks of [[], undefined, ['train', 'mine'], 'train', [null]]) {
      const e = rejection(viaWire(validateClientMessage, { ...join, capabilities: tasks === undefined ? {} : { tasks } }));
      expect(e.code).toBe(ErrorCodes.INVALID_MESSAGE);
      expect(e.message).toContain('join.capabilities.tasks');
    }
  });

  it('rejects NaN and ±Infinity in number fields with FEDREC_NON_FINITE', () => {
    for (const v of [NaN, Infinity, -Infinity]) {
      for (const [base, field] of [
        [heartbeat, 'sentAt'],
        [metrics, 'hr10'],
        [metrics, 'ndcg10'],
      ] as const) {
        const e = rejection(viaWire(validateClientMessage, { ...base, [field]: v }));
        expect(e.code, `${base.type}.${field} = ${v}`).toBe(ErrorCodes.NON_FINITE);
        expect(e.message).toContain(`${base.type}.${field}`);
      }
      // Integer fields: a non-finite value is not an integer; refused, naming the field.
      const e = rejection(viaWire(validateClientMessage, { ...update, round: v }));
      expect([ErrorCodes.INVALID_MESSAGE, ErrorCodes.NON_FINITE]).toContain(e.code);
      expect(e.message).toContain('update.round');
    }
  });

  it('rejects client ids with characters outside letters, digits and _.:-', () => {
    for (const clientId of ['has space', 'slash/x', 'ümlaut', 'new\nline', 'tab\t', 'semi;colon', '<script>', 'a,b', 'emoji😀', 'a\u0000b']) {
      const e = rejection(viaWire(validateClientMessage, { ...join, clientId }));
      expect(e.code, JSON.stringify(clientId)).toBe(ErrorCodes.INVALID_MESSAGE);
      expect(e.message).toContain('join.clientId');
    }
    for (const clientId of ['a', 'A-Z_0.9:x', 'x'.repeat(128)]) {
      expect((viaWire(validateClientMessage, { ...join, clientId })() as { clientId: string }).clientId).toBe(clientId);
    }
  });

  it('rejects update.delta sent as numbers, text or a typed array other than bytes', () => {
    for (const delta of [[1, 2, 3, 4], 'AAAAAAAA', 3.5, { length: 4 }]) {
      const e = rejection(viaWire(validateClientMessage, { ...update, delta }));
      expect(e.code).toBe(ErrorCodes.INVALID_MESSAGE);
      expect(e.message).toContain('update.delta');
    }
    // Not over the wire: a decoded frame can only hold Uint8Array bins, but the check must not trust that.
    for (const delta of [new Float32Array(4), new ArrayBuffer(16), new DataView(new ArrayBuffer(16))]) {
      const e = rejection(() => validateClientMessage({ ...update, delta }));
      expect(e.code).toBe(ErrorCodes.INVALID_MESSAGE);
      expect(e.message).toContain('update.delta');
    }
  });

  it('returns only the schema fields (extra fields from the peer are dropped)', () => {
    const back = viaWire(validateClientMessage, { ...update, evil: 'x', round: 4 })() as Obj;
    expect(Object.keys(back).sort()).toEqual(['clipped', 'delta', 'modelVersion', 'round', 'type']);
    const j = viaWire(validateClientMessage, { ...join, admin: true })() as Obj;
    expect('admin' in j).toBe(false);
  });
});

describe('validateCoordinatorMessage', () => {
  it('accepts the baseline messages', () => {
    for (const m of [offer, welcome, { type: 'ack', round: 1 }, { type: 'wait', reason: 'not-selected', retryAfterMs: 0 }]) {
      expect(viaWire(validateCoordinatorMessage, m)()).toBeTruthy();
    }
  });

  it('rejects unknown types, including client-only ones', () => {
    for (const type of ['join', 'update', 'nope']) {
      expect(rejection(viaWire(validateCoordinatorMessage, { ...heartbeat, type })).code).toBe(ErrorCodes.UNKNOWN_MESSAGE_TYPE);
    }
  });

  it('rejects a welcome in another protocol version', () => {
    expect(rejection(viaWire(validateCoordinatorMessage, { ...welcome, protocol: PROTOCOL_VERSION + 1 })).code).toBe(ErrorCodes.UNSUPPORTED_VERSION);
  });

  it('rejects non-finite round settings in an offer with FEDREC_NON_FINITE', () => {
    for (const field of ['lr', 'l2', 'clipNorm'] as const) {
      const e = rejection(viaWire(validateCoordinatorMessage, { ...offer, config: { ...cfg, [field]: NaN } }));
      expect(e.code).toBe(ErrorCodes.NON_FINITE);
      expect(e.message).toContain(`offer.config.${field}`);
    }
  });

  it('rejects mistyped offer fields naming them', () => {
    const cases: [Obj, string][] = [
      [{ ...offer, params: [1, 2] }, 'offer.params'],
      [{ ...offer, task: 'mine' }, 'offer.task'],
      [{ ...offer, shape: { items: 0, dim: 1 } }, 'offer.shape.items'],
      [{ ...offer, config: { ...cfg, batchSize: 0 } }, 'offer.config.batchSize'],
      [{ ...welcome, limits: { maxPayloadBytes: '1', heartbeatIntervalMs: 1 } }, 'welcome.limits.maxPayloadBytes'],
      [{ ...welcome, catalogue: { version: 'v', itemIds: [1, 2] } }, 'welcome.catalogue.itemIds'],
    ];
    for (const [m, field] of cases) {
      const e = rejection(viaWire(validateCoordinatorMessage, m));
      expect(e.code).toBe(ErrorCodes.INVALID_MESSAGE);
      expect(e.message).toContain(field);
    }
  });
});

describe('welcome.privacy (what a client decides to join on)', () => {
  const withPrivacy = (privacy: Obj) => ({ ...welcome, privacy: { ...(welcome.privacy as Obj), ...privacy } });
  it('accepts ε = Infinity (a noise-free run) and a null budget', () => {
    const m = validateCoordinatorMessage(decodeFrame(encodeMessage(withPrivacy({ epsilon: Infinity, budget: null }))));
    expect(m.type === 'welcome' && m.privacy.epsilon).toBe(Infinity);
  });
  it.each([
    ['budget.epsilon', { budget: { epsilon: 'two', delta: 1e-5 } }],
    ['budget.delta', { budget: { epsilon: 2, delta: 3 } }],
    ['epsilon', { epsilon: -1 }],
    ['noiseMultiplier', { noiseMultiplier: 'big' }],
    ['samplingRate', { samplingRate: 2 }],
  ])('rejects a bad %s', (field, patch) => {
    try {
      validateCoordinatorMessage(decodeFrame(encodeMessage(withPrivacy(patch))));
      expect.unreachable();
    } catch (err) {
      expect((err as FedrecError).code).toBe(ErrorCodes.INVALID_MESSAGE);
      expect((err as Error).message).toContain(field.split('.').pop());
    }
  });
});

describe('update encodings', () => {
  it('accepts f16, and q8 with a positive scale', () => {
    expect(viaWire(validateClientMessage, { ...update, encoding: 'f16' })()).toMatchObject({ encoding: 'f16' });
    expect(viaWire(validateClientMessage, { ...update, encoding: 'q8', scale: 0.5 })()).toMatchObject({ encoding: 'q8', scale: 0.5 });
  });
  it.each([
    ['an unknown encoding', { encoding: 'gzip' }, ErrorCodes.INVALID_MESSAGE, 'encoding'],
    ['q8 without a scale', { encoding: 'q8' }, ErrorCodes.INVALID_MESSAGE, 'scale'],
    ['q8 with a zero scale', { encoding: 'q8', scale: 0 }, ErrorCodes.INVALID_MESSAGE, 'scale'],
    ['q8 with an infinite scale', { encoding: 'q8', scale: Infinity }, ErrorCodes.NON_FINITE, 'scale'],
  ])('rejects %s', (_what, patch, code, field) => {
    const err = rejection(viaWire(validateClientMessage, { ...update, ...patch }));
    expect(err.code).toBe(code);
    expect(err.message).toContain(field);
  });
});

// Field checks shared by the message validators: each names the message and field it rejects.

import { ErrorCodes, FedrecError } from './errors.js';

export type Obj = Record<string, unknown>;

export function invalid(type: string, field: string, expected: string): never {
  throw new FedrecError(ErrorCodes.INVALID_MESSAGE, `${type}.${field} must be ${expected}`);
}

export function int(m: Obj, type: string, field: string, min = 0): number {
  const v = m[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) invalid(type, field, `an integer ≥ ${min}`);
  return v;
}

export function finite(m: Obj, type: string, field: string, min = -Infinity, max = Infinity): number {
  const v = m[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new FedrecError(
      typeof v === 'number' && !Number.isFinite(v) ? ErrorCodes.NON_FINITE : ErrorCodes.INVALID_MESSAGE,
      `${type}.${field} must be a finite number in [${min}, ${max}]`,
    );
  }
  return v;
}

export function str(m: Obj, type: string, field: string, maxLength = 256): string {
  const v = m[field];
  if (typeof v !== 'string' || v.length === 0 || v.length > maxLength) invalid(type, field, `a non-empty string of at most ${maxLength} characters`);
  return v;
}

export function bool(m: Obj, type: string, field: string): boolean {
  const v = m[field];
  if (typeof v !== 'boolean') invalid(type, field, 'a boolean');
  return v;
}

export function bytes(m: Obj, type: string, field: string): Uint8Array {
  const v = m[field];
  if (!(v instanceof Uint8Array)) invalid(type, field, 'binary (msgpack bin)');
  return v;
}

export function obj(m: Obj, type: string, field: string): Obj {
  const v = m[field];
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) invalid(type, field, 'a map');
  return v as Obj;
}

export * from './binary.js';
export * from './codec.js';
export * from './errors.js';
export type * from './messages.js';
export type * from './secagg-messages.js';
export * from './validate.js';
export * from './version.js';

// The client logs through any pino-compatible logger (pino in Node, a console adapter in browsers).

export interface ClientLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: ClientLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function consoleLogger(): ClientLogger {
  return {
    debug: (o, m) => console.debug(m ?? '', o),
    info: (o, m) => console.info(m ?? '', o),
    warn: (o, m) => console.warn(m ?? '', o),
    error: (o, m) => console.error(m ?? '', o),
  };
}

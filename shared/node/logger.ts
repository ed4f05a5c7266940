// Node-only logging: pretty, one line per event, on a terminal (for people); pino JSON lines when
// stderr is piped or redirected (for operators' tooling). --log-format or FEDREC_LOG_FORMAT overrides.

import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';

export function defaultLogFormat(): LogFormat {
  const env = process.env.FEDREC_LOG_FORMAT;
  if (env === 'json' || env === 'pretty') return env;
  return process.stderr.isTTY ? 'pretty' : 'json';
}

/**
 * `concise` (the default): in pretty mode print only the message line, which is written to carry what
 * a person needs; `concise: false` prints every field below it. JSON mode always keeps every field.
 */
export function createLogger(options: { format?: LogFormat; level?: string; name?: string; concise?: boolean } = {}): Logger {
  const level = options.level ?? process.env.FEDREC_LOG_LEVEL ?? 'info';
  const base = { name: options.name ?? 'fedrec' };
  if ((options.format ?? defaultLogFormat()) === 'pretty') {
    return pino({ level, base }, pretty({ sync: true, colorize: process.stderr.isTTY, destination: 2, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l', hideObject: options.concise ?? true }));
  }
  return pino({ level, base }, pino.destination({ dest: 2, sync: true }));
}

export const silentNodeLogger = (): Logger => pino({ level: 'silent' });

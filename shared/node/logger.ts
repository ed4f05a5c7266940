// Node-only logging: pino JSON lines by default (for operators' tooling), or pretty lines for people.

import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';

/** `concise`: in pretty mode print only the message line (the JSON mode always keeps every field). */
export function createLogger(options: { format?: LogFormat; level?: string; name?: string; concise?: boolean } = {}): Logger {
  const level = options.level ?? process.env.FEDREC_LOG_LEVEL ?? 'info';
  const base = { name: options.name ?? 'fedrec' };
  if ((options.format ?? process.env.FEDREC_LOG_FORMAT) === 'pretty') {
    return pino({ level, base }, pretty({ sync: true, colorize: process.stderr.isTTY, destination: 2, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l', hideObject: options.concise ?? false }));
  }
  return pino({ level, base }, pino.destination({ dest: 2, sync: true }));
}

export const silentNodeLogger = (): Logger => pino({ level: 'silent' });

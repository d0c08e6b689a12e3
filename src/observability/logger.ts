/**
 * The gateway's winston logger: JSON lines by default (or when stdout is not a TTY), a readable format on
 * request. Every line passes through `redactSecrets`, so a provider key that slipped into a message or an
 * upstream error never reaches the log.
 */
import winston from 'winston';
import { redactSecrets } from './redact';

export type Logger = winston.Logger;
export type LogFormat = 'json' | 'pretty';

const redact = winston.format((info) => {
  info.message = typeof info.message === 'string' ? redactSecrets(info.message) : info.message;
  for (const key of Object.keys(info)) {
    const value = info[key];
    if (typeof value === 'string') info[key] = redactSecrets(value);
  }
  return info;
});

/**
 * @example
 * const log = createLogger({ level: 'info', format: 'json' });
 * log.info('request', { request_id: 'abc', status: 200 });
 */
export function createLogger(opts: { level?: string; format?: LogFormat; silent?: boolean } = {}): Logger {
  const format = opts.format ?? (process.stdout.isTTY ? 'pretty' : 'json');
  return winston.createLogger({
    level: opts.level ?? process.env.SWITCHYARD_LOG_LEVEL ?? 'info',
    silent: opts.silent ?? false,
    format: winston.format.combine(
      redact(),
      winston.format.timestamp(),
      format === 'json' ? winston.format.json() : winston.format.combine(winston.format.colorize(), winston.format.simple()),
    ),
    transports: [new winston.transports.Console()],
  });
}

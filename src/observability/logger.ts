/**
 * The gateway's winston logger: JSON lines by default (or when stdout is not a TTY), a readable format on
 * request. Every line passes through `redactSecrets`, so a provider key that slipped into a message or an
 * upstream error never reaches the log.
 */
import winston from 'winston';
import { redactSecrets } from './redact';
import { BatchedStdoutTransport } from './stdout-transport';

export type Logger = winston.Logger;

/** Where winston transports read the finished line from (triple-beam's MESSAGE symbol). */
const MESSAGE = Symbol.for('message');
export type LogFormat = 'json' | 'pretty';

/** Pretty output: redact each field, then let winston lay it out. */
const redactFields = winston.format((info) => {
  info.message = typeof info.message === 'string' ? redactSecrets(info.message) : info.message;
  for (const key of Object.keys(info)) {
    const value = info[key];
    if (typeof value === 'string') info[key] = redactSecrets(value);
  }
  return info;
});

/**
 * JSON lines, built in one step: serialise, then redact the whole line once. Cheaper than redacting field by
 * field and serialising through winston's generic json format (this runs for every request), and it also
 * catches a secret nested inside an object field.
 */
const jsonLine = winston.format((info) => {
  const { level, message, ...rest } = info;
  let line: string;
  try {
    line = JSON.stringify({ level, message, ...rest, timestamp: new Date().toISOString() });
  } catch {
    // A circular or BigInt field: keep the line, lose the fields.
    line = JSON.stringify({ level, message: String(message), timestamp: new Date().toISOString(), note: 'fields not serialisable' });
  }
  (info as unknown as Record<symbol, string>)[MESSAGE] = redactSecrets(line);
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
    format: format === 'json'
      ? jsonLine()
      : winston.format.combine(redactFields(), winston.format.timestamp(), winston.format.colorize(), winston.format.simple()),
    transports: [format === 'json' ? new BatchedStdoutTransport() : new winston.transports.Console()],
  });
}

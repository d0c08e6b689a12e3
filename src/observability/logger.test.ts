import { createLogger, levelEnabled, logInfoLine } from './logger';
import { registerSecrets } from './redact';

/** Collects what the batched transport writes to stdout (it flushes at most 20 ms after a line). */
async function captureStdout(write: () => void): Promise<string[]> {
  const original = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    write();
    await new Promise((resolve) => setTimeout(resolve, 60));
  } finally {
    process.stdout.write = original;
  }
  return out.split('\n').filter(Boolean);
}

describe('logInfoLine (the per-request line)', () => {
  it('writes the same JSON line as log.info, redacted, in order with the other lines', async () => {
    registerSecrets(['sk-logger-test-secret']);
    const log = createLogger({ format: 'json', level: 'info' });
    const lines = await captureStdout(() => {
      log.info('before', { n: 1 });
      logInfoLine(log, 'request', { request_id: 'r1', status: 200, skipped: undefined, error: 'upstream said sk-logger-test-secret' });
      log.info('after', { n: 2 });
    });
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => p.message)).toEqual(['before', 'request', 'after']);
    const request = parsed[1];
    expect(request).toMatchObject({ level: 'info', request_id: 'r1', status: 200, error: 'upstream said [REDACTED]' });
    expect('skipped' in request).toBe(false);
    expect(typeof request.timestamp).toBe('string');
    expect(Object.keys(request)).toEqual(['level', 'message', 'request_id', 'status', 'error', 'timestamp']);
  });

  it('writes nothing when info is off or the logger is silent', async () => {
    const quiet = createLogger({ format: 'json', level: 'warn' });
    const silent = createLogger({ format: 'json', level: 'info', silent: true });
    const lines = await captureStdout(() => {
      logInfoLine(quiet, 'request', { status: 200 });
      logInfoLine(silent, 'request', { status: 200 });
    });
    expect(lines).toEqual([]);
  });
});

describe('levelEnabled', () => {
  it('follows the logger level, including a level changed at runtime (config reload)', () => {
    const log = createLogger({ format: 'json', level: 'info' });
    expect([levelEnabled(log, 'error'), levelEnabled(log, 'info'), levelEnabled(log, 'debug')]).toEqual([true, true, false]);
    log.level = 'debug';
    expect(levelEnabled(log, 'debug')).toBe(true);
    log.level = 'error';
    expect([levelEnabled(log, 'warn'), levelEnabled(log, 'error')]).toEqual([false, true]);
  });
});

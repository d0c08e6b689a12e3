import { MAX_TOKEN_HOLD, RedactingStream } from './redact-stream';
import { redactSecrets, registerSecrets } from './redact';

const KEY = 'sk-stream-redaction-test-key-0042';
const ODD_KEY = 'odd/key+with=other~chars!9911';
registerSecrets([KEY, ODD_KEY]);

/** Feeds `chunks` through a RedactingStream; returns what came out, and what had come out before the end. */
async function through(chunks: (string | Buffer)[], secrets = [KEY, ODD_KEY]): Promise<{ out: Buffer; beforeEnd: Buffer }> {
  const stream = new RedactingStream(secrets);
  const parts: Buffer[] = [];
  stream.on('data', (d: Buffer) => parts.push(d));
  for (const c of chunks) stream.write(typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
  const beforeEnd = Buffer.concat(parts);
  await new Promise<void>((resolve) => stream.end(resolve));
  return { out: Buffer.concat(parts), beforeEnd };
}

describe('RedactingStream', () => {
  const cases: [string, string][] = [
    ['a configured key', `{"error":{"message":"Incorrect API key provided: ${KEY}."}}`],
    ['a configured key with characters outside key patterns', `{"error":{"message":"bad key ${ODD_KEY} given"}}`],
    ['an unconfigured Bearer token', 'header said Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123 and more'],
    ['an unconfigured sk- key', 'quota exceeded for sk-unregisteredkey12345678, sorry'],
  ];

  test.each(cases)('%s split at any byte is redacted as if it came whole', async (_name, text) => {
    const whole = redactSecrets(text);
    for (let at = 0; at <= text.length; at++) {
      const { out } = await through([text.slice(0, at), text.slice(at)]);
      expect(out.toString('latin1')).toBe(whole);
    }
  });

  test.each(cases)('%s sent one byte at a time is redacted as if it came whole', async (_name, text) => {
    const { out } = await through([...text]);
    expect(out.toString('latin1')).toBe(redactSecrets(text));
  });

  test('a key split over three chunks never shows, not even in part', async () => {
    const text = `before ${KEY} after`;
    const { out } = await through([text.slice(0, 12), text.slice(12, 20), text.slice(20)]);
    expect(out.toString('latin1')).toBe('before [REDACTED] after');
  });

  test('text that cannot be the start of a secret goes out at once, without waiting for more', async () => {
    const { beforeEnd } = await through(['data: {"choices":[]}\n\n']);
    expect(beforeEnd.toString('latin1')).toBe('data: {"choices":[]}\n\n');
  });

  test('binary bytes pass unchanged', async () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256));
    const { out } = await through([bytes.subarray(0, 1000), bytes.subarray(1000)]);
    expect(out.equals(bytes)).toBe(true);
  });

  test('a long run of key-shaped characters is held back only up to a bound', async () => {
    const run = 'a'.repeat(64 * 1024);
    const { beforeEnd, out } = await through([run.slice(0, 30_000), run.slice(30_000)]);
    expect(out.length).toBe(run.length);
    expect(beforeEnd.length).toBeGreaterThanOrEqual(run.length - MAX_TOKEN_HOLD - KEY.length);
  });
});

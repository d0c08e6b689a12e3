/**
 * The plumbing the native-provider fakes (fake-anthropic.ts, fake-gemini.ts) share: an HTTP server on
 * 127.0.0.1, a record of every call, and per-model behaviour rules with a use count.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedUpstreamCall {
  method: string;
  /** Path with query, e.g. "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse". */
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when it was not JSON. */
  body: Record<string, unknown> | undefined;
  rawBody: string;
  model: string | undefined;
  at: number;
}

export interface FakeUpstream<B> {
  /** Base URL ready for a provider's base_url (includes the API version path). */
  url: string;
  port: number;
  calls: RecordedUpstreamCall[];
  callsFor(model: string): RecordedUpstreamCall[];
  /** Sets the behaviour for requests naming `model` ('*' for any) for the next `times` requests (default: all). */
  on(model: string, behavior: B, times?: number): void;
  /** Forgets calls and rules. */
  reset(): void;
  close(): Promise<void>;
}

/** Answers one recorded call with the behaviour its rules chose. */
export type FakeHandler<B> = (call: RecordedUpstreamCall, behavior: B, res: http.ServerResponse) => Promise<void> | void;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * const fake = await startFakeUpstream<MyBehavior>({ versionPath: '/v1', modelOf: (c) => c.body?.model as string, handle });
 */
export async function startFakeUpstream<B extends object>(opts: {
  versionPath: string;
  modelOf: (call: Omit<RecordedUpstreamCall, 'model'>) => string | undefined;
  handle: FakeHandler<B>;
}): Promise<FakeUpstream<B>> {
  const calls: RecordedUpstreamCall[] = [];
  let rules: { model: string; behavior: B; times: number }[] = [];
  const pick = (model: string | undefined): B => {
    for (let i = rules.length - 1; i >= 0; i--) {
      const r = rules[i];
      if ((r.model === '*' || r.model === model) && r.times > 0) {
        r.times--;
        return r.behavior;
      }
    }
    return {} as B;
  };

  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      const rawBody = Buffer.concat(parts).toString('utf8');
      let body: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = rawBody ? JSON.parse(rawBody) : undefined;
        body = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      const partial = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, rawBody, at: Date.now() };
      const call: RecordedUpstreamCall = { ...partial, model: opts.modelOf(partial) };
      calls.push(call);
      Promise.resolve(opts.handle(call, pick(call.model), res)).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake upstream crashed: ${String(err)}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${opts.versionPath}`,
    port,
    calls,
    callsFor: (model) => calls.filter((c) => c.model === model),
    on: (model, behavior, times = Infinity) => void rules.push({ model, behavior, times }),
    reset: () => {
      calls.length = 0;
      rules = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Splits text into word-sized stream pieces, keeping the spaces. @example streamPieces('a b') // ['a ', 'b'] */
export function streamPieces(text: string): string[] {
  const pieces = text.split(/(?<= )/);
  return pieces.length ? pieces : [''];
}

/** Splits a JSON string into `n` roughly equal pieces, as providers stream tool arguments. @example splitInto('abcdef', 3) // ['ab', 'cd', 'ef'] */
export function splitInto(text: string, n: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / n));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

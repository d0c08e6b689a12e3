/**
 * The plumbing the fake upstreams (fake-openai.ts, fake-anthropic.ts, fake-gemini.ts) share: an HTTP server on
 * 127.0.0.1, a record of every call, per-model behaviour rules with a use count, and counts of open and
 * client-aborted requests.
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
  /** Every call so far, unless started with `record: false`. */
  calls: RecordedUpstreamCall[];
  /** Calls whose body named this model. */
  callsFor(model: string): RecordedUpstreamCall[];
  /**
   * Sets the behaviour for requests naming `model` ('*' for any), for the next `times` requests (default: all).
   * The most recently added matching rule with uses left wins.
   */
  on(model: string, behavior: B, times?: number): void;
  /** Forgets calls and rules. */
  reset(): void;
  /** Requests currently open (e.g. hanging ones). */
  readonly openRequests: number;
  /** Requests that closed before the fake ended its answer: the client gave up, or the fake dropped the connection. */
  readonly abortedRequests: number;
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
  /** Port to listen on (default: any free one). */
  port?: number;
  /** Interface to listen on (default: 127.0.0.1). */
  host?: string;
  /** Keep call records (default: on). Off for benchmarks, whose hundreds of thousands of calls would pile up. */
  record?: boolean;
}): Promise<FakeUpstream<B>> {
  const calls: RecordedUpstreamCall[] = [];
  let rules: { model: string; behavior: B; times: number }[] = [];
  let open = 0;
  let aborted = 0;
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
      if (opts.record !== false) calls.push(call);
      const behavior = pick(call.model);
      open++;
      res.on('close', () => {
        open--;
        // Not ended by the handler, so the connection went first: a client timeout or abort, or a dropped answer.
        if (!res.writableEnded) aborted++;
      });
      Promise.resolve(opts.handle(call, behavior, res)).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake upstream crashed: ${String(err)}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    // 127.0.0.1 even with another `host`: callers pick loopback or all interfaces, and both answer there.
    url: `http://127.0.0.1:${port}${opts.versionPath}`,
    port,
    calls,
    callsFor: (model) => calls.filter((c) => c.model === model),
    on: (model, behavior, times = Infinity) => void rules.push({ model, behavior, times }),
    reset: () => {
      calls.length = 0;
      rules = [];
    },
    get openRequests() {
      return open;
    },
    get abortedRequests() {
      return aborted;
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

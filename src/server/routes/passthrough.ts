/**
 * /passthrough/{provider}/*: raw forwarding to a configured provider's base_url with its credentials injected,
 * for endpoints Switchyard does not model (files, batches, …). An endpoint of the request lifecycle like any
 * other (plugins' onRequest refuses or admits it, onComplete runs once, one log line, metrics), whose body is
 * left unread and streamed to the provider over the provider's own pool (upstream/forward.ts), under the
 * provider's timeouts, cancelled when the client leaves. The answer streams back redacted: no configured key
 * reaches the client, whatever the provider echoes. Only configured providers are reachable and the path cannot
 * climb out of the base URL, so this is never an open proxy. Which headers cross: upstream/forward-headers.ts.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough, pipeline, type Transform } from 'node:stream';
import zlib from 'node:zlib';
import type { ResolvedProvider, RuntimeSnapshot } from '../../routing/snapshot-types';
import { errors, type GatewayError } from '../../errors';
import { RedactingStream } from '../../observability/redact-stream';
import { clientAbortOf } from '../../pipeline/client-abort';
import { AttemptSignal } from '../../routing/attempt-signal';
import type { AbortSource } from '../../upstream/abort-flag';
import type { AttemptRecord, RequestContext, RequestOutcome } from '../../pipeline/types';
import { forward, httpTransportOf } from '../../upstream/forward';
import type { HttpTransport } from '../../upstream/http-transport';
import { forwardedRequestHeaders, relayedResponseHeaders } from '../../upstream/forward-headers';
import { describeTransportError, type UpstreamResponse } from '../../upstream/transport';
import type { HttpResponse } from '../http-types';
import { servedHeaders, type EndpointWork } from '../lifecycle';

/**
 * Decodes until nothing changes, so a double-encoded `%252e%252e` is judged as the `..` an upstream that decodes
 * once more would see. Malformed escapes are a 400.
 */
function fullyDecoded(raw: string): string {
  let current = raw;
  for (let round = 0; round < 4; round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      throw errors.badRequest('Malformed passthrough path.');
    }
    if (next === current) return current;
    current = next;
  }
  throw errors.badRequest('Passthrough paths may not be encoded more than three times over.');
}

// Control characters are exactly what this pattern is for.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Rejects anything that could escape the provider's base path once decoded. */
function safeSubPath(raw: string): string {
  const decoded = fullyDecoded(raw);
  if (
    decoded.includes('..') ||
    decoded.includes('\\') ||
    decoded.startsWith('//') ||
    /^[a-z][a-z0-9+.-]*:/i.test(decoded.replace(/^\/+/, '')) ||
    CONTROL_CHARACTERS.test(decoded)
  ) {
    throw errors.badRequest('Passthrough paths may not contain "..", backslashes, control characters or absolute URLs.');
  }
  return raw.startsWith('/') ? raw : `/${raw}`;
}

const PASSTHROUGH_URL = /^\/passthrough\/([^/?#]+)(\/[^?#]*)?(\?.*)?$/;

/** Decoders for the codings an upstream may use although identity was asked for; the body is redacted decoded. */
const DECODERS: Record<string, () => Transform> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/** The configured provider keys of a snapshot: what a relayed answer is scanned for across chunk boundaries. */
const keysOf = new WeakMap<RuntimeSnapshot, string[]>();
function providerKeys(snapshot: RuntimeSnapshot): string[] {
  let keys = keysOf.get(snapshot);
  if (!keys) {
    keys = [...snapshot.providers.values()].map((p) => p.settings.apiKey).filter((k) => k.length > 0);
    keysOf.set(snapshot, keys);
  }
  return keys;
}

/** The request body as a stream for the upstream to read, or null when the request has none. */
function requestBody(req: IncomingMessage): PassThrough | null {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) return null;
  // Through a PassThrough rather than `req` itself: undici destroys the body it was given when the request
  // fails, and destroying `req` would close the client's connection before its 502/504 is written.
  const body = new PassThrough();
  req.on('error', (err) => body.destroy(err));
  req.pipe(body);
  return body;
}

/** After an early answer (the upstream failed or answered before the body was sent), the rest of the body is discarded. */
function discardRest(req: IncomingMessage, body: PassThrough | null): void {
  if (!body) return;
  req.unpipe(body);
  if (!req.complete) req.resume();
}

/** The answer's body decoded to plain bytes, or the 502 for a coding the gateway cannot read. */
function decoderFor(upstream: UpstreamResponse, provider: string): Transform | undefined {
  const coding = String(upstream.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (coding === 'identity' || coding === '') return undefined;
  const make = Object.hasOwn(DECODERS, coding) ? DECODERS[coding] : undefined;
  if (!make) throw errors.upstreamEncodingUnsupported(provider, coding);
  return make();
}

function failureOf(err: unknown, provider: string, cancel: { readonly aborted: boolean }): GatewayError {
  const f = describeTransportError(err, cancel);
  return f.timedOut ? errors.upstreamTimeout(provider, f.reason) : errors.upstreamUnreachable(provider, f.reason);
}

interface PassthroughTarget {
  provider: ResolvedProvider;
  transport: HttpTransport;
  /** The upstream path: the provider's base path, the checked sub-path, the query as sent. */
  path: string;
}

/** Where a request goes, or the 404/503/400 that refuses it. */
function resolveTarget(snapshot: RuntimeSnapshot, url: string): PassthroughTarget {
  const match = PASSTHROUGH_URL.exec(url);
  const provider = match ? snapshot.providers.get(fullyDecoded(match[1])) : undefined;
  const transport = provider && provider.settings.api !== 'mock' ? httpTransportOf(provider.transport) : undefined;
  if (!match || !provider || !transport) throw errors.unknownPassthroughProvider();
  if (!provider.available) throw errors.providerUnavailable(provider.name, provider.missingEnv);
  const base = new URL(provider.settings.baseUrl);
  return { provider, transport, path: base.pathname.replace(/\/+$/, '') + safeSubPath(match[2] ?? '/') + (match[3] ?? '') };
}

/**
 * Sends the request and waits for the answer's headers. Until then the attempt's deadlines apply as on the
 * model routes (`timeout_ms`, then `first_byte_timeout_ms`), precise to the millisecond; undici's own timers
 * (about a second coarse) are the backstop, and after the headers its body timeout bounds each silence at
 * `timeout_ms`. A relay's total length is not limited: a large download may take longer than one model call.
 * The deadlines start once the request body is sent: an upload may take long, and the server's
 * request_timeout_ms bounds a slow client meanwhile.
 */
async function sendUpstream(target: PassthroughTarget, req: IncomingMessage, body: PassThrough | null, cancel: AbortSource): Promise<UpstreamResponse> {
  const { provider } = target;
  const { totalMs, firstByteMs } = provider.timeouts;
  const headers = forwardedRequestHeaders(req.headers, { ...provider.settings.headers, ...provider.adapter.authHeaders(provider.settings) });
  const deadlines = new AttemptSignal(cancel, totalMs, firstByteMs);
  let answered = false;
  const startDeadlines = () => void (answered || deadlines.start());
  try {
    const pending = forward(
      target.transport.dispatcher,
      { method: req.method ?? 'GET', path: target.path, headers, body },
      { headersTimeoutMs: totalMs, bodyTimeoutMs: totalMs, cancel: deadlines },
    );
    if (body) body.once('end', startDeadlines);
    else startDeadlines();
    return await pending;
  } finally {
    answered = true;
    deadlines.dispose();
  }
}

/** Writes the answer's status and headers, then streams its body to the client, decoded and redacted. Resolves with the relay's failure, if any. */
async function relay(upstream: UpstreamResponse, res: HttpResponse, ctx: RequestContext, snapshot: RuntimeSnapshot, provider: string): Promise<unknown> {
  let decoder: Transform | undefined;
  try {
    decoder = decoderFor(upstream, provider);
    res.writeHead(upstream.status, { ...relayedResponseHeaders(upstream.headers), ...servedHeaders(ctx) });
  } catch (err) {
    upstream.body.destroy(); // refused before relaying: the upstream request must not stay open
    throw err;
  }
  const redact = new RedactingStream(providerKeys(snapshot));
  return new Promise<unknown>((resolve) => (decoder ? pipeline(upstream.body, decoder, redact, res, resolve) : pipeline(upstream.body, redact, res, resolve)));
}

async function serve(ctx: RequestContext, res: HttpResponse, snapshot: RuntimeSnapshot, req: IncomingMessage): Promise<RequestOutcome> {
  const target = resolveTarget(snapshot, req.url ?? '');
  const name = target.provider.name;
  ctx.responseHeaders['x-switchyard-provider'] = name;
  const attempt: AttemptRecord = { alias: 'none', provider: name, model: 'none', latencyMs: 0, ok: false };
  ctx.attempts.push(attempt);
  const cancel = clientAbortOf(ctx);
  const started = performance.now();
  const body = requestBody(req);
  let freeSlot: (() => void) | undefined;
  try {
    // A connection slot first, like every model call: the provider's max_connections and wait queue hold here too.
    freeSlot = await target.transport.admit(cancel);
    let upstream: UpstreamResponse;
    try {
      upstream = await sendUpstream(target, req, body, cancel);
    } catch (err) {
      const failure = failureOf(err, name, cancel);
      attempt.reason = failure.message;
      if (cancel.aborted) return { status: 499, completed: false, latencyMs: performance.now() - ctx.startedMono };
      throw failure;
    }
    attempt.status = upstream.status;
    attempt.ok = upstream.status < 400;
    attempt.ttfbMs = performance.now() - started;
    const relayError = await relay(upstream, res, ctx, snapshot, name);
    const latencyMs = performance.now() - ctx.startedMono;
    if (!relayError) return { status: upstream.status, completed: true, latencyMs };
    // The status is out: a relay cut short (the client left, the upstream went silent or dropped) shows only as
    // a closed connection, and in the log line. Which side cut it is told by the error, not by the client's
    // abort flag: a failed upstream destroys the client's response too, which raises that flag as well.
    const clientLeft = (relayError as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE';
    const error = clientLeft ? undefined : failureOf(relayError, name, { aborted: false });
    attempt.reason = error?.message ?? 'client disconnected';
    return { status: upstream.status, completed: false, error, latencyMs };
  } finally {
    freeSlot?.();
    attempt.latencyMs = performance.now() - started;
    discardRest(req, body);
  }
}

/**
 * The passthrough endpoint for the request lifecycle. Its body is 'raw': the lifecycle hands `serve` the
 * unread request.
 *
 * @example router.mount('/passthrough/', (req, res) => runLifecycle(req, res, handle, 'passthrough', passthroughWork));
 */
export const passthroughWork: EndpointWork = { body: 'raw', serve };

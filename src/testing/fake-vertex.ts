/**
 * A fake Google Vertex AI for tests, with its own OAuth2 token endpoint, on 127.0.0.1. The token endpoint takes
 * the JWT-bearer grant and verifies the assertion's RS256 signature with the service account's public key (its
 * issuer, audience, scope and expiry too) before issuing a token. The model endpoints accept only a token it
 * issued and that has not expired, or a configured Vertex API key, and only for the configured project. Gemini
 * (`publishers/google`: generateContent, streamGenerateContent with alt=sse) is checked as strictly as the fake
 * Gemini API; Claude (`publishers/anthropic`: rawPredict, streamRawPredict) requires
 * `anthropic_version: "vertex-2023-10-16"` and refuses a `model` in the body, as Vertex does.
 */
import crypto, { type KeyObject } from 'node:crypto';
import type http from 'node:http';
import { decodeJwt, jwtVerify } from 'jose';
import { geminiRequestProblem } from './fake-gemini';
import { sleep, splitInto, startFakeUpstream, streamPieces, type FakeUpstream, type RecordedUpstreamCall } from './fake-upstream-server';

export interface FakeVertexBehavior {
  /** Answer with this HTTP status and a Google error body (or an Anthropic one with `anthropicErrorType`). */
  status?: number;
  anthropicErrorType?: string;
  errorMessage?: string;
  reply?: string;
  /** A tool call: a Gemini functionCall or a Claude tool_use block. */
  toolCall?: { name: string; args: Record<string, unknown> };
  /** Gemini usage, or Claude usage (input/output/cache counts are mapped onto whichever publisher answers). */
  usage?: { input: number; output: number; cacheRead?: number; cacheWrite?: number };
  finishReason?: string;
  delayMs?: number;
}

export interface FakeVertexOptions {
  project: string;
  /** Service-account emails → their public keys. */
  serviceAccounts?: Record<string, KeyObject>;
  apiKeys?: string[];
  /** `expires_in` of issued tokens, seconds (default 3600). */
  tokenLifetimeS?: number;
}

export type FakeVertex = FakeUpstream<FakeVertexBehavior> & {
  /** The token endpoint, for a key file's `token_uri`. */
  tokenUri: string;
  /** Token grants answered so far. */
  readonly tokensIssued: number;
  /** Changes the lifetime of tokens issued from now on. */
  setTokenLifetime(seconds: number): void;
};

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

const CLAUDE_FIELDS = new Set([
  'anthropic_version',
  'max_tokens',
  'messages',
  'system',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'metadata',
  'thinking',
]);

function googleError(res: http.ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify({ error: { code: status, message, status: GOOGLE_STATUS[status] ?? 'UNKNOWN' } }));
}

function anthropicError(res: http.ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ type: 'error', error: { type, message } }));
}

/** The complaint Vertex gives a Claude body, or undefined. */
function claudeProblem(body: Record<string, unknown> | undefined, stream: boolean): string | undefined {
  if (!body) return 'Invalid JSON payload received.';
  if ('model' in body) return 'model: Extra inputs are not permitted';
  for (const k of Object.keys(body)) if (!CLAUDE_FIELDS.has(k)) return `${k}: Extra inputs are not permitted`;
  if (body.anthropic_version !== 'vertex-2023-10-16') return "anthropic_version: Input should be 'vertex-2023-10-16'";
  if (typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: Field required';
  if ((body.stream === true) !== stream) return stream ? 'streamRawPredict needs "stream": true' : 'rawPredict does not stream; use streamRawPredict';
  return undefined;
}

/**
 * @example
 * const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
 * const fake = await startFakeVertex({ project: 'acme', serviceAccounts: { 'gw@acme.iam.gserviceaccount.com': publicKey } });
 * // key file: { client_email, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), token_uri: fake.tokenUri }
 */
export async function startFakeVertex(opts: FakeVertexOptions): Promise<FakeVertex> {
  const issued = new Map<string, number>();
  let lifetimeS = opts.tokenLifetimeS ?? 3600;
  let grants = 0;
  let tokenUri = '';

  const grant = async (call: RecordedUpstreamCall, res: http.ServerResponse) => {
    const form = new URLSearchParams(call.rawBody);
    const fail = (error: string, description: string) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error, error_description: description }));
    };
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return fail('unsupported_grant_type', 'Invalid grant_type.');
    const assertion = form.get('assertion') ?? '';
    let issuer: string;
    try {
      issuer = String(decodeJwt(assertion).iss);
    } catch {
      return fail('invalid_grant', 'Invalid JWT: malformed.');
    }
    const key = opts.serviceAccounts && Object.hasOwn(opts.serviceAccounts, issuer) ? opts.serviceAccounts[issuer] : undefined;
    if (!key) return fail('invalid_grant', 'Invalid JWT Signature.');
    try {
      const { payload } = await jwtVerify(assertion, key, { issuer, audience: tokenUri, algorithms: ['RS256'] });
      if ((typeof payload.scope === 'string' ? payload.scope : '').split(' ').indexOf('https://www.googleapis.com/auth/cloud-platform') < 0)
        return fail('invalid_scope', 'Missing cloud-platform scope.');
    } catch (err) {
      return fail('invalid_grant', `Invalid JWT: ${err instanceof Error ? err.message : 'rejected'}`);
    }
    grants++;
    const token = `ya29.fake-${grants}-${crypto.randomBytes(6).toString('hex')}`;
    issued.set(token, Date.now() + lifetimeS * 1000);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: token, expires_in: lifetimeS, token_type: 'Bearer' }));
  };

  const fake = await startFakeUpstream<FakeVertexBehavior>({
    versionPath: '/v1',
    modelOf: (c) => /\/models\/([^:/?]+):/.exec(c.path)?.[1],
    handle: async (call, b, res) => {
      if (call.path === '/token' && call.method === 'POST') return grant(call, res);
      if (b.delayMs) await sleep(b.delayMs);
      const route =
        /^\/v1(?:\/projects\/([^/]+)\/locations\/([^/]+))?\/publishers\/(google|anthropic)\/models\/([^:/?]+):(generateContent|streamGenerateContent|rawPredict|streamRawPredict)(\?.*)?$/.exec(
          call.path,
        );
      if (call.method !== 'POST' || !route) return googleError(res, 404, `The requested URL ${call.path} was not found on this server.`);
      const [, project, , publisher, rawModel, method, query = ''] = route;
      const model = decodeURIComponent(rawModel);
      const authorization = String(call.headers.authorization ?? '');
      const apiKey = call.headers['x-goog-api-key'];
      if (authorization.startsWith('Bearer ')) {
        const expiresAt = issued.get(authorization.slice(7));
        if (expiresAt === undefined || expiresAt <= Date.now())
          return googleError(
            res,
            401,
            'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
          );
      } else if (typeof apiKey !== 'string' || !(opts.apiKeys ?? []).includes(apiKey)) {
        return googleError(
          res,
          401,
          'API keys are not supported by this API. Expected OAuth2 access token or other authentication credentials that assert a principal.',
        );
      }
      if (project === undefined && publisher !== 'google') return googleError(res, 400, "Publisher models other than Google's need a project and location.");
      if (project !== undefined && project !== opts.project) return googleError(res, 403, `Permission denied on resource project ${project}.`);

      const stream = method.startsWith('stream');
      const text = b.toolCall && b.reply === undefined ? '' : (b.reply ?? `reply from ${model}`);
      const u = b.usage ?? { input: Math.max(1, Math.ceil(call.rawBody.length / 40)), output: Math.max(1, Math.ceil(text.length / 4)) };

      if (publisher === 'google') {
        if (method !== 'generateContent' && method !== 'streamGenerateContent') return googleError(res, 400, `${method} is not a Gemini method.`);
        // The same body checks as the Gemini API; the key check there is replaced by the token check above.
        const problem = geminiRequestProblem({ ...call, headers: { ...call.headers, 'x-goog-api-key': 'checked-by-vertex' } });
        if (problem) return googleError(res, problem.status, problem.message);
        if (b.status) return googleError(res, b.status, b.errorMessage ?? `fake error ${b.status}`);
        const usageMetadata = {
          promptTokenCount: u.input + (u.cacheRead ?? 0),
          candidatesTokenCount: u.output,
          totalTokenCount: u.input + (u.cacheRead ?? 0) + u.output,
          ...(u.cacheRead ? { cachedContentTokenCount: u.cacheRead } : {}),
        };
        const callPart = b.toolCall ? [{ functionCall: { name: b.toolCall.name, args: b.toolCall.args } }] : [];
        const envelope = (parts: Record<string, unknown>[], final: boolean) => ({
          candidates: [{ content: { role: 'model', parts }, index: 0, ...(final ? { finishReason: b.finishReason ?? 'STOP' } : {}) }],
          ...(final ? { usageMetadata } : {}),
          modelVersion: model,
          responseId: `vertex-${call.at.toString(36)}`,
        });
        if (!stream) {
          res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
          return void res.end(JSON.stringify(envelope([...(text ? [{ text }] : []), ...callPart], true)));
        }
        if (!/[?&]alt=sse\b/.test(query)) return googleError(res, 400, 'This fake only streams with alt=sse.');
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunks = [...(text ? streamPieces(text).map((t) => [{ text: t }]) : []), ...(callPart.length ? [callPart] : [])];
        for (const [i, parts] of chunks.entries()) res.write(`data: ${JSON.stringify(envelope(parts, i === chunks.length - 1))}\r\n\r\n`);
        return void res.end();
      }

      if (method !== 'rawPredict' && method !== 'streamRawPredict') return googleError(res, 400, `${method} is not a method of Anthropic models.`);
      const problem = claudeProblem(call.body, stream);
      if (problem) return anthropicError(res, 400, 'invalid_request_error', problem);
      if (b.status) {
        if (b.anthropicErrorType) return anthropicError(res, b.status, b.anthropicErrorType, b.errorMessage ?? 'fake error');
        return googleError(res, b.status, b.errorMessage ?? `fake error ${b.status}`);
      }
      const usage = {
        input_tokens: u.input,
        output_tokens: u.output,
        cache_read_input_tokens: u.cacheRead ?? 0,
        cache_creation_input_tokens: u.cacheWrite ?? 0,
      };
      const stopReason = b.finishReason ?? (b.toolCall ? 'tool_use' : 'end_turn');
      const id = `msg_vrtx_${call.at.toString(36)}`;
      const toolId = 'toolu_vrtx_01';
      if (!stream) {
        const content: Record<string, unknown>[] = [];
        if (text) content.push({ type: 'text', text });
        if (b.toolCall) content.push({ type: 'tool_use', id: toolId, name: b.toolCall.name, input: b.toolCall.args });
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage }));
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (data: Record<string, unknown>) => res.write(`event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`);
      send({
        type: 'message_start',
        message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
      });
      let index = 0;
      if (text) {
        send({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        for (const piece of streamPieces(text)) send({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
        send({ type: 'content_block_stop', index });
        index++;
      }
      if (b.toolCall) {
        send({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: toolId, name: b.toolCall.name, input: {} } });
        for (const piece of splitInto(JSON.stringify(b.toolCall.args), 3))
          send({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
        send({ type: 'content_block_stop', index });
      }
      send({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: u.output } });
      send({ type: 'message_stop' });
      res.end();
    },
  });
  tokenUri = `http://127.0.0.1:${fake.port}/token`;
  // defineProperty, not Object.assign: assign would copy the getter's value once instead of the getter.
  const out = Object.assign(fake, { tokenUri, setTokenLifetime: (seconds: number) => void (lifetimeS = seconds) });
  Object.defineProperty(out, 'tokensIssued', { get: () => grants, enumerable: true });
  return out as FakeVertex;
}

/**
 * A fake Gemini API for tests: real HTTP on 127.0.0.1, generateContent and streamGenerateContent (`alt=sse`),
 * Google's error shape, the 400s the real API gives malformed requests (unknown fields, bad roles, schema
 * keywords it does not support, missing key), and fault injection (RESOURCE_EXHAUSTED with RetryInfo,
 * UNAVAILABLE, error events mid-stream).
 */
import type http from 'node:http';
import { sampleForSchema } from './schema-sample';
import { sleep, startFakeUpstream, streamPieces, type FakeUpstream, type RecordedUpstreamCall } from './fake-upstream-server';

export interface FakeGeminiBehavior {
  /** Answer with this HTTP status and a Google error body. */
  status?: number;
  errorMessage?: string;
  /** Adds a google.rpc.RetryInfo detail, e.g. "7s". */
  retryDelay?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Model text (default "reply from <model>"). */
  reply?: string;
  /** Answer with a functionCall part (after the text, if `reply` is set too). */
  functionCall?: { name: string; args: Record<string, unknown> };
  usage?: { promptTokenCount: number; candidatesTokenCount: number; cachedContentTokenCount?: number; thoughtsTokenCount?: number };
  finishReason?: string;
  /** For streams: send a Google error payload (429 RESOURCE_EXHAUSTED unless `streamErrorStatus`) after this many chunks. */
  streamErrorAfterChunks?: number;
  streamErrorStatus?: number;
  /** For streams: pause before each chunk, so chunks reach the client in separate reads. */
  chunkDelayMs?: number;
  /** For streams: wait for this before sending the error payload, so a test can first read the chunks before it (no sleep). */
  holdStreamError?: Promise<unknown>;
}

export type FakeGemini = FakeUpstream<FakeGeminiBehavior>;

const GOOGLE_STATUS_BY_HTTP: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const KNOWN_FIELDS = new Set(['contents', 'systemInstruction', 'generationConfig', 'tools', 'toolConfig', 'safetySettings', 'cachedContent']);
const KNOWN_CONFIG_FIELDS = new Set([
  'temperature',
  'topP',
  'topK',
  'maxOutputTokens',
  'stopSequences',
  'seed',
  'candidateCount',
  'presencePenalty',
  'frequencyPenalty',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'thinkingConfig',
  'responseLogprobs',
  'logprobs',
]);
const UNSUPPORTED_SCHEMA_KEYS = ['additionalProperties', '$schema', 'strict'];

function googleError(status: number, message: string, details: Record<string, unknown>[] = []): { error: Record<string, unknown> } {
  return { error: { code: status, message, status: GOOGLE_STATUS_BY_HTTP[status] ?? 'UNKNOWN', ...(details.length ? { details } : {}) } };
}

function sendError(
  res: http.ServerResponse,
  status: number,
  message: string,
  details: Record<string, unknown>[] = [],
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(googleError(status, message, details)));
}

function findKey(value: unknown, keys: string[], path: string): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (keys.includes(k)) return `${path}.${k}`;
    const inner = findKey(v, keys, `${path}.${k}`);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * The checks the real API makes before generating; returns the complaint, or undefined if valid.
 *
 * @example geminiRequestProblem(call) // { status: 400, message: 'Invalid JSON payload received. Unknown name "messages": …' }
 */
export function geminiRequestProblem(call: RecordedUpstreamCall): { status: number; message: string; details?: Record<string, unknown>[] } | undefined {
  const key = call.headers['x-goog-api-key'] ?? new URL(call.path, 'http://x').searchParams.get('key');
  if (!key)
    return {
      status: 403,
      message:
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    };
  if (key === 'invalid') {
    return {
      status: 400,
      message: 'API key not valid. Please pass a valid API key.',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
    };
  }
  const bad = (message: string) => ({ status: 400, message });
  const body = call.body;
  if (!body) return bad('Invalid JSON payload received.');
  for (const k of Object.keys(body)) if (!KNOWN_FIELDS.has(k)) return bad(`Invalid JSON payload received. Unknown name "${k}": Cannot find field.`);
  for (const k of Object.keys((body.generationConfig as object | undefined) ?? {})) {
    if (!KNOWN_CONFIG_FIELDS.has(k)) return bad(`Invalid JSON payload received. Unknown name "${k}" at 'generation_config': Cannot find field.`);
  }
  if (!Array.isArray(body.contents) || body.contents.length === 0) return bad('* GenerateContentRequest.contents: contents is not specified');
  for (const [i, c] of (body.contents as { role?: unknown; parts?: unknown }[]).entries()) {
    if (c.role !== undefined && c.role !== 'user' && c.role !== 'model') return bad('Please use a valid role: user, model.');
    if (!Array.isArray(c.parts) || c.parts.length === 0) return bad(`* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`);
  }
  const schemaKey =
    findKey(body.tools, UNSUPPORTED_SCHEMA_KEYS, 'tools') ??
    findKey((body.generationConfig as Record<string, unknown> | undefined)?.responseSchema, UNSUPPORTED_SCHEMA_KEYS, 'response_schema');
  if (schemaKey) return bad(`Invalid JSON payload received. Unknown name "${schemaKey.split('.').pop()}" at '${schemaKey}': Cannot find field.`);
  const model = /\/models\/([^:/?]+):/.exec(call.path)?.[1] ?? '';
  const thinking = (body.generationConfig as { thinkingConfig?: Record<string, unknown> } | undefined)?.thinkingConfig;
  if (thinking) {
    for (const k of Object.keys(thinking)) {
      if (!['thinkingBudget', 'thinkingLevel', 'includeThoughts'].includes(k))
        return bad(`Invalid JSON payload received. Unknown name "${k}" at 'generation_config.thinking_config': Cannot find field.`);
    }
    if (thinking.thinkingLevel !== undefined && thinking.thinkingBudget !== undefined)
      return bad('You can only set only one of thinking budget and thinking level.');
    if (thinking.thinkingLevel !== undefined && !model.startsWith('gemini-3')) return bad('Thinking level is not supported for this model.');
  }
  // Gemini 3 checks that every model turn's first function call carries the thought signature it was given.
  if (model.startsWith('gemini-3')) {
    for (const [i, c] of (body.contents as { role?: unknown; parts: Record<string, unknown>[] }[]).entries()) {
      if (c.role !== 'model') continue;
      const first = c.parts.findIndex((p) => p.functionCall !== undefined);
      if (first >= 0 && typeof c.parts[first].thoughtSignature !== 'string') {
        return bad(
          `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${String((c.parts[first].functionCall as { name?: unknown }).name)}\` , position ${i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`,
        );
      }
    }
  }
  return undefined;
}

/**
 * What batchEmbedContents refuses: an unknown field, a request without text, or one naming another model.
 *
 * @example geminiEmbedProblem(call, 'gemini-embedding-001') // undefined for a well-formed request
 */
export function geminiEmbedProblem(call: RecordedUpstreamCall, model: string): string | undefined {
  const body = call.body;
  if (!body) return 'Invalid JSON payload received.';
  for (const k of Object.keys(body)) if (k !== 'requests') return `Invalid JSON payload received. Unknown name "${k}": Cannot find field.`;
  if (!Array.isArray(body.requests) || body.requests.length === 0) return '* BatchEmbedContentsRequest.requests: requests is not specified';
  for (const [i, r] of (body.requests as Record<string, unknown>[]).entries()) {
    for (const k of Object.keys(r)) {
      if (!['model', 'content', 'taskType', 'title', 'outputDimensionality'].includes(k))
        return `Invalid JSON payload received. Unknown name "${k}" at 'requests[${i}]': Cannot find field.`;
    }
    if (r.model !== `models/${model}`)
      return `* BatchEmbedContentsRequest.model: Model names should start with \`models/\` and match the batch's model; requests[${i}] names ${String(r.model)}.`;
    const parts = (r.content as { parts?: { text?: unknown }[] } | undefined)?.parts;
    if (!Array.isArray(parts) || parts.length === 0 || typeof parts[0].text !== 'string')
      return `* BatchEmbedContentsRequest.requests[${i}].content: content is not specified`;
  }
  return undefined;
}

/**
 * @example
 * const fake = await startFakeGemini();
 * fake.on('gemini-2.5-flash', { status: 429, retryDelay: '3s' }, 1);
 * // provider: { api: gemini, base_url: fake.url, api_key: "k" }
 */
export async function startFakeGemini(): Promise<FakeGemini> {
  return startFakeUpstream<FakeGeminiBehavior>({
    versionPath: '/v1beta',
    modelOf: (c) => /\/models\/([^:/?]+):/.exec(c.path)?.[1],
    handle: async (call, b, res) => {
      if (b.delayMs) await sleep(b.delayMs);
      const embed = /^\/v1beta\/models\/([^:/?]+):batchEmbedContents$/.exec(call.path);
      if (call.method === 'POST' && embed) {
        const key = call.headers['x-goog-api-key'];
        if (!key) return sendError(res, 403, "Method doesn't allow unregistered callers (callers without established identity).");
        const problem = geminiEmbedProblem(call, embed[1]);
        if (problem) return sendError(res, 400, problem);
        if (b.status && b.status >= 400) return sendError(res, b.status, b.errorMessage ?? `fake error ${b.status}`, [], b.headers);
        const requests = call.body!.requests as { content: { parts: { text: string }[] }; outputDimensionality?: number }[];
        // Deterministic vectors: the text's length and first character code, then a fixed ramp.
        const embeddings = requests.map((r) => {
          const text = r.content.parts[0].text;
          const size = r.outputDimensionality ?? 8;
          return { values: Array.from({ length: size }, (_, i) => (i === 0 ? text.length : i === 1 ? text.charCodeAt(0) || 0 : i / 10)) };
        });
        res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', ...b.headers });
        return void res.end(JSON.stringify({ embeddings }));
      }
      const route = /^\/v1beta\/models\/([^:/?]+):(generateContent|streamGenerateContent)(\?.*)?$/.exec(call.path);
      if (call.method !== 'POST' || !route) return sendError(res, 404, `Method not found: ${call.path}`);
      const problem = geminiRequestProblem(call);
      if (problem) return sendError(res, problem.status, problem.message, problem.details);
      if (b.status && b.status >= 400) {
        const details = b.retryDelay ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: b.retryDelay }] : [];
        const message =
          b.errorMessage ?? (b.status === 429 ? 'You exceeded your current quota, please check your plan and billing details.' : `fake error ${b.status}`);
        return sendError(res, b.status, message, details, b.headers);
      }
      const model = route[1];
      const config = (call.body?.generationConfig ?? {}) as { responseMimeType?: unknown; responseSchema?: unknown; responseJsonSchema?: unknown };
      const schema = config.responseMimeType === 'application/json' ? (config.responseSchema ?? config.responseJsonSchema ?? {}) : undefined;
      const text =
        b.functionCall && b.reply === undefined ? '' : (b.reply ?? (schema !== undefined ? JSON.stringify(sampleForSchema(schema)) : `reply from ${model}`));
      const u = b.usage ?? {
        promptTokenCount: Math.max(1, Math.ceil(call.rawBody.length / 40)),
        candidatesTokenCount: Math.max(1, Math.ceil(text.length / 4)),
      };
      const usageMetadata = { ...u, totalTokenCount: u.promptTokenCount + u.candidatesTokenCount + (u.thoughtsTokenCount ?? 0) };
      const finishReason = b.finishReason ?? 'STOP';
      const responseId = `fake-${call.at.toString(36)}`;
      const envelope = (parts: Record<string, unknown>[], final: boolean) => ({
        candidates: [{ content: { parts, role: 'model' }, index: 0, ...(final ? { finishReason } : {}) }],
        usageMetadata: final ? usageMetadata : { promptTokenCount: u.promptTokenCount, totalTokenCount: u.promptTokenCount },
        modelVersion: model,
        responseId,
      });
      const callPart = b.functionCall
        ? [{ functionCall: { name: b.functionCall.name, args: b.functionCall.args }, thoughtSignature: 'ZmFrZS1zaWduYXR1cmU=' }]
        : [];

      // Thought summaries, for a request that asked for them (thinkingConfig.includeThoughts).
      const thinkingConfig = (call.body?.generationConfig as { thinkingConfig?: { includeThoughts?: unknown } } | undefined)?.thinkingConfig;
      const thoughtPart = thinkingConfig?.includeThoughts === true ? [{ text: 'Thinking it over.', thought: true }] : [];
      if (route[2] === 'generateContent') {
        res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', ...b.headers });
        return void res.end(JSON.stringify(envelope([...thoughtPart, ...(text ? [{ text }] : []), ...callPart], true)));
      }
      // Without alt=sse Gemini streams one JSON array; the adapter always asks for SSE, and so does this fake.
      if (!/[?&]alt=sse\b/.test(call.path)) return sendError(res, 400, 'This fake only streams with alt=sse.');
      res.writeHead(200, { 'content-type': 'text/event-stream', ...b.headers });
      const chunks = [
        ...(thoughtPart.length ? [thoughtPart] : []),
        ...(text ? streamPieces(text).map((t) => [{ text: t }]) : []),
        ...(callPart.length ? [callPart] : []),
      ];
      for (const [i, parts] of chunks.entries()) {
        if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
        if (b.streamErrorAfterChunks !== undefined && i >= b.streamErrorAfterChunks) {
          const status = b.streamErrorStatus ?? 429;
          await b.holdStreamError;
          res.write(`data: ${JSON.stringify(googleError(status, b.errorMessage ?? 'Resource has been exhausted (e.g. check quota).'))}\r\n\r\n`);
          return void res.end();
        }
        res.write(`data: ${JSON.stringify(envelope(parts, i === chunks.length - 1))}\r\n\r\n`);
      }
      if (chunks.length === 0) res.write(`data: ${JSON.stringify(envelope([{ text: '' }], true))}\r\n\r\n`);
      res.end();
    },
  });
}

/**
 * A fake AWS Bedrock runtime for tests: real HTTP on 127.0.0.1, Converse (JSON) and ConverseStream (the binary AWS
 * event stream, encoded with the same codec the gateway decodes with), strict like the real service. It verifies
 * each request's SigV4 signature by recomputing it independently (node:crypto) with the secret of the access
 * key it names, or checks a Bedrock API key (bearer); it rejects unknown fields, blank text, roles out of turn,
 * tool results without a matching tool use, and tool blocks without a toolConfig, with Bedrock's exception names
 * and statuses; and it injects faults (ThrottlingException, ModelNotReadyException, ServiceUnavailableException,
 * AccessDeniedException, an over-long prompt, exception frames mid-stream). Claude's reasoning is signed over its
 * text, and with thinking on (`additionalModelRequestFields.thinking`) the assistant turn before the last tool
 * results must start with its reasoning, every block back unchanged, as Claude on Bedrock requires. With
 * `interleaved`, Claude reasons again between tool calls; each block must then come back in its place among the
 * toolUse blocks, or the turn is refused as modified.
 */
import crypto from 'node:crypto';
import type http from 'node:http';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { sleep, splitInto, startFakeUpstream, streamPieces, type FakeUpstream, type RecordedUpstreamCall } from './fake-upstream-server';

export interface FakeBedrockBehavior {
  /** Answer with this exception (its usual status unless `status`), e.g. 'ThrottlingException'. */
  exception?: string;
  status?: number;
  errorMessage?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Assistant text (default "reply from <modelId>"). */
  reply?: string;
  /** Answer with a toolUse block (after the text, if `reply` is set too). */
  toolUse?: { name: string; input: Record<string, unknown> };
  /** Answer with a reasoning block before the text. */
  reasoning?: string;
  /** Answer with these reasoning blocks before the text: a string is signed reasoning text, `{ redacted: true }` redactedContent. */
  thoughts?: (string | { redacted: true })[];
  /** With `toolUse`, more tool calls after it, each after a signed reasoning block of its own. */
  interleaved?: { thought: string; toolUse: { name: string; input: Record<string, unknown> } }[];
  usage?: { inputTokens: number; outputTokens: number; cacheReadInputTokens?: number; cacheWriteInputTokens?: number };
  stopReason?: string;
  /** For streams: send an exception frame (throttlingException unless `streamException`) after this many deltas. */
  streamExceptionAfterDeltas?: number;
  streamException?: string;
  /** For streams: wait for this before the exception frame, so a test can first read what came before it. */
  holdStreamException?: Promise<unknown>;
}

export interface FakeBedrockOptions {
  /** The region requests must be signed for (default us-east-1). */
  region?: string;
  /** Access key id → its secret (and the session token it must come with, for temporary credentials). */
  accessKeys?: Record<string, { secret: string; sessionToken?: string }>;
  /** Bedrock API keys accepted as `Authorization: Bearer …`. */
  bearerKeys?: string[];
}

export type FakeBedrock = FakeUpstream<FakeBedrockBehavior> & {
  /** How each call authenticated: 'sigv4:<access key id>' or 'bearer'. */
  authOf(call: RecordedUpstreamCall): string | undefined;
};

const STATUS_BY_EXCEPTION: Record<string, number> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
};

const DEFAULT_MESSAGES: Record<string, string> = {
  ThrottlingException: 'Too many requests, please wait before trying again.',
  ModelNotReadyException: 'Model is not ready for inference. Wait and try your request again.',
  ServiceUnavailableException: 'Bedrock is unable to process your request.',
  AccessDeniedException: "You don't have access to the model with the specified model ID.",
  InternalServerException: 'The server encountered an internal error.',
};

const TOP_LEVEL_FIELDS = new Set([
  'messages',
  'system',
  'inferenceConfig',
  'toolConfig',
  'guardrailConfig',
  'additionalModelRequestFields',
  'promptVariables',
  'additionalModelResponseFieldPaths',
  'requestMetadata',
  'performanceConfig',
]);
const INFERENCE_FIELDS = new Set(['maxTokens', 'temperature', 'topP', 'stopSequences']);
const BLOCK_KINDS = new Set(['text', 'image', 'document', 'video', 'toolUse', 'toolResult', 'guardContent', 'cachePoint', 'reasoningContent']);
const IMAGE_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp']);
const DOCUMENT_FORMATS = new Set(['pdf', 'csv', 'doc', 'docx', 'xls', 'xlsx', 'html', 'txt', 'md']);

function sendException(
  res: http.ServerResponse,
  name: string,
  message: string,
  status = STATUS_BY_EXCEPTION[name] ?? 400,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    'x-amzn-requestid': 'fake-request-id',
    ...headers,
  });
  res.end(JSON.stringify({ message }));
}

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256Hex = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');
const hmac = (key: crypto.BinaryLike, data: string) => crypto.createHmac('sha256', key).update(data).digest();

function header(call: RecordedUpstreamCall, name: string): string | undefined {
  const v = call.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * Recomputes the request's SigV4 signature from what arrived; returns the complaint, or the access key id.
 *
 * @example verifySigV4(call, { AKIDEXAMPLE: { secret: 'wJalr…' } }, 'us-east-1') // { accessKeyId: 'AKIDEXAMPLE' }
 */
export function verifySigV4(
  call: RecordedUpstreamCall,
  keys: Record<string, { secret: string; sessionToken?: string }>,
  region: string,
): { accessKeyId: string } | { exception: string; message: string } {
  const auth = header(call, 'authorization') ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return { exception: 'UnrecognizedClientException', message: 'Authorization header requires a valid SigV4 signature.' };
  const [, accessKeyId, date, scopeRegion, service, signedHeaderList, signature] = m;
  const key = Object.hasOwn(keys, accessKeyId) ? keys[accessKeyId] : undefined;
  if (!key) return { exception: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  const amzDate = header(call, 'x-amz-date') ?? '';
  if (!amzDate.startsWith(date))
    return { exception: 'InvalidSignatureException', message: 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.' };
  if (scopeRegion !== region || service !== 'bedrock') {
    return { exception: 'InvalidSignatureException', message: `Credential should be scoped to a valid region and service: expected ${region}/bedrock.` };
  }
  const signedHeaders = signedHeaderList.split(';');
  for (const required of ['host', 'x-amz-date']) {
    if (!signedHeaders.includes(required)) return { exception: 'InvalidSignatureException', message: `'${required}' must be a signed header.` };
  }
  if (key.sessionToken !== undefined) {
    if (header(call, 'x-amz-security-token') !== key.sessionToken)
      return { exception: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    if (!signedHeaders.includes('x-amz-security-token'))
      return { exception: 'InvalidSignatureException', message: "'x-amz-security-token' must be a signed header." };
  }
  const bodyHash = sha256Hex(Buffer.from(call.rawBody, 'utf8'));
  const declared = header(call, 'x-amz-content-sha256');
  if (declared !== undefined && declared !== bodyHash)
    return { exception: 'InvalidSignatureException', message: 'The provided x-amz-content-sha256 does not match the body.' };
  const [rawPath, rawQuery = ''] = call.path.split('?');
  const canonicalUri = rawPath
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/');
  const canonicalQuery = rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => pair.split('=').map((p) => uriEncode(decodeURIComponent(p))))
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v = '']) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${(header(call, h) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [call.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaderList, declared ?? bodyHash].join('\n');
  const scope = `${date}/${scopeRegion}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secret}`, date), scopeRegion), service), 'aws4_request');
  const expected = hmac(signingKey, stringToSign).toString('hex');
  if (expected !== signature) {
    return {
      exception: 'InvalidSignatureException',
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  }
  return { accessKeyId };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The signature the fake gives Claude's reasoning text: bound to it, so a changed text no longer verifies.
 *
 * @example fakeBedrockReasoningSignature('Let me see') // 'bsig_…'
 */
export function fakeBedrockReasoningSignature(text: string): string {
  return `bsig_${crypto.createHash('sha256').update(`fake-bedrock-reasoning\0${text}`).digest('base64url')}`;
}

/** Redacted reasoning the fake makes: base64 (a blob) that carries its own check, so a changed one is refused. */
function fakeRedactedContent(seed: string): string {
  const body = `redacted:${seed}`;
  return Buffer.from(`${body}|${crypto.createHash('sha256').update(body).digest('hex').slice(0, 16)}`).toString('base64');
}

function redactedContentValid(data: unknown): boolean {
  if (typeof data !== 'string') return false;
  const [body, check] = Buffer.from(data, 'base64').toString('utf8').split('|');
  return !!check && crypto.createHash('sha256').update(body).digest('hex').slice(0, 16) === check;
}

/** A reasoningContent block's complaint (a missing or changed signature, damaged redacted content), or undefined. */
function reasoningProblem(block: Json, where: string): string | undefined {
  const r = block.reasoningContent;
  if (!isObject(r)) return `${where}.reasoningContent must be an object.`;
  if (r.redactedContent !== undefined)
    return redactedContentValid(r.redactedContent)
      ? undefined
      : `The model returned the following errors: ${where}: Invalid \`data\` in \`redacted_thinking\` block`;
  const t = r.reasoningText;
  if (!isObject(t) || typeof t.text !== 'string') return `${where}.reasoningContent: one of reasoningText, redactedContent is required.`;
  if (typeof t.signature !== 'string' || !t.signature) return `The model returned the following errors: ${where}.thinking.signature: Field required`;
  if (t.signature !== fakeBedrockReasoningSignature(t.text))
    return `The model returned the following errors: ${where}: Invalid \`signature\` in \`thinking\` block`;
  return undefined;
}

/**
 * With thinking on, the assistant turn that made the tool calls the last user turn answers must start with its
 * reasoning (Claude's rule, in the words Bedrock relays); undefined when it does.
 */
function missingReasoningBeforeToolResult(body: Json): string | undefined {
  const thinking = isObject(body.additionalModelRequestFields) ? body.additionalModelRequestFields.thinking : undefined;
  if (!isObject(thinking) || thinking.type !== 'enabled') return undefined;
  const messages = body.messages as Json[];
  const last = messages.length - 1;
  const answers = (messages[last].content as Json[]).some((b) => isObject(b.toolResult));
  if (!answers || last < 1) return undefined;
  const first = (messages[last - 1].content as Json[])[0];
  if (isObject(first?.reasoningContent)) return undefined;
  return (
    `The model returned the following errors: messages.${last - 1}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${Object.keys(first ?? {})[0] ?? 'nothing'}\`. ` +
    'When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks).'
  );
}

/**
 * A content list's reasoning blocks, each as what identifies it (signature, or redacted content) and the number of
 * toolUse blocks before it (`key@n`): what must come back unchanged, in order and in place.
 */
function placedReasoningKeys(content: Json[]): string[] {
  let toolUses = 0;
  const keys: string[] = [];
  for (const block of content) {
    if (isObject(block.toolUse)) toolUses++;
    const r = isObject(block.reasoningContent) ? block.reasoningContent : undefined;
    const key = r ? (isObject(r.reasoningText) ? r.reasoningText.signature : r.redactedContent) : undefined;
    if (typeof key === 'string') keys.push(`${key}@${toolUses}`);
  }
  return keys;
}

/**
 * With thinking on, the assistant turn before the last tool results must hold the reasoning of the answer that
 * made it in order and in place (`issued`: its first block's key → every block's placed key); undefined if it does.
 */
function movedReasoning(body: Json, issued: Map<string, string[]>): string | undefined {
  const thinking = isObject(body.additionalModelRequestFields) ? body.additionalModelRequestFields.thinking : undefined;
  if (!isObject(thinking) || thinking.type !== 'enabled') return undefined;
  const messages = body.messages as Json[];
  const last = messages.length - 1;
  if (last < 1 || messages[last - 1].role !== 'assistant') return undefined;
  const keys = placedReasoningKeys(messages[last - 1].content as Json[]);
  const expected = keys.length ? issued.get(keys[0].slice(0, keys[0].lastIndexOf('@'))) : undefined;
  if (!expected || expected.join('\n') === keys.join('\n')) return undefined;
  return (
    `The model returned the following errors: messages.${last - 1}.content: \`thinking\` or \`redacted_thinking\` blocks in the latest ` +
    'assistant message cannot be modified. These blocks must remain as they were in the original response.'
  );
}

/**
 * The checks the real Converse API makes before generating; returns the complaint, or undefined if valid.
 *
 * @example converseRequestProblem({ messages: [], foo: 1 }) // 'Malformed input request: extraneous key [foo] is not permitted…'
 */
export function converseRequestProblem(body: Json | undefined): string | undefined {
  if (!body) return 'Malformed input request, please reformat your input and try again.';
  for (const k of Object.keys(body))
    if (!TOP_LEVEL_FIELDS.has(k)) return `Malformed input request: extraneous key [${k}] is not permitted, please reformat your input and try again.`;
  if (isObject(body.inferenceConfig)) {
    for (const k of Object.keys(body.inferenceConfig))
      if (!INFERENCE_FIELDS.has(k)) return `Malformed input request: extraneous key [inferenceConfig.${k}] is not permitted.`;
    const t = body.inferenceConfig.temperature;
    if (typeof t === 'number' && (t < 0 || t > 1)) return 'The model returned the following errors: temperature: range: 0..1';
  }
  for (const [i, s] of (Array.isArray(body.system) ? body.system : []).entries()) {
    if (!isObject(s) || Object.keys(s).length !== 1 || !('text' in s || 'cachePoint' in s || 'guardContent' in s))
      return `system.${i}: exactly one of text, cachePoint, guardContent is required.`;
    if ('text' in s && (typeof s.text !== 'string' || !s.text.trim()))
      return 'The text field in the ContentBlock object at system.' + i + ' is blank. Add text to the text field, and try again.';
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return 'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
  const tools = isObject(body.toolConfig) && Array.isArray(body.toolConfig.tools) ? body.toolConfig.tools : undefined;
  if (body.toolConfig !== undefined) {
    if (!tools || tools.length === 0) return 'The value at toolConfig.tools must contain at least one tool.';
    for (const t of tools) {
      if (!isObject(t) || Object.keys(t).length !== 1) return 'Each toolConfig.tools entry needs exactly one of toolSpec, cachePoint.';
      if (isObject(t.toolSpec) && !isObject((t.toolSpec.inputSchema as Json | undefined)?.json)) return 'toolSpec.inputSchema.json is required.';
    }
  }
  let previousToolUses = new Set<string>();
  let usesTools = false;
  for (const [i, msg] of (body.messages as unknown[]).entries()) {
    if (!isObject(msg)) return `messages.${i} is not an object.`;
    const expectedRole = i % 2 === 0 ? 'user' : 'assistant';
    if (msg.role !== expectedRole) {
      return i === 0
        ? 'A conversation must start with a user message. Try again with a conversation that starts with a user message.'
        : 'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.';
    }
    if (!Array.isArray(msg.content) || msg.content.length === 0)
      return `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`;
    const toolUses = new Set<string>();
    for (const [j, block] of (msg.content as unknown[]).entries()) {
      if (!isObject(block)) return `messages.${i}.content.${j} is not an object.`;
      const kinds = Object.keys(block);
      if (kinds.length !== 1 || !BLOCK_KINDS.has(kinds[0]))
        return `Malformed input request: messages.${i}.content.${j}: exactly one content block member is required, got [${kinds.join(', ')}].`;
      const where = `messages.${i}.content.${j}`;
      if ('text' in block && (typeof block.text !== 'string' || !block.text.trim()))
        return `The text field in the ContentBlock object at ${where} is blank. Add text to the text field, and try again.`;
      if (isObject(block.image) && (!IMAGE_FORMATS.has(String(block.image.format)) || typeof (block.image.source as Json | undefined)?.bytes !== 'string'))
        return `${where}.image: a format (png, jpeg, gif, webp) and source.bytes are required.`;
      if (isObject(block.document)) {
        const d = block.document;
        if (!DOCUMENT_FORMATS.has(String(d.format))) return `${where}.document.format is not a supported format.`;
        if (typeof d.name !== 'string' || !/^[A-Za-z0-9\-()[\] ]+$/.test(d.name) || /\s{2,}/.test(d.name))
          return `${where}.document.name may only contain alphanumeric characters, whitespace characters, hyphens, parentheses, and square brackets.`;
        if (typeof (d.source as Json | undefined)?.bytes !== 'string') return `${where}.document.source.bytes is required.`;
      }
      if ('reasoningContent' in block) {
        const problem = reasoningProblem(block, where);
        if (problem) return problem;
      }
      if (isObject(block.toolUse)) {
        usesTools = true;
        if (msg.role !== 'assistant') return `${where}: toolUse blocks belong to assistant messages.`;
        toolUses.add(String(block.toolUse.toolUseId));
      }
      if (isObject(block.toolResult)) {
        usesTools = true;
        if (!previousToolUses.has(String(block.toolResult.toolUseId)))
          return `The toolResult blocks at ${where} do not match the toolUse blocks of the previous turn: ${String(block.toolResult.toolUseId)}.`;
        if (!Array.isArray(block.toolResult.content) || block.toolResult.content.length === 0) return `${where}.toolResult.content must not be empty.`;
      }
    }
    previousToolUses = toolUses;
  }
  if (usesTools && !tools) return 'The toolConfig field must be defined when using toolUse and toolResult content blocks.';
  if ((body.messages as Json[])[body.messages.length - 1].role !== 'user') return 'A conversation must end with a user message.';
  return missingReasoningBeforeToolResult(body);
}

/**
 * @example
 * const fake = await startFakeBedrock({ accessKeys: { AKIDTEST: { secret: 'shh' } } });
 * fake.on('anthropic.claude-3-5-haiku-20241022-v1:0', { exception: 'ThrottlingException' }, 1);
 * // provider: { api: bedrock, base_url: fake.url, region: us-east-1 } with AWS_ACCESS_KEY_ID=AKIDTEST in the environment
 */
export async function startFakeBedrock(opts: FakeBedrockOptions = {}): Promise<FakeBedrock> {
  const region = opts.region ?? 'us-east-1';
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const auths = new WeakMap<RecordedUpstreamCall, string>();
  /** Every answer's reasoning in place, by its first block's key (movedReasoning). */
  const issued = new Map<string, string[]>();
  const fake = await startFakeUpstream<FakeBedrockBehavior>({
    versionPath: '',
    modelOf: (c) => {
      const m = /^\/model\/([^/?]+)\/converse(-stream)?(\?|$)/.exec(c.path);
      return m ? decodeURIComponent(m[1]) : undefined;
    },
    handle: async (call, b, res) => {
      if (b.delayMs) await sleep(b.delayMs);
      const route = /^\/model\/([^/?]+)\/(converse|converse-stream)(\?.*)?$/.exec(call.path);
      if (call.method !== 'POST' || !route) return sendException(res, 'UnknownOperationException', `Unknown operation: ${call.path}`, 404);
      const authorization = header(call, 'authorization') ?? '';
      if (/^Bearer /i.test(authorization)) {
        if (!(opts.bearerKeys ?? []).includes(authorization.slice(7)))
          return sendException(res, 'AccessDeniedException', 'Authentication failed: Please make sure your API Key is valid.', 403);
        auths.set(call, 'bearer');
      } else {
        const verdict = verifySigV4(call, opts.accessKeys ?? {}, region);
        if ('exception' in verdict) return sendException(res, verdict.exception, verdict.message);
        auths.set(call, `sigv4:${verdict.accessKeyId}`);
      }
      if (header(call, 'content-type')?.split(';')[0] !== 'application/json')
        return sendException(res, 'ValidationException', 'Content-Type must be application/json.');
      const problem = converseRequestProblem(call.body) ?? (call.body && movedReasoning(call.body, issued));
      if (problem) return sendException(res, 'ValidationException', problem);
      if (b.exception) return sendException(res, b.exception, b.errorMessage ?? DEFAULT_MESSAGES[b.exception] ?? `fake ${b.exception}`, b.status, b.headers);

      const modelId = decodeURIComponent(route[1]);
      const text = b.toolUse && b.reply === undefined ? '' : (b.reply ?? `reply from ${modelId}`);
      const u = b.usage ?? { inputTokens: Math.max(1, Math.ceil(call.rawBody.length / 40)), outputTokens: Math.max(1, Math.ceil(text.length / 4)) };
      const usage = { ...u, totalTokens: u.inputTokens + u.outputTokens + (u.cacheReadInputTokens ?? 0) + (u.cacheWriteInputTokens ?? 0) };
      const stopReason = b.stopReason ?? (b.toolUse ? 'tool_use' : 'end_turn');
      const toolUseId = 'tooluse_FakeBedrock0000000001';
      const thoughts = [...(b.reasoning ? [b.reasoning] : []), ...(b.thoughts ?? [])].map((t, n) =>
        typeof t === 'string'
          ? { reasoningText: { text: t, signature: fakeBedrockReasoningSignature(t) } }
          : { redactedContent: fakeRedactedContent(`${call.at}:${n}`) },
      );
      // Claude reasoning again between tool calls: a signed block before each further toolUse.
      const later: Json[] = (b.toolUse ? (b.interleaved ?? []) : []).flatMap((step, n) => [
        { reasoningContent: { reasoningText: { text: step.thought, signature: fakeBedrockReasoningSignature(step.thought) } } },
        { toolUse: { toolUseId: `tooluse_FakeBedrock${String(n + 2).padStart(10, '0')}`, name: step.toolUse.name, input: step.toolUse.input } },
      ]);
      const answer: Json[] = thoughts.map((reasoningContent) => ({ reasoningContent }));
      if (text) answer.push({ text });
      if (b.toolUse) answer.push({ toolUse: { toolUseId, name: b.toolUse.name, input: b.toolUse.input } });
      answer.push(...later);
      const keys = placedReasoningKeys(answer);
      if (keys.length) issued.set(keys[0].slice(0, keys[0].lastIndexOf('@')), keys);

      if (route[2] === 'converse') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'fake-request-id', ...b.headers });
        return void res.end(JSON.stringify({ output: { message: { role: 'assistant', content: answer } }, stopReason, usage, metrics: { latencyMs: 12 } }));
      }

      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'fake-request-id', ...b.headers });
      const frame = (eventType: string, payload: Json) =>
        codec.encode({
          headers: {
            ':event-type': { type: 'string', value: eventType },
            ':content-type': { type: 'string', value: 'application/json' },
            ':message-type': { type: 'string', value: 'event' },
          },
          // Bedrock pads payloads with a `p` field so their lengths do not reveal the text.
          body: fromUtf8(JSON.stringify({ ...payload, p: 'abcdefgh' })),
        });
      const send = (eventType: string, payload: Json) => res.write(frame(eventType, payload));
      let deltas = 0;
      const maybeFail = async (): Promise<boolean> => {
        if (b.streamExceptionAfterDeltas === undefined || deltas < b.streamExceptionAfterDeltas) return false;
        await b.holdStreamException;
        const name = b.streamException ?? 'throttlingException';
        res.write(
          codec.encode({
            headers: {
              ':exception-type': { type: 'string', value: name },
              ':content-type': { type: 'string', value: 'application/json' },
              ':message-type': { type: 'string', value: 'exception' },
            },
            body: fromUtf8(JSON.stringify({ message: b.errorMessage ?? 'Too many tokens, please wait before trying again.' })),
          }),
        );
        res.end();
        return true;
      };
      send('messageStart', { role: 'assistant' });
      let index = 0;
      for (const thought of thoughts) {
        if (thought.redactedContent)
          send('contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { redactedContent: thought.redactedContent } } });
        else {
          send('contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { text: thought.reasoningText!.text } } });
          send('contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { signature: thought.reasoningText!.signature } } });
        }
        send('contentBlockStop', { contentBlockIndex: index });
        index++;
      }
      if (text) {
        for (const piece of streamPieces(text)) {
          if (await maybeFail()) return;
          // Several frames in one write and a frame split over two, as TCP delivers them.
          const bytes = frame('contentBlockDelta', { contentBlockIndex: index, delta: { text: piece } });
          const cut = Math.floor(bytes.length / 2);
          res.write(bytes.subarray(0, cut));
          res.write(bytes.subarray(cut));
          deltas++;
        }
        send('contentBlockStop', { contentBlockIndex: index });
        index++;
      }
      if (b.toolUse) {
        send('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId, name: b.toolUse.name } } });
        for (const piece of splitInto(JSON.stringify(b.toolUse.input), 3)) {
          if (await maybeFail()) return;
          send('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: piece } } });
          deltas++;
        }
        send('contentBlockStop', { contentBlockIndex: index });
        index++;
      }
      for (const block of later) {
        const r = block.reasoningContent as { reasoningText: { text: string; signature: string } } | undefined;
        const use = block.toolUse as { toolUseId: string; name: string; input: unknown } | undefined;
        if (r) {
          send('contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { text: r.reasoningText.text } } });
          send('contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { signature: r.reasoningText.signature } } });
        } else if (use) {
          send('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId: use.toolUseId, name: use.name } } });
          send('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: JSON.stringify(use.input) } } });
        }
        send('contentBlockStop', { contentBlockIndex: index });
        index++;
      }
      if (await maybeFail()) return;
      send('messageStop', { stopReason });
      send('metadata', { usage, metrics: { latencyMs: 12 } });
      res.end();
    },
  });
  return Object.assign(fake, { authOf: (call: RecordedUpstreamCall) => auths.get(call) });
}

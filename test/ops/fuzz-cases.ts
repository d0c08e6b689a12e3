/**
 * Generated bad requests for the fuzz test: a seeded random source (so a failure can be replayed) and
 * generators for hostile bodies, headers, paths and raw HTTP framing.
 */

import { MESSAGES_REQUEST_FIELDS, seededRandom } from '../../src/testing/fuzz-inputs';
export { seededRandom } from '../../src/testing/fuzz-inputs';

export interface HttpCase {
  kind: 'http';
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawCase {
  kind: 'raw';
  bytes: Buffer;
}

export type FuzzCase = HttpCase | RawCase;

const WEIRD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '💥'.repeat(50),
  'x'.repeat(70_000),
  '../../etc/passwd',
  '${OPENAI_API_KEY}',
  '<script>',
  'null',
  '%s%n%x',
  '\r\nX-Injected: 1',
  '__proto__',
  'constructor',
  'demo\u0000',
  'DEMO',
  ' demo',
];
const WEIRD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  -1e308,
  0.5,
  2 ** 53 + 1,
  'NaN',
  [],
  {},
  [null],
  { toString: 1 },
  { __proto__: { polluted: true } },
  ...WEIRD_STRINGS,
];
const CHAT_FIELDS = [
  'model',
  'messages',
  'stream',
  'stream_options',
  'temperature',
  'top_p',
  'max_tokens',
  'n',
  'stop',
  'tools',
  'tool_choice',
  'response_format',
  'fallbacks',
  'user',
  'logit_bias',
  'seed',
  'metadata',
];
const PATHS = [
  '/v1/chat/completions',
  '/v1/embeddings',
  '/v1/models',
  '/health/live',
  '/health/ready',
  '/metrics',
  '/passthrough/demo/x',
  '/passthrough/up/../x',
  '/v1/chat/completions/',
  '/V1/CHAT/COMPLETIONS',
  '/v1//chat/completions',
  '/v1/chat/completions?stream=true',
  '/v1/messages',
  '/admin/spend',
  '/%',
  '/%00',
  '/..%2f..%2f',
  '/' + 'a'.repeat(5000),
  '/v1/chat/completions#frag',
  '*',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'application/jsonx',
  '',
  'application/json, text/plain',
  ';;;',
];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

function validChat(rand: () => number): Record<string, unknown> {
  return { model: pick(rand, ['demo', 'failing', 'slow']), stream: rand() < 0.4, messages: [{ role: 'user', content: 'hello there' }] };
}

/** A syntactically valid chat body with one to three fields set to hostile values. */
function mutatedChat(rand: () => number): Record<string, unknown> {
  const body = validChat(rand);
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const field = pick(rand, CHAT_FIELDS);
    const r = rand();
    if (field === 'messages' && r < 0.5) {
      body.messages = [{ role: pick(rand, ['user', 'system', 'tool', 'hacker', '', null]), content: pick(rand, WEIRD_VALUES), name: pick(rand, WEIRD_VALUES) }];
      if (rand() < 0.3)
        body.messages = [
          {
            role: 'user',
            content: [
              {
                type: pick(rand, ['text', 'image_url', 'input_audio', 'nonsense']),
                text: pick(rand, WEIRD_VALUES),
                image_url: { url: pick(rand, ['data:image/png;base64,!!!', 'file:///etc/passwd', 'http://169.254.169.254/', 42]) },
              },
            ],
          },
        ];
    } else {
      body[field] = pick(rand, WEIRD_VALUES);
    }
  }
  return body;
}

const BLOCK_TYPES = ['text', 'image', 'tool_use', 'tool_result', 'thinking', 'document', '__proto__', '', null];

/** An Anthropic Messages body with one to three fields hostile: wrong types, nulls in arrays, junk in blocks. */
function mutatedMessages(rand: () => number): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: pick(rand, ['demo', 'failing', 'slow']),
    max_tokens: 16,
    stream: rand() < 0.4,
    messages: [{ role: 'user', content: 'hello there' }],
  };
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const field = pick(rand, MESSAGES_REQUEST_FIELDS);
    if (field === 'messages' && rand() < 0.6) {
      const block = {
        type: pick(rand, BLOCK_TYPES),
        text: pick(rand, WEIRD_VALUES),
        source: pick(rand, WEIRD_VALUES),
        input: pick(rand, WEIRD_VALUES),
        content: pick(rand, WEIRD_VALUES),
      };
      body.messages = [
        { role: pick(rand, ['user', 'assistant', 'system', null]), content: rand() < 0.3 ? pick(rand, WEIRD_VALUES) : [block, pick(rand, WEIRD_VALUES)] },
      ];
    } else if (field === 'tool_choice' && rand() < 0.5) {
      body.tool_choice = { type: pick(rand, ['auto', 'any', 'tool', 'none', null]), name: pick(rand, WEIRD_VALUES) };
    } else {
      body[field] = pick(rand, WEIRD_VALUES);
    }
  }
  return body;
}

/** Random damage to JSON text: truncation, a flipped byte, an inserted junk byte, or raw invalid UTF-8. */
function damaged(rand: () => number, text: string): Buffer {
  const buf = Buffer.from(text);
  const r = rand();
  if (r < 0.3) return buf.subarray(0, Math.floor(rand() * buf.length));
  const copy = Buffer.from(buf);
  const at = Math.floor(rand() * copy.length);
  if (r < 0.6) copy[at] = Math.floor(rand() * 256);
  else if (r < 0.8) return Buffer.concat([copy.subarray(0, at), Buffer.from([0xc0 + Math.floor(rand() * 64)]), copy.subarray(at)]);
  else return Buffer.concat([copy.subarray(0, at), Buffer.from(pick(rand, ['{', '[', '"', '\\', ',', ':', '}}}}', '\u2028'])), copy.subarray(at)]);
  return copy;
}

function nested(rand: () => number): string {
  const depth = pick(rand, [10, 100, 127, 129, 1000, 50_000]);
  return `{"model":"demo","messages":[{"role":"user","content":"x"}],"extra":${'['.repeat(depth)}1${']'.repeat(depth)}}`;
}

function httpCase(rand: () => number): HttpCase {
  const r = rand();
  const headers: Record<string, string> = { 'content-type': rand() < 0.75 ? 'application/json' : pick(rand, CONTENT_TYPES) };
  if (rand() < 0.15) headers['x-switchyard-metadata'] = pick(rand, ['{', '[]', 'null', '{"a":{"b":1}}', '"str"', '{"k":"v"}', 'x'.repeat(8000)]);
  if (rand() < 0.1)
    headers['x-request-id'] = pick(rand, ['ok-id', 'bad id with spaces', 'x'.repeat(500), '../../', '\u00e9t\u00e9']).replace(/[^\x20-\x7e]/g, '?');
  if (rand() < 0.1) headers['content-encoding'] = pick(rand, ['gzip', 'deflate', 'br', 'identity', 'zstd', 'x-evil']);
  if (rand() < 0.1) headers.authorization = pick(rand, ['Bearer', 'Bearer ' + 'k'.repeat(2000), 'Basic Og==', 'Bearer sk-fuzz-0000000000']);
  if (rand() < 0.05) headers['cache-control'] = pick(rand, ['no-cache', 'no-store', 'max-age=-1', 'x'.repeat(300)]);

  const method = rand() < 0.85 ? 'POST' : pick(rand, METHODS);
  const path = rand() < 0.85 ? pick(rand, ['/v1/chat/completions', '/v1/chat/completions', '/v1/embeddings', '/v1/messages']) : pick(rand, PATHS);
  let body: Buffer | undefined;
  if (r < 0.35) body = Buffer.from(JSON.stringify(path === '/v1/messages' ? mutatedMessages(rand) : mutatedChat(rand)));
  else if (r < 0.6) body = damaged(rand, JSON.stringify(validChat(rand)));
  else if (r < 0.7) body = Buffer.from(nested(rand));
  else if (r < 0.8) body = Buffer.from(JSON.stringify(pick(rand, WEIRD_VALUES)));
  else if (r < 0.9) body = Buffer.from(Array.from({ length: Math.floor(rand() * 2000) }, () => Math.floor(rand() * 256)));
  else if (r < 0.95) body = Buffer.from(JSON.stringify({ model: 'demo', input: pick(rand, WEIRD_VALUES) }));
  else body = Buffer.from(JSON.stringify({ ...validChat(rand), padding: 'p'.repeat(Math.floor(rand() * 300_000)) }));
  return { kind: 'http', method, path, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body };
}

/** Broken HTTP framing that fetch cannot produce. */
function rawCase(rand: () => number): RawCase {
  const validBody = '{"model":"demo","messages":[{"role":"user","content":"hi"}]}';
  const cases = [
    () => 'GARBAGE\r\n\r\n',
    () => Buffer.from(Array.from({ length: 200 }, () => Math.floor(rand() * 256))).toString('latin1'),
    () => 'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
    () => 'GET /health/live\r\n\r\n',
    () => `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    () => `GET /health/live HTTP/1.1\r\n${Array.from({ length: 3000 }, (_, i) => `h${i}: v`).join('\r\n')}\r\n\r\n`,
    () => 'GET /health/live HTTP/1.1\r\nHost: x\r\nBad Header Name: v\r\n\r\n',
    () => `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n${validBody}`,
    () => `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}{}{}`,
    () =>
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n${validBody}\r\n0\r\n\r\n`,
    () => `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`,
    () =>
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${validBody.length}\r\n\r\n${validBody}GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n`,
    () => `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${validBody.length + 50}\r\n\r\n${validBody}`,
    () => 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n',
    () => `GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    () => `CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n`,
    () => `GET http://127.0.0.1:1/v1/models HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n`,
    () => 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    () => '',
  ];
  return { kind: 'raw', bytes: Buffer.from(pick(rand, cases)(), 'latin1') };
}

/**
 * @example for (const c of fuzzCases(42, 3000)) await send(c);
 */
export function* fuzzCases(seed: number, count: number): Generator<FuzzCase> {
  const rand = seededRandom(seed);
  for (let i = 0; i < count; i++) yield rand() < 0.8 ? httpCase(rand) : rawCase(rand);
}

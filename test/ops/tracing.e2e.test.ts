/**
 * OpenTelemetry through the real gateway (a daemon: the SDK's exporter loads its HTTP transport with a dynamic
 * import(), which jest's VM sandbox refuses, so it runs in a process of its own): a loopback OTLP/HTTP receiver gets a span per request and one per
 * upstream attempt, with the GenAI attributes; the client's traceparent is the parent, and each upstream call
 * carries a traceparent naming its attempt span.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { eventually } from '../helpers/client';
import { startDaemon, type Daemon } from '../helpers/daemon';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
  status?: { code?: number };
}

function attrs(span: OtlpSpan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of span.attributes) {
    const v = a.value;
    out[a.key] = v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.doubleValue ?? v.boolValue));
  }
  return out;
}

const spans: OtlpSpan[] = [];
const contentTypes: string[] = [];
let receiver: Server;
let fake: FakeOpenAI;
let gw: Daemon;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      contentTypes.push(String(req.headers['content-type']));

      if (req.url === '/v1/traces') {
        const body = JSON.parse(raw) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const otlp = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
  fake = await startFakeOpenAI();
  gw = await startDaemon({
    config: `
providers:
  first:  { api: openai, base_url: "${fake.url}", api_key: "sk-first-0001" }
  second: { api: openai, base_url: "${fake.url}", api_key: "sk-second-0002" }
tracing: { enabled: true, endpoint: "${otlp}", export_interval_ms: 20, service_name: switchyard-test }
models:
  chat:
    strategy: ordered
    targets: [ { provider: first, model: model-a }, { provider: second, model: model-b } ]
`,
  });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

test('a failed-over request is one trace: the request span under the client span, an attempt span per upstream call', async () => {
  fake.on('model-a', { status: 500 });
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01` },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(res.status).toBe(200);
  const requestId = res.headers.get('x-request-id');
  await res.text();

  await eventually(() => spans.filter((s) => s.traceId === TRACE_ID).length >= 3);
  const ours = spans.filter((s) => s.traceId === TRACE_ID);
  const request = ours.find((s) => s.parentSpanId === CLIENT_SPAN)!;
  expect(request).toBeDefined();
  expect(request.name).toBe('chat chat');
  expect(attrs(request)).toMatchObject({
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'chat',
    'gen_ai.response.model': 'model-b',
    'gen_ai.provider.name': 'second',
    'http.response.status_code': 200,
    'switchyard.attempts': 2,
    'switchyard.request_id': requestId,
  });
  expect(typeof attrs(request)['gen_ai.usage.input_tokens']).toBe('number');
  expect(typeof attrs(request)['gen_ai.usage.output_tokens']).toBe('number');

  const attempts = ours.filter((s) => s.parentSpanId === request.spanId);
  expect(attempts.map((s) => s.name)).toEqual(['chat model-a', 'chat model-b']);
  expect(attrs(attempts[0])).toMatchObject({ 'gen_ai.provider.name': 'first', 'http.response.status_code': 500, 'error.type': '500' });
  expect(attempts[0].status?.code).toBe(2); // ERROR
  expect(attrs(attempts[1])).toMatchObject({ 'gen_ai.provider.name': 'second', 'http.response.status_code': 200 });

  // Each upstream call was told its own attempt span as parent, in the client's trace.
  const sent = fake.calls.map((c) => c.headers.traceparent);
  expect(sent).toEqual(attempts.map((a) => `00-${TRACE_ID}-${a.spanId}-01`));
  expect(contentTypes.every((c) => c.startsWith('application/json'))).toBe(true);
});

test('a request without traceparent starts its own trace; secrets never reach the spans', async () => {
  const before = spans.length;
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(res.status).toBe(200);
  await res.text();
  await eventually(() => spans.length >= before + 2);
  const fresh = spans.slice(before);
  const root = fresh.find((s) => !s.parentSpanId)!;
  expect(root).toBeDefined();
  expect(fresh.filter((s) => s.traceId === root.traceId).length).toBeGreaterThanOrEqual(2);
  expect(JSON.stringify(spans)).not.toMatch(/sk-first-0001|sk-second-0002/);
});

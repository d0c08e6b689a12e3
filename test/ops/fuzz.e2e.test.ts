/**
 * Throws a few thousand generated bad requests (hostile bodies, headers, paths and broken HTTP framing) at a
 * running gateway, 32 at a time, and checks that none of them is an internal error, nothing crashed or logged
 * an unexpected failure, no request is left hanging in flight, and the gateway still serves normally after.
 * Done twice: bare, and with the four built-in plugins (most requests then carry a valid key, so they get past
 * auth into the other plugins). SWITCHYARD_FUZZ_SEED and SWITCHYARD_FUZZ_COUNT replay or widen a run.
 */
import http from 'node:http';
import { eventually } from '../helpers/client';
import { startDaemon, type Daemon } from '../helpers/daemon';
import { fuzzCases, type FuzzCase, type HttpCase } from './fuzz-cases';
import { rawRequest } from './raw-http';

const SEED = Number(process.env.SWITCHYARD_FUZZ_SEED ?? 20261128);
const COUNT = Number(process.env.SWITCHYARD_FUZZ_COUNT ?? 3000);

const CLIENT_KEY = 'sk-fuzz-client-key-000111';

const providersAndModels = `
server: { header_timeout_ms: 1000, request_timeout_ms: 1000 }
providers:
  demo:    { api: mock }
  failing: { api: mock, mock: { fail_status: 500 } }
  slow:    { api: mock, mock: { latency_ms: 30 } }
models:
  demo:    { targets: [ { provider: demo, model: echo } ] }
  failing: { targets: [ { provider: failing, model: echo } ] }
  slow:    { targets: [ { provider: slow, model: echo } ] }
`;

const withBuiltins = `${providersAndModels}
plugins:
  - { use: auth, admin_key: "fuzz-admin-key-000222", keys: [ { name: fuzz, key: "${CLIENT_KEY}", models: ["*"] } ] }
  - { use: rate-limit, store: memory, max_queue_ms: 200, per_key: { rpm: 10000000 } }
  - { use: cache, store: memory, ttl_s: 60, max_entries: 1000 }
  - { use: cost-log, sink: "jsonl://./spend.jsonl" }
`;

interface Result {
  status: number;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
afterAll(() => agent.destroy());

function sendHttp(port: number, c: HttpCase): Promise<Result> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: c.method, path: c.path, headers: c.headers, agent, timeout: 10_000 }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body: '' }));
    });
    // A client-side error (the server closed a connection it refused to read) is not a gateway failure by itself.
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.on('timeout', () => req.destroy());
    req.end(c.body);
  });
}

async function send(port: number, c: FuzzCase): Promise<Result> {
  if (c.kind === 'raw') {
    const r = await rawRequest(port, c.bytes, 2500);
    return { status: r.status, body: r.text };
  }
  return sendHttp(port, c);
}

/** Adds headers (the client key) to every HTTP case that does not set its own. */
function* withHeaders(cases: Generator<FuzzCase>, headers: Record<string, string>): Generator<FuzzCase> {
  for (const c of cases) yield c.kind === 'http' ? { ...c, headers: { ...headers, ...c.headers } } : c;
}

describe.each([
  ['with no plugins', providersAndModels, {}],
  ['with the four built-in plugins', withBuiltins, { authorization: `Bearer ${CLIENT_KEY}` }],
])('fuzzing the gateway %s', (_title, config, defaultHeaders: Record<string, string>) => {
  let gw: Daemon;
  beforeAll(async () => {
    gw = await startDaemon({ config });
  });
  afterAll(() => gw?.stop());

  async function inFlight(): Promise<number> {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    return Number(/^switchyard_in_flight_requests (\d+)/m.exec(text)?.[1] ?? NaN);
  }

  test(`${COUNT} generated bad requests leave the gateway healthy and serving`, async () => {
    const cases = withHeaders(fuzzCases(SEED, COUNT), defaultHeaders);
    const statuses = new Map<number, number>();
    const internalErrors: string[] = [];
    const worker = async () => {
      for (let next = cases.next(); !next.done; next = cases.next()) {
        const c = next.value;
        const r = await send(gw.port, c);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        // 500 is the gateway's own failure; 502 comes from the configured failing mock and is expected.
        if (r.status === 500)
          internalErrors.push(
            `${c.kind === 'http' ? `${c.method} ${c.path} ${c.body?.toString('utf8').slice(0, 200)}` : c.bytes.toString('latin1').slice(0, 200)} → ${r.body.slice(0, 200)}`,
          );
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));

    // eslint-disable-next-line no-console
    console.log(`fuzz seed ${SEED}: status counts ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
    expect(internalErrors).toEqual([]);
    expect(gw.proc.exitCode).toBeNull();
    const unexpected = gw.logRecords().filter((r) => /uncaught|unhandled|unexpectedly/i.test(String(r.message)));
    expect(unexpected).toEqual([]);

    // Nothing wedged: every request left the in-flight count.
    await eventually(async () => (await inFlight()) === 0, 10_000).catch(() => undefined);
    expect(await inFlight()).toBe(0);

    expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
    const ok = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...defaultHeaders },
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'still fine' }] }),
    });
    expect(ok.status).toBe(200);
    const stream = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...defaultHeaders },
      body: JSON.stringify({ model: 'demo', stream: true, messages: [{ role: 'user', content: 'still fine' }] }),
    });
    expect((await stream.text()).trim().endsWith('data: [DONE]')).toBe(true);
  }, 180_000);
});

#!/usr/bin/env node
/**
 * `npm run soak`: 100,000 mixed requests (JSON, streams, upstream errors, bad requests, client aborts, cache
 * hits, embeddings) through a real gateway process with the built-in plugins on, printing its RSS and heap
 * along the way, so a leak shows as growth after warm-up. Bounded in count and in time.
 *
 *   SOAK_REQUESTS (default 100000), SOAK_CONCURRENCY (32), SOAK_MAX_SECONDS (900), SOAK_PLUGINS=none,
 *   SOAK_GATEWAY_HEAP_MB: cap the gateway's old space; V8 collects lazily, so "heap used" climbs between major
 *   GCs under a roomy heap; under a cap a leak ends in an out-of-memory crash instead of a slope.
 *
 * Then a hostile phase (SOAK_HOSTILE=0 skips it) against an upstream that misbehaves on purpose, with the
 * gateway's default memory limits, printing the peak RSS of each part:
 *   huge answers   SOAK_HUGE_CLIENTS (40) concurrent JSON requests, each answered with 2 GiB, SOAK_HUGE_ROUNDS (3) times
 *   endless streams  SOAK_ENDLESS_CLIENTS (4) clients reading streams that never end, as fast as they can
 *   slow readers   SOAK_SLOW_CLIENTS (200) clients opening endless streams and reading nothing
 * each stream part lasting SOAK_HOSTILE_SECONDS (15). RSS is a high-water mark (freed memory is seldom given back
 * to the OS), so a later part's peak includes what the earlier ones left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { builtinPlugins } from '../builtins';
import { startFakeOpenAI, type FakeOpenAI } from '../testing/fake-openai';

const DIST = path.resolve(__dirname, '..');
const TOTAL = Number(process.env.SOAK_REQUESTS ?? 100_000);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 32);
const MAX_SECONDS = Number(process.env.SOAK_MAX_SECONDS ?? 900);
const CLIENT_KEY = 'sk-soak-client-key-0001';
const ADMIN_KEY = 'soak-admin-key-0001';

/** Options for each built-in plugin, as in the documented example; only plugins this build has are used. */
function pluginEntries(dir: string): string[] {
  if (process.env.SOAK_PLUGINS === 'none') return [];
  const wanted: Record<string, string> = {
    auth: `{ use: auth, admin_key: "${ADMIN_KEY}", keys: [ { name: soak, key: "${CLIENT_KEY}", models: ["*"] } ] }`,
    'rate-limit': '{ use: rate-limit, store: memory, max_queue_ms: 2000, per_key: { rpm: 10000000 } }',
    cache: '{ use: cache, store: memory, ttl_s: 600, max_entries: 5000 }',
    'cost-log': `{ use: cost-log, sink: "jsonl://${path.join(dir, 'spend.jsonl')}" }`,
  };
  return Object.entries(wanted)
    .filter(([name]) => name in builtinPlugins)
    .map(([, entry]) => `  - ${entry}`);
}

function configFor(upstreamUrl: string, hostileUrl: string, plugins: string[]): string {
  // The hostile provider keeps the default memory limits (max_answer_mb, server.max_buffered_upstream_mb); its
  // pool is wide enough for every slow reader to hold a connection, so the phase measures memory, not the queue.
  return `
logging: { level: info }
providers:
  up:   { api: openai, base_url: "${upstreamUrl}", api_key: "sk-soak-upstream-key-0001", timeout_ms: 10000 }
  hostile: { api: openai, base_url: "${hostileUrl}", api_key: "sk-soak-hostile-key-0001", timeout_ms: 600000, max_connections: 512 }
  mock: { api: mock }
models:
  chat:     { targets: [ { provider: up, model: soak-model } ] }
  slow:     { targets: [ { provider: up, model: slow-model } ] }
  failing:  { targets: [ { provider: up, model: failing-model } ] }
  demo:     { targets: [ { provider: mock, model: echo } ] }
  huge:     { targets: [ { provider: hostile, model: huge-answer } ] }
  endless:  { targets: [ { provider: hostile, model: endless-stream } ] }
plugins:
  - { use: "${path.resolve(DIST, '../plugins/example.js')}", header: x-switchyard-example }
${plugins.join('\n')}
`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

interface Gateway {
  url: string;
  proc: ChildProcess;
}

/** Starts `node dist/cli.js start`; resolves once /health/live answers, rejects if the process exits first. */
async function startGateway(configFile: string): Promise<Gateway> {
  const port = await freePort();
  const heapCap = process.env.SOAK_GATEWAY_HEAP_MB ? [`--max-old-space-size=${Number(process.env.SOAK_GATEWAY_HEAP_MB)}`] : [];
  const proc = spawn(
    process.execPath,
    [...heapCap, path.join(DIST, 'cli.js'), 'start', '--config', configFile, '--port', String(port), '--log-format', 'json'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${stderr.slice(0, 2000)}`))));
  const ready = (async () => {
    for (;;) {
      try {
        if ((await fetch(`${url}/health/live`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await Promise.race([ready, exited]);
  return { url, proc };
}

interface MemorySample {
  label: string;
  done: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
}

/** RSS from /proc (what the OS charges the process), heap from the gateway's own /metrics. */
async function sampleMemory(gw: Gateway, label: string, done: number): Promise<MemorySample> {
  const status = readFileSync(`/proc/${gw.proc.pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  const text = await (await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).text();
  const metric = (name: string) => Number(new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? NaN);
  const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
  return {
    label,
    done,
    rssMb: mb(rssKb * 1024),
    heapUsedMb: mb(metric('switchyard_nodejs_heap_size_used_bytes')),
    heapTotalMb: mb(metric('switchyard_nodejs_heap_size_total_bytes')),
  };
}

type Kind = 'json' | 'stream' | 'cached' | 'mock' | 'embeddings' | 'upstream-500' | 'bad-request' | 'unknown-alias' | 'abort' | 'models';

/** The request mix, as cumulative weights. */
const MIX: [Kind, number][] = [
  ['json', 30],
  ['stream', 20],
  ['cached', 10],
  ['mock', 10],
  ['embeddings', 5],
  ['upstream-500', 7],
  ['bad-request', 5],
  ['unknown-alias', 5],
  ['abort', 5],
  ['models', 3],
];
const MIX_TOTAL = MIX.reduce((s, [, w]) => s + w, 0);

function kindAt(i: number): Kind {
  // A fixed, interleaved pattern (not random) so runs are comparable.
  let slot = (i * 37) % MIX_TOTAL;
  for (const [kind, w] of MIX) {
    if (slot < w) return kind;
    slot -= w;
  }
  return 'json';
}

const headers = { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` };
const chat = (model: string, content: string, stream = false) => JSON.stringify({ model, stream, messages: [{ role: 'user', content }] });

/** Sends request number `i`; returns its status (499 for a deliberate client abort). */
async function sendOne(url: string, i: number): Promise<number> {
  const kind = kindAt(i);
  const post = (path: string, body: string, signal?: AbortSignal) => fetch(`${url}${path}`, { method: 'POST', headers, body, signal });
  switch (kind) {
    case 'json':
      return drain(await post('/v1/chat/completions', chat('chat', `unique prompt ${i}`)));
    case 'stream':
      return drain(await post('/v1/chat/completions', chat('chat', `unique stream ${i}`, true)));
    case 'cached':
      return drain(await post('/v1/chat/completions', chat('chat', `repeated prompt ${i % 50}`, i % 2 === 0)));
    case 'mock':
      return drain(await post('/v1/chat/completions', chat('demo', `mock ${i}`, i % 3 === 0)));
    case 'embeddings':
      return drain(await post('/v1/embeddings', JSON.stringify({ model: 'chat', input: [`text ${i}`] })));
    case 'upstream-500':
      return drain(await post('/v1/chat/completions', chat('failing', `fail ${i}`, i % 2 === 0)));
    case 'bad-request':
      return drain(
        await post('/v1/chat/completions', i % 2 === 0 ? '{"model": "chat", "messages": [' : JSON.stringify({ model: 'chat', messages: 'not a list' })),
      );
    case 'unknown-alias':
      return drain(await post('/v1/chat/completions', chat(`no-such-alias-${i % 10}`, 'x')));
    case 'abort': {
      const controller = new AbortController();
      const res = await post('/v1/chat/completions', chat('slow', `abort me ${i}`, true), controller.signal);
      const reader = res.body!.getReader();
      await reader.read().catch(() => undefined);
      controller.abort();
      return 499;
    }
    case 'models':
      return drain(await fetch(`${url}/v1/models`, { headers }));
  }
}

async function drain(res: Response): Promise<number> {
  await res.arrayBuffer();
  return res.status;
}

const HOSTILE = process.env.SOAK_HOSTILE !== '0';
const HUGE_CLIENTS = Number(process.env.SOAK_HUGE_CLIENTS ?? 40);
const HUGE_ROUNDS = Number(process.env.SOAK_HUGE_ROUNDS ?? 3);
const ENDLESS_CLIENTS = Number(process.env.SOAK_ENDLESS_CLIENTS ?? 4);
const SLOW_CLIENTS = Number(process.env.SOAK_SLOW_CLIENTS ?? 200);
const HOSTILE_SECONDS = Number(process.env.SOAK_HOSTILE_SECONDS ?? 15);
const HUGE_ANSWER_BYTES = 2 * 1024 ** 3;

/**
 * An upstream that misbehaves on purpose: `huge-answer` sends 2 GiB of JSON (no Content-Length), and
 * `endless-stream` sends stream chunks forever; both as fast as the gateway reads, and both stop when it leaves.
 */
async function startHostileUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const piece = Buffer.alloc(64 * 1024, 'x');
  const chunk = (content: string) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-hostile', object: 'chat.completion.chunk', created: 1, model: 'endless-stream', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
  const frames = Buffer.from(Array.from({ length: 64 }, () => chunk('endless '.repeat(16))).join(''));
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as { model?: string };
      let sent = 0;
      const endless = body.model === 'endless-stream';
      res.writeHead(200, { 'content-type': endless ? 'text/event-stream' : 'application/json' });
      if (endless) res.write(chunk(''));
      const pump = () => {
        while (!res.destroyed) {
          if (!endless && sent >= HUGE_ANSWER_BYTES) return void res.end();
          sent += piece.length;
          if (!res.write(endless ? frames : piece)) return void res.once('drain', pump);
        }
      };
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v1`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The gateway's RSS in MB, from /proc. */
function rssMb(gw: Gateway): number {
  const status = readFileSync(`/proc/${gw.proc.pid}/status`, 'utf8');
  return Math.round(Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 102.4) / 10;
}

/** Runs `work` while sampling the gateway's RSS every 100 ms; returns the peak. */
async function peakRssDuring(gw: Gateway, work: () => Promise<void>): Promise<number> {
  let peak = rssMb(gw);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(gw))), 100);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rssMb(gw));
}

/** Opens a streamed chat request with node's http client (whose reading the caller controls). */
function openStream(url: string, model: string): Promise<{ res: http.IncomingMessage; req: http.ClientRequest }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/v1/chat/completions`, { method: 'POST', headers }, (res) => resolve({ res, req }));
    req.once('error', reject);
    req.end(chat(model, 'hostile stream', true));
  });
}

async function hostilePhase(gw: Gateway): Promise<void> {
  console.log(
    `\nhostile phase (default memory limits): ${HUGE_CLIENTS} × 2 GiB answers × ${HUGE_ROUNDS}, ${ENDLESS_CLIENTS} endless streams, ${SLOW_CLIENTS} slow readers, ${HOSTILE_SECONDS} s each`,
  );
  const count = (into: Map<string, number>, key: string) => into.set(key, (into.get(key) ?? 0) + 1);
  const show = (m: Map<string, number>) => JSON.stringify(Object.fromEntries(m));

  const huge = new Map<string, number>();
  const hugePeak = await peakRssDuring(gw, async () => {
    for (let round = 0; round < HUGE_ROUNDS; round++) {
      await Promise.all(
        Array.from({ length: HUGE_CLIENTS }, async () => {
          try {
            const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers, body: chat('huge', 'a huge answer, please') });
            const text = await res.text();
            count(huge, `${res.status} ${/"code":"([\w]+)"/.exec(text)?.[1] ?? ''}`.trim());
          } catch {
            count(huge, 'transport error');
          }
        }),
      );
    }
  });
  console.log(`  huge answers     peak RSS ${hugePeak} MB   answers ${show(huge)}`);

  const endlessBytes: number[] = [];
  const endlessPeak = await peakRssDuring(gw, async () => {
    await Promise.all(
      Array.from({ length: ENDLESS_CLIENTS }, async () => {
        const { res, req } = await openStream(gw.url, 'endless');
        let bytes = 0;
        res.on('data', (d: Buffer) => (bytes += d.length));
        res.on('error', () => undefined);
        await new Promise((r) => setTimeout(r, HOSTILE_SECONDS * 1000));
        req.destroy();
        endlessBytes.push(bytes);
      }),
    );
  });
  const relayedMb = Math.round(endlessBytes.reduce((a, b) => a + b, 0) / 1048576);
  console.log(`  endless streams  peak RSS ${endlessPeak} MB   relayed ${relayedMb} MB to ${ENDLESS_CLIENTS} readers`);

  const slow = new Map<string, number>();
  const slowPeak = await peakRssDuring(gw, async () => {
    const opened = await Promise.all(
      Array.from({ length: SLOW_CLIENTS }, async () => {
        try {
          const s = await openStream(gw.url, 'endless');
          s.res.pause(); // never reads: the gateway must hold back, not buffer
          s.res.on('error', () => undefined);
          count(slow, String(s.res.statusCode));
          return s;
        } catch {
          count(slow, 'transport error');
          return undefined;
        }
      }),
    );
    await new Promise((r) => setTimeout(r, HOSTILE_SECONDS * 1000));
    for (const s of opened) s?.req.destroy();
  });
  console.log(`  slow readers     peak RSS ${slowPeak} MB   statuses ${show(slow)}`);
  await new Promise((r) => setTimeout(r, 2000));
  console.log(`  after (idle 2 s) RSS ${rssMb(gw)} MB`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-soak-'));
  const fake: FakeOpenAI = await startFakeOpenAI();
  const hostile = await startHostileUpstream();
  fake.on('failing-model', { status: 500 });
  fake.on('slow-model', { reply: 'a slow answer that the client abandons after its first chunk arrives', chunkDelayMs: 20 });
  // The fake keeps every call for tests to inspect; a soak would measure that list, so it is cleared as it grows.
  const trimCalls = setInterval(() => fake.calls.splice(0), 1000);

  const configFile = path.join(dir, 'proxy.yaml');
  let plugins = pluginEntries(dir);
  writeFileSync(configFile, configFor(fake.url, hostile.url, plugins));
  let gw: Gateway;
  try {
    gw = await startGateway(configFile);
  } catch (err) {
    if (plugins.length === 0) throw err;
    console.warn(`soak: the gateway refused the built-in plugin options (${(err as Error).message.split('\n')[0]}); running without them`);
    plugins = [];
    writeFileSync(configFile, configFor(fake.url, hostile.url, plugins));
    gw = await startGateway(configFile);
  }
  const pluginNames = ['example', ...plugins.map((p) => /use: ([\w-]+)/.exec(p)?.[1])].join(', ');
  console.log(`soak: ${TOTAL} requests, ${CONCURRENCY} at a time, plugins: ${pluginNames}; gateway pid ${gw.proc.pid}`);

  const samples: MemorySample[] = [await sampleMemory(gw, 'start (idle)', 0)];
  const statuses = new Map<number, number>();
  const deadline = Date.now() + MAX_SECONDS * 1000;
  const started = Date.now();
  let next = 0;
  let done = 0;
  let transportErrors = 0;
  const checkpoints = new Set(Array.from({ length: 10 }, (_, k) => Math.floor((TOTAL * (k + 1)) / 10)));
  let sampling: Promise<void> = Promise.resolve();

  const worker = async () => {
    while (next < TOTAL && Date.now() < deadline) {
      const i = next++;
      try {
        const status = await sendOne(gw.url, i);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      } catch {
        transportErrors++;
      }
      done++;
      if (checkpoints.has(done)) {
        const label = `${Math.round((done / TOTAL) * 100)}%`;
        sampling = sampling.then(async () => {
          const s = await sampleMemory(gw, label, done);
          samples.push(s);
          console.log(
            `  ${label.padStart(4)}  ${String(done).padStart(7)} requests  RSS ${s.rssMb} MB  heap used ${s.heapUsedMb} MB / total ${s.heapTotalMb} MB`,
          );
        });
      }
    }
  };
  const crashed = new Promise<never>((_, reject) =>
    gw.proc.once('exit', (code, signal) => reject(new Error(`the gateway died during the soak (exit ${code ?? signal})`))),
  );
  await Promise.race([Promise.all(Array.from({ length: CONCURRENCY }, worker)), crashed]);
  await sampling;
  const seconds = (Date.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 2000));
  samples.push(await sampleMemory(gw, 'end (idle 2 s)', done));

  const middle = samples.find((s) => s.label === '50%') ?? samples[Math.floor(samples.length / 2)];
  const warm = samples.find((s) => s.label === '20%') ?? samples[1];
  const end = samples[samples.length - 1];
  console.log(`\nsoak: ${done} requests in ${seconds.toFixed(1)} s (${Math.round(done / seconds)} req/s), transport errors ${transportErrors}`);
  console.log(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
  console.log('memory        RSS MB   heap used MB');
  for (const s of [samples[0], middle, end]) console.log(`  ${s.label.padEnd(14)} ${String(s.rssMb).padStart(6)}   ${String(s.heapUsedMb).padStart(6)}`);
  const rssGrowth = end.rssMb - warm.rssMb;
  console.log(
    `after warm-up (${warm.label}) to end: RSS ${rssGrowth >= 0 ? '+' : ''}${rssGrowth.toFixed(1)} MB, heap ${(end.heapUsedMb - warm.heapUsedMb).toFixed(1)} MB; max RSS ${Math.max(...samples.map((s) => s.rssMb))} MB`,
  );
  if (done < TOTAL) console.log(`stopped by SOAK_MAX_SECONDS=${MAX_SECONDS} after ${done} of ${TOTAL} requests`);
  if (HOSTILE) await Promise.race([hostilePhase(gw), crashed]);

  clearInterval(trimCalls);
  crashed.catch(() => undefined);
  gw.proc.kill('SIGTERM');
  await new Promise((r) => gw.proc.once('exit', r));
  await fake.close();
  await hostile.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(`soak failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});

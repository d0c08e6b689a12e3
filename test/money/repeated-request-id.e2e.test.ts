/**
 * A client that sends the same x-request-id twice is billed twice: the sink keeps one row per record id (so a
 * retried batch never duplicates a row), and a client-chosen id is not allowed to merge two requests into one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eventually } from '../helpers/client';
import { gatewayWithFake } from '../helpers/rig';

const rig = gatewayWithFake(
  (url) => `
providers:
  up: { api: openai, base_url: "${url}", api_key: "sk-up-0001" }
pricing:
  model-a: { input: 1, output: 2 }
models:
  chat: { targets: [ { provider: up, model: model-a } ] }
plugins:
  - use: cost-log
    sink: "jsonl://./spend.jsonl"
    flush_interval_ms: 10
`,
);

test('two requests with one client request id are two spend rows', async () => {
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${rig.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'same-id-twice' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('same-id-twice');
    await res.text();
  }
  const file = path.join(rig.gw.dir, 'spend.jsonl');
  const rows = () => {
    try {
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { requestId: string });
    } catch {
      return [];
    }
  };
  await eventually(() => new Set(rows().map((r) => r.requestId)).size >= 2);
  const ids = [...new Set(rows().map((r) => r.requestId))];
  expect(ids).toHaveLength(2);
  for (const id of ids) expect(id.startsWith('same-id-twice~')).toBe(true);
});

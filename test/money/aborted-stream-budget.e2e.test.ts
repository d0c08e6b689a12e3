/**
 * An aborted stream is charged to the budget: the provider billed it, so aborting every stream just before its
 * end can no longer spend past a budget for free.
 */
import { startFakeAnthropic } from '../../src/testing/fake-anthropic';
import { gatewayWithFakes } from '../helpers/rig';

const rig = gatewayWithFakes(
  { claude: startFakeAnthropic },
  ({ claude }) => `
providers:
  claude: { api: anthropic, base_url: "${claude.url}", api_key: "sk-ant-test" }
models:
  sonnet: { targets: [ { provider: claude, model: claude-sonnet-4-20250514 } ] }
pricing:
  claude-sonnet-4-20250514: { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75, cache_write_1h: 6 }
plugins:
  - use: auth
    keys:
      - { name: capped, key: "capped-key-0001", budget_usd: 0.002, budget_period: daily }
  - use: cost-log
    sink: "jsonl://./spend.jsonl"
`,
);

test('a stream aborted after message_start is charged its input, and the budget then refuses the next request', async () => {
  let resume!: () => void;
  const paused = new Promise<void>((r) => (resume = r));
  // 1000 input tokens × $3/M = $0.003 already billed by the provider at message_start, over the $0.002 budget.
  rig.fakes.claude.on('*', { reply: 'alpha beta gamma delta', usage: { input_tokens: 1000, output_tokens: 200 }, pauseAfterDeltas: 1, pauseUntil: paused });
  const abort = new AbortController();
  const headers = { 'content-type': 'application/json', authorization: 'Bearer capped-key-0001', 'x-request-id': 'aborted-1' };
  const res = await fetch(`${rig.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'sonnet', stream: true, messages: [{ role: 'user', content: 'go' }] }),
    signal: abort.signal,
  });
  const reader = res.body!.getReader();
  let seen = '';
  while (!seen.includes('alpha')) seen += new TextDecoder().decode((await reader.read()).value);
  abort.abort();
  const line = await rig.gw.waitForLog((r) => r.request_id === 'aborted-1' && r.message === 'request');
  resume();
  expect(line.usage_estimated).toBe(true);
  expect(line.cost_usd as number).toBeGreaterThanOrEqual(0.003);

  const next = await fetch(`${rig.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...headers, 'x-request-id': 'after-abort' },
    body: JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'again' }] }),
  });
  expect(next.status).toBe(429);
  expect(((await next.json()) as { error: { code: string } }).error.code).toBe('insufficient_quota');
});

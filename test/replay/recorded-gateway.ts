/**
 * The scene the replay e2e tests share: the dashboard tests' gateway (test/dashboard/config.ts) in process,
 * against the fake OpenAI upstream (gpt-4o answers, gpt-4o-broken fails with 500, so `fb` falls back), with
 * `chat` and `fb` traffic recorded to its SQLite request log; and the candidate they replay it under.
 */
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { chat } from '../helpers/client';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';
import { dashboardConfig, TEAM_KEY } from '../dashboard/config';

/** Moves `chat` to gpt-4o-mini, sends `fb` straight to the target that answered, and names a key it never reads. */
export const CANDIDATE = `
providers:
  up: { api: openai, base_url: "http://127.0.0.1:9/v1", api_key: "\${OPENAI_API_KEY}" }
  backup: { api: openai, base_url: "http://127.0.0.1:9/v1" }
pricing:
  gpt-4o: { input: 2.5, output: 10 }
  gpt-4o-mini: { input: 0.15, output: 0.6 }
models:
  chat: { targets: [ { provider: up, model: gpt-4o-mini } ] }
  fb: { targets: [ { provider: backup, model: gpt-4o-mini } ] }
`;

/**
 * Starts the fake and the gateway and sends `chats` requests to `chat` (1000 + 200 tokens each on gpt-4o) and
 * `fallbacks` to `fb` (a 500 from gpt-4o-broken, then 500 + 50 tokens on gpt-4o-mini), each answered 200.
 *
 * @example const { fake, gw } = await recordTraffic(5, 2, { REPLAY_SECRET: 'x' });
 */
export async function recordTraffic(chats: number, fallbacks: number, env?: Record<string, string>): Promise<{ fake: FakeOpenAI; gw: InProcessGateway }> {
  const fake = await startFakeOpenAI();
  fake.on('gpt-4o', { usage: { prompt_tokens: 1000, completion_tokens: 200 } });
  fake.on('gpt-4o-mini', { usage: { prompt_tokens: 500, completion_tokens: 50 } });
  fake.on('gpt-4o-broken', { status: 500 });
  const gw = await startInProcess({ config: dashboardConfig(fake.url), env });
  const team = { headers: { authorization: `Bearer ${TEAM_KEY}` } };
  const send = async (model: string) => expect((await chat(gw.url, { model, messages: [{ role: 'user', content: 'hello' }] }, team)).status).toBe(200);
  for (let i = 0; i < chats; i++) await send('chat');
  for (let i = 0; i < fallbacks; i++) await send('fb');
  return { fake, gw };
}

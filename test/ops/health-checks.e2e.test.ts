/**
 * Active health checks through the real gateway: a provider whose fake goes down is found out by its check and
 * skipped before a user request reaches it (the next target serves), /health/ready shows the last result, and when
 * the fake comes back a passing check clears the cooldown. A small interval; every wait is on behaviour.
 */
import { startFakeVendor, type FakeVendor } from '../../src/testing/fake-vendors';
import { eventually } from '../helpers/client';
import { gatewayWithFakes } from '../helpers/rig';

interface Ready {
  providers: Record<string, { health_check?: { ok?: boolean; checked_at?: string; latency_ms?: number; kind?: string; error?: string; pending?: boolean } }>;
  routing: { cooldowns: { target: string; reason: string }[] };
}
const ready = async (): Promise<Ready> => (await (await fetch(`${rig.gw.url}/health/ready`)).json()) as Ready;
const chatCalls = (f: FakeVendor) =>
  f.calls.filter((c) => c.path.endsWith('/chat/completions') && c.body?.messages !== undefined && c.body.max_tokens === undefined);

const rig = gatewayWithFakes(
  {
    flaky: () => startFakeVendor('ollama', { models: ['m'] }),
    backup: () => startFakeVendor('ollama', { models: ['m'] }),
    completionFake: () => startFakeVendor('ollama'),
  },
  ({ flaky, backup, completionFake }) => `
providers:
  flaky:  { preset: ollama, base_url: "${flaky.url}", health_check: { interval_s: 0.05 } }
  backup: { preset: ollama, base_url: "${backup.url}" }
  pinged: { preset: ollama, base_url: "${completionFake.url}", health_check: { interval_s: 0.05, kind: completion, model: tiny } }
models:
  chat:
    strategy: ordered
    targets:
      - { provider: flaky, model: m }
      - { provider: backup, model: m }
`,
  // The health checks call the fakes between tests; the tests read those calls.
  { resetEachTest: false },
);

test('a passing check is shown in /health/ready with its time and latency', async () => {
  await eventually(async () => (await ready()).providers.flaky.health_check?.ok === true);
  const check = (await ready()).providers.flaky.health_check!;
  expect(check.kind).toBe('models');
  expect(typeof check.latency_ms).toBe('number');
  expect(Number.isNaN(Date.parse(check.checked_at!))).toBe(false);
  expect(rig.fakes.flaky.calls.some((c) => c.method === 'GET' && c.path === '/v1/models')).toBe(true);
  expect((await ready()).providers.backup.health_check).toBeUndefined();
});

test('a provider that goes down is skipped before a request reaches it, and used again once it is back', async () => {
  const first = await rig.openai.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
  expect(first.choices[0].message.content).toBe('reply from m');
  expect(chatCalls(rig.fakes.flaky)).toHaveLength(1);

  rig.fakes.flaky.down = true;
  await eventually(async () => (await ready()).providers.flaky.health_check?.ok === false);
  const down = await ready();
  expect(down.providers.flaky.health_check?.error).toBe('HTTP 503');
  expect(down.routing.cooldowns).toEqual([expect.objectContaining({ target: 'flaky:*', reason: 'health check failed: HTTP 503' })]);

  rig.fakes.flaky.reset();
  rig.fakes.backup.reset();
  const res = await fetch(`${rig.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('x-switchyard-provider')).toBe('backup');
  expect(chatCalls(rig.fakes.flaky)).toHaveLength(0);

  rig.fakes.flaky.down = false;
  await eventually(async () => (await ready()).providers.flaky.health_check?.ok === true);
  expect((await ready()).routing.cooldowns).toEqual([]);
  const back = await fetch(`${rig.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(back.headers.get('x-switchyard-provider')).toBe('flaky');
});

test('a completion check sends a one-token request to its model', async () => {
  await eventually(() => rig.fakes.completionFake.calls.some((c) => c.body?.model === 'tiny'));
  const call = rig.fakes.completionFake.calls.find((c) => c.body?.model === 'tiny')!;
  expect(call.body).toMatchObject({ model: 'tiny', max_tokens: 1 });
  await eventually(async () => (await ready()).providers.pinged.health_check?.ok === true);
  expect((await ready()).providers.pinged.health_check?.kind).toBe('completion');
});

test('checks go on across a reload, and stop when the provider loses its health_check', async () => {
  const cfg = (healthCheck: string) => `
providers:
  flaky:  { preset: ollama, base_url: "${rig.fakes.flaky.url}"${healthCheck} }
  pinged: { preset: ollama, base_url: "${rig.fakes.completionFake.url}", health_check: { interval_s: 0.05, kind: completion, model: tiny } }
models:
  chat: { targets: [ { provider: flaky, model: m } ] }
`;
  rig.gw.writeConfig(cfg(', health_check: { interval_s: 0.05 }'));
  await eventually(async () => (await ready()).providers.backup === undefined);
  rig.fakes.flaky.reset();
  await eventually(() => rig.fakes.flaky.calls.some((c) => c.method === 'GET' && c.path === '/v1/models'));
  expect((await ready()).providers.flaky.health_check?.ok).toBe(true);

  rig.gw.writeConfig(cfg(''));
  await eventually(async () => (await ready()).providers.flaky.health_check === undefined);
  rig.fakes.flaky.reset();
  rig.fakes.completionFake.reset();
  // The other checker is the clock: three of its checks later, the stopped one would have run too.
  await eventually(() => rig.fakes.completionFake.calls.length >= 3);
  expect(rig.fakes.flaky.calls.filter((c) => c.method === 'GET')).toHaveLength(0);
});

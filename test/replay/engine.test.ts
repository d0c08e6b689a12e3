/**
 * The replay engine on hand-made records: every figure below is worked out on paper from the records and the
 * candidate's prices (USD per 1M tokens, i.e. micro-dollars per token).
 */
import { ConfigError } from '../../src/config/problems';
import { loadCandidate } from '../../src/replay/candidate';
import { formatReplayReport } from '../../src/replay/format';
import { replay } from '../../src/replay/replay';
import { recordSource } from '../../src/replay/source';
import type { RequestRecord } from '../../src/stores/request-log/request-record';
import { failedAttempt, served, T0, times } from './records';

const WINDOW = { since: T0, until: T0 + 86_400_000 };

const PROVIDERS = `
providers:
  openai: { api: openai, base_url: https://api.openai.com/v1, api_key: "\${OPENAI_API_KEY}" }
  deepseek: { api: openai, base_url: https://api.deepseek.com/v1, api_key: "\${DEEPSEEK_API_KEY}" }
  local: { api: openai, base_url: http://127.0.0.1:9/v1 }
pricing:
  gpt-4o: { input: 2.5, output: 10 }
  gpt-4o-mini: { input: 0.15, output: 0.6 }
  deepseek-chat: { input: 0.27, output: 1.1, cached_input: 0.07 }
`;

function candidate(models: string) {
  return loadCandidate(`${PROVIDERS}models:\n${models}`, 'candidate.yaml');
}

async function run(records: RequestRecord[], models: string) {
  return replay(recordSource(records), candidate(models), WINDOW);
}

describe('replay engine', () => {
  it('prices an alias moved to a cheaper model at exactly the cheaper model’s price for the recorded tokens', async () => {
    const records = times(10, () => served('chat', 'openai/gpt-4o', { cost_usd: 0.0035 }));
    const report = await run(records, `  chat: { targets: [ { provider: openai, model: gpt-4o-mini } ] }\n`);
    const chat = report.aliases.find((a) => a.alias === 'chat')!;
    // Actual: 10 × (1000 × 2.5 + 100 × 10) µ$ = 10 × 3500 µ$ = $0.035.
    expect(chat.actual.cost_usd).toBeCloseTo(0.035, 9);
    // Candidate: 10 × (1000 × 0.15 + 100 × 0.6) µ$ = 10 × 210 µ$ = $0.0021.
    expect(chat.candidate.cost_usd).toBe(0.0021);
    expect(chat.diff.cost_usd).toBeCloseTo(0.0021 - 0.035, 9);
    expect(chat.candidate.served_by).toEqual({ 'openai/gpt-4o-mini': 10 });
    // gpt-4o-mini was never called in the window: the report says the requests relied on the assumption.
    expect(chat.candidate.assumed_target_requests).toBe(10);
    expect(report.assumptions.some((a) => a.startsWith('10 request(s) could reach a target the window never called'))).toBe(true);
  });

  it('meets the 20% failures the primary showed and pays the fallback for them', async () => {
    const records = [
      ...times(8, () => served('chat', 'openai/gpt-4o')),
      ...times(2, () => served('chat', 'deepseek/deepseek-chat', { failedFirst: [failedAttempt('openai/gpt-4o', 503)] })),
    ];
    const report = await run(
      records,
      `  chat: { targets: [ { provider: openai, model: gpt-4o } ], fallbacks: [backup] }\n  backup: { targets: [ { provider: deepseek, model: deepseek-chat } ] }\n`,
    );
    const chat = report.aliases.find((a) => a.alias === 'chat')!;
    // Per request: 0.8 × 3500 µ$ (gpt-4o) + 0.2 × (1000 × 0.27 + 100 × 1.1 = 380 µ$) = 2876 µ$; × 10 = $0.02876.
    expect(chat.candidate.cost_usd).toBe(0.02876);
    expect(chat.candidate.served_by).toEqual({ 'openai/gpt-4o': 8, 'deepseek/deepseek-chat': 2 });
    expect(chat.candidate.attempt_failures).toEqual({ '503': 2 });
    expect(chat.candidate.failed).toBe(0);
    expect(chat.candidate.assumed_target_requests).toBe(0);
    // Latency: 0.8 × 100 + 0.2 × (50 to fail + 100) = 110 ms per request; the record has no gateway overhead.
    expect(chat.candidate.latency_ms).toBe(110);
  });

  it('shows the failures a candidate without the fallback would have passed to the client', async () => {
    const records = [
      ...times(8, () => served('chat', 'openai/gpt-4o')),
      ...times(2, () => served('chat', 'deepseek/deepseek-chat', { failedFirst: [failedAttempt('openai/gpt-4o', 503)] })),
    ];
    const report = await run(records, `  chat: { targets: [ { provider: openai, model: gpt-4o } ] }\n`);
    const chat = report.aliases.find((a) => a.alias === 'chat')!;
    expect(chat.actual.failed).toBe(0);
    expect(chat.candidate.failed).toBeCloseTo(2, 9);
    expect(chat.candidate.errors).toEqual({ all_targets_failed: 2 });
    expect(chat.diff.failed).toBeCloseTo(2, 9);
    expect(chat.candidate.cost_usd).toBeCloseTo(8 * 0.0035, 9);
  });

  it('retries a transient failure on the same target as the candidate’s retry policy says', async () => {
    const records = [
      ...times(8, () => served('chat', 'openai/gpt-4o')),
      ...times(2, () => served('chat', 'deepseek/deepseek-chat', { failedFirst: [failedAttempt('openai/gpt-4o', 503)] })),
    ];
    const report = await run(records, `  chat: { retry: { attempts: 2 }, targets: [ { provider: openai, model: gpt-4o } ] }\n`);
    const chat = report.aliases.find((a) => a.alias === 'chat')!;
    // Two tries: fails only when both fail, 0.2 × 0.2 = 4% of 10 requests.
    expect(chat.candidate.failed).toBeCloseTo(0.4, 9);
    expect(chat.candidate.served_by['openai/gpt-4o']).toBeCloseTo(9.6, 9);
  });

  it('routes the tool requests by a has_tools rule and the rest by the default rule', async () => {
    const records = [...times(3, () => served('auto', 'openai/gpt-4o', { tools: true })), ...times(7, () => served('auto', 'openai/gpt-4o'))];
    const report = await run(
      records,
      `  auto:\n    route:\n      - { when: { has_tools: true }, to: tools }\n      - { to: cheap }\n  tools: { targets: [ { provider: openai, model: gpt-4o } ] }\n  cheap: { targets: [ { provider: deepseek, model: deepseek-chat } ] }\n`,
    );
    const auto = report.aliases.find((a) => a.alias === 'auto')!;
    expect(auto.candidate.served_by).toEqual({ 'deepseek/deepseek-chat': 7, 'openai/gpt-4o': 3 });
    // 3 × 3500 µ$ + 7 × 380 µ$ = 13160 µ$.
    expect(auto.candidate.cost_usd).toBe(0.01316);
  });

  it('reports a model without a price as unpriced, never as $0', async () => {
    const records = times(4, () => served('chat', 'openai/gpt-4o'));
    const report = await run(records, `  chat: { targets: [ { provider: local, model: my-finetune-v3 } ] }\n`);
    const chat = report.aliases.find((a) => a.alias === 'chat')!;
    expect(chat.candidate.unpriced).toBe(4);
    expect(chat.candidate.cost_usd).toBeNull();
    expect(chat.diff.cost_usd).toBeNull();
    expect(formatReplayReport(report)).toContain('unpriced (4)');
  });

  it('prices recorded answers that carry no cost (no cost-log plugin) at the candidate’s prices, and says so', async () => {
    const records = times(2, () => served('chat', 'openai/gpt-4o'));
    const report = await run(records, `  chat: { targets: [ { provider: openai, model: gpt-4o } ] }\n`);
    // 2 × 3500 µ$ on both sides: the same target, tokens and prices.
    expect(report.total.actual.cost_usd).toBe(0.007);
    expect(report.total.candidate.cost_usd).toBe(0.007);
    expect(report.total.diff.cost_usd).toBe(0);
    expect(report.assumptions.some((a) => a.startsWith('2 answered request(s) have no recorded cost'))).toBe(true);
  });

  it('keeps cached tokens cached only when the candidate stays on the provider that cached them', async () => {
    const records = times(1, () => served('chat', 'deepseek/deepseek-chat', { cached_tokens: 800 }));
    const same = await run(records, `  chat: { targets: [ { provider: deepseek, model: deepseek-chat } ] }\n`);
    // 200 × 0.27 + 800 × 0.07 + 100 × 1.1 = 54 + 56 + 110 = 220 µ$.
    expect(same.total.candidate.cost_usd).toBe(0.00022);
    const moved = await run(records, `  chat: { targets: [ { provider: openai, model: deepseek-chat } ] }\n`);
    // Another provider: all 1000 prompt tokens at the input price, 270 + 110 = 380 µ$.
    expect(moved.total.candidate.cost_usd).toBe(0.00038);
  });

  it('gives the same report for the same log, and splits a weighted alias by its weights', async () => {
    const records = times(400, () => served('chat', 'openai/gpt-4o'));
    const models = `  chat: { targets: [ { provider: openai, model: gpt-4o, weight: 3 }, { provider: openai, model: gpt-4o-mini, weight: 1 } ] }\n`;
    const first = await run(records, models);
    const second = await run([...records].reverse(), models);
    expect(second).toEqual(first);
    const share = first.total.candidate.served_by['openai/gpt-4o'] / 400;
    expect(share).toBeGreaterThan(0.65);
    expect(share).toBeLessThan(0.85);
  });

  it('says when a match: rule needed prompt text the record does not keep', async () => {
    const records = times(2, () => served('auto', 'openai/gpt-4o'));
    const report = await run(
      records,
      `  auto:\n    route:\n      - { when: { match: "translate" }, to: tools }\n      - { to: cheap }\n  tools: { targets: [ { provider: openai, model: gpt-4o } ] }\n  cheap: { targets: [ { provider: deepseek, model: deepseek-chat } ] }\n`,
    );
    expect(report.total.candidate.served_by).toEqual({ 'deepseek/deepseek-chat': 2 });
    expect(report.assumptions.some((a) => a.startsWith('Regex `match:` rules cannot be evaluated without logged content: 2 request(s)'))).toBe(true);
  });

  it('evaluates a match: rule on the logged prompt when content logging kept it', async () => {
    const body = JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Please translate this' }] });
    const records = [served('auto', 'openai/gpt-4o', { content: { request: body } })];
    const report = await run(
      records,
      `  auto:\n    route:\n      - { when: { match: "translate" }, to: tools }\n      - { to: cheap }\n  tools: { targets: [ { provider: openai, model: gpt-4o } ] }\n  cheap: { targets: [ { provider: deepseek, model: deepseek-chat } ] }\n`,
    );
    expect(report.total.candidate.served_by).toEqual({ 'openai/gpt-4o': 1 });
    expect(report.assumptions.some((a) => a.startsWith('Regex'))).toBe(false);
  });

  it('keeps cache hits and requests refused before routing as they happened', async () => {
    const hit: RequestRecord = { ...served('chat', 'openai/gpt-4o'), attempts: [], cache: 'hit', provider: undefined, model: undefined };
    const refused: RequestRecord = { ...served('chat', 'openai/gpt-4o'), attempts: [], status: 429, error_code: 'rate_limit_exceeded' };
    const report = await run([hit, refused], `  chat: { targets: [ { provider: deepseek, model: deepseek-chat } ] }\n`);
    expect(report.total.replayed).toBe(0);
    expect(report.total.candidate.failed).toBe(1);
    expect(report.total.candidate.errors).toEqual({ rate_limit_exceeded: 1 });
    expect(report.assumptions.some((a) => a.startsWith('2 request(s) never reached routing'))).toBe(true);
  });

  it('answers model_not_found for an alias the candidate dropped', async () => {
    const report = await run(
      times(3, () => served('old', 'openai/gpt-4o')),
      `  chat: { targets: [ { provider: deepseek, model: deepseek-chat } ] }\n`,
    );
    expect(report.aliases[0].candidate.errors).toEqual({ model_not_found: 3 });
  });

  it('refuses a broken candidate with the line and column of the problem, and reads no environment', () => {
    process.env.REPLAY_TEST_SECRET = 'sk-should-never-appear';
    try {
      const broken = 'providers:\n  a: { api: openai, base_url: http://127.0.0.1:9/v1 }\nmodels:\n  chat: { targets: [ { provider: nope, model: m } ] }\n';
      expect(() => loadCandidate(broken, 'bad.yaml')).toThrow(ConfigError);
      try {
        loadCandidate(broken, 'bad.yaml');
      } catch (err) {
        expect((err as ConfigError).problems).toEqual([expect.objectContaining({ line: 4, message: expect.stringContaining('nope') })]);
      }
      const c = loadCandidate(
        'providers:\n  a: { api: openai, base_url: http://127.0.0.1:9/v1, api_key: "${REPLAY_TEST_SECRET}" }\nmodels:\n  chat: { targets: [ { provider: a, model: m } ] }\n',
        'c.yaml',
      );
      expect(JSON.stringify(c.config)).not.toContain('sk-should-never-appear');
      expect(c.unreadVariables).toEqual(['REPLAY_TEST_SECRET']);
    } finally {
      delete process.env.REPLAY_TEST_SECRET;
    }
  });
});

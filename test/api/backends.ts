/**
 * The fixture of the API suites: strict fakes of Anthropic, Gemini and OpenAI and the real gateway in front of
 * them, started once per file inside the test process, with the fakes' rules and call logs reset before each test.
 */
import { startFakeAnthropic, type FakeAnthropic } from '../../src/testing/fake-anthropic';
import { startFakeGemini, type FakeGemini } from '../../src/testing/fake-gemini';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import type { StartOptions } from '../helpers/daemon';
import { startInProcess, type InProcessGateway } from '../helpers/in-process';

export interface Backends {
  readonly anthropic: FakeAnthropic;
  readonly gemini: FakeGemini;
  readonly openai: FakeOpenAI;
  readonly gw: InProcessGateway;
}

/**
 * The config most suites start from: the providers `claude`, `gem`, `gpt` (OpenAI through chat) and `native`
 * (OpenAI's Responses API, `responses: native`), each on its fake, and an alias for each (`claude`, `gemini`,
 * `gpt`, `native`); a suite appends its own aliases (indented two spaces) and sections after it.
 *
 * @example gatewayWithBackends((f) => `${standardConfig(f)}  cheap: { targets: [ { provider: gpt, model: gpt-4o-mini } ] }\n`)
 */
export function standardConfig(up: Pick<Backends, 'anthropic' | 'gemini' | 'openai'>): string {
  return `providers:
  claude: { api: anthropic, base_url: "${up.anthropic.url}", api_key: "sk-ant-gateway-key" }
  gem:    { api: gemini, base_url: "${up.gemini.url}", api_key: "AIza-gateway-key" }
  gpt:    { api: openai, base_url: "${up.openai.url}", api_key: "sk-openai-gateway-key" }
  native: { api: openai, base_url: "${up.openai.url}", api_key: "sk-openai-gateway-key", responses: native }
models:
  claude: { targets: [ { provider: claude, model: claude-sonnet-4-5 } ] }
  gemini: { targets: [ { provider: gem, model: gemini-2.5-flash } ] }
  gpt:    { targets: [ { provider: gpt, model: gpt-4o-mini } ] }
  native: { targets: [ { provider: native, model: gpt-4.1-mini } ] }
`;
}

/**
 * Registers the jest hooks; the returned object is filled in by `beforeAll` (the file's own `beforeAll`, registered
 * after, sees it started).
 *
 * @example
 * const up = gatewayWithBackends((f) => `providers: { claude: { api: anthropic, base_url: "${f.anthropic.url}", api_key: k } }\nmodels: …`);
 * test('…', async () => { up.anthropic.on('*', { status: 529 }); await fetch(`${up.gw.url}/v1/responses`, …); });
 */
export function gatewayWithBackends(
  config: (fakes: Pick<Backends, 'anthropic' | 'gemini' | 'openai'>) => string,
  options: Omit<StartOptions, 'config'> = {},
): Backends {
  const up = {} as { -readonly [K in keyof Backends]: Backends[K] };
  beforeAll(async () => {
    [up.anthropic, up.gemini, up.openai] = await Promise.all([startFakeAnthropic(), startFakeGemini(), startFakeOpenAI()]);
    up.gw = await startInProcess({ ...options, config: config(up) });
  });
  afterAll(async () => {
    await up.gw?.stop();
    await Promise.all([up.anthropic?.close(), up.gemini?.close(), up.openai?.close()]);
  });
  beforeEach(() => {
    up.anthropic.reset();
    up.gemini.reset();
    up.openai.reset();
  });
  return up;
}

/**
 * The fixture e2e suites share: fake upstreams (any of those in src/testing/: OpenAI, Anthropic, Gemini, Bedrock,
 * Vertex, the vendor fakes) and the real gateway pointed at them, started once per file inside the test process (see
 * in-process.ts), with every fake's rules and call log reset before each test. `gatewayWithFake` is the common
 * case of one fake OpenAI upstream.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import type { StartOptions } from './daemon';
import { startInProcess, type InProcessGateway } from './in-process';
import { eventually } from '../helpers/client';

/** What every fake upstream in src/testing/ has. */
interface Fake {
  readonly url: string;
  readonly openRequests: number;
  reset(): void;
  close(): Promise<void>;
}

/** How to start each fake, by the name the tests use for it. */
type FakeStarters = Record<string, () => Promise<Fake>>;

/** The started fakes, by the same names, each with its own type. */
export type StartedFakes<S extends FakeStarters> = { [K in keyof S]: Awaited<ReturnType<S[K]>> };

export interface FakesRig<F> {
  readonly fakes: F;
  readonly gw: InProcessGateway;
  /** An OpenAI SDK client of the gateway (key `client-key`, no retries), made on first use. */
  readonly openai: OpenAI;
  /** An Anthropic SDK client of the gateway (key `client-key`, no retries), made on first use. */
  readonly anthropic: Anthropic;
  /** A new OpenAI SDK client of the gateway that sends `apiKey` (no retries). */
  openaiWithKey(apiKey: string): OpenAI;
}

export interface RigOptions {
  /**
   * false: keep the fakes' calls and rules from test to test, for a suite that sets its rules once for the file,
   * or reads back background traffic (health checks). Default true.
   */
  resetEachTest?: boolean;
}

export interface Rig {
  readonly fake: FakeOpenAI;
  readonly gw: InProcessGateway;
}

/**
 * Registers the jest hooks; the returned object is filled in by `beforeAll`. The fakes start together, then the
 * gateway from what `gateway` makes of them (a config string, or start options with env and files).
 *
 * @example
 * const rig = gatewayWithFakes({ claude: startFakeAnthropic, gpt: startFakeOpenAI }, ({ claude, gpt }) => `
 * providers: { claude: { api: anthropic, base_url: "${claude.url}", api_key: k }, gpt: { api: openai, base_url: "${gpt.url}" } }
 * models: ...`);
 * test('…', async () => { rig.fakes.claude.on('*', { status: 529 }); await rig.openai.chat.completions.create(...); });
 */
export function gatewayWithFakes<S extends FakeStarters>(
  starters: S,
  gateway: (fakes: StartedFakes<S>) => StartOptions | string,
  options: RigOptions = {},
): FakesRig<StartedFakes<S>> {
  let fakes: StartedFakes<S> | undefined;
  let gw: InProcessGateway | undefined;
  let openai: OpenAI | undefined;
  let anthropic: Anthropic | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the rig starts in beforeAll: use it inside a test or a hook');
    return value;
  };
  const all = () => Object.values(fakes ?? {}) as Fake[];
  beforeAll(async () => {
    const names = Object.keys(starters);
    const each = await Promise.all(names.map((name) => starters[name]()));
    fakes = Object.fromEntries(names.map((name, i) => [name, each[i]])) as StartedFakes<S>;
    const options = gateway(fakes);
    gw = await startInProcess(typeof options === 'string' ? { config: options } : options);
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all(all().map((f) => f.close()));
  });
  beforeEach(async () => {
    if (options.resetEachTest === false) return;
    // Attempts an earlier test abandoned (timeouts, hedge losers) must have closed before counting starts.
    await eventually(() => all().every((f) => f.openRequests === 0));
    for (const f of all()) f.reset();
  });
  return {
    get fakes() {
      return started(fakes);
    },
    get gw() {
      return started(gw);
    },
    get openai() {
      return (openai ??= new OpenAI({ baseURL: `${started(gw).url}/v1`, apiKey: 'client-key', maxRetries: 0 }));
    },
    get anthropic() {
      return (anthropic ??= new Anthropic({ baseURL: started(gw).url, apiKey: 'client-key', maxRetries: 0 }));
    },
    openaiWithKey: (apiKey) => new OpenAI({ baseURL: `${started(gw).url}/v1`, apiKey, maxRetries: 0 }),
  };
}

/**
 * One fault-injecting fake OpenAI upstream and the gateway: the fixture most suites use.
 *
 * @example
 * const rig = gatewayWithFake((url) => `providers: { up: { api: openai, base_url: "${url}" } }\nmodels: ...`);
 * test('…', async () => { rig.fake.on('m', { status: 500 }); ... });
 */
export function gatewayWithFake(config: (fakeUrl: string) => string, options: Omit<StartOptions, 'config'> = {}): Rig {
  const rig = gatewayWithFakes({ fake: () => startFakeOpenAI() }, ({ fake }) => ({ ...options, config: config(fake.url) }));
  return {
    get fake() {
      return rig.fakes.fake;
    },
    get gw() {
      return rig.gw;
    },
  };
}

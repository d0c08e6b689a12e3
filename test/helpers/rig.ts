/**
 * The fixture most e2e suites use: a fault-injecting fake OpenAI upstream and the real gateway pointed
 * at it, started once per file inside the test process (see in-process.ts), with the fake's rules and call
 * log reset before each test.
 */
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import type { StartOptions } from './daemon';
import { startInProcess, type InProcessGateway } from './in-process';
import { eventually } from '../helpers/client';

export interface Rig {
  readonly fake: FakeOpenAI;
  readonly gw: InProcessGateway;
}

/**
 * Registers the jest hooks; the returned object is filled in by `beforeAll`.
 *
 * @example
 * const rig = gatewayWithFake((url) => `providers: { up: { api: openai, base_url: "${url}" } }\nmodels: ...`);
 * test('…', async () => { rig.fake.on('m', { status: 500 }); ... });
 */
export function gatewayWithFake(config: (fakeUrl: string) => string, options: Omit<StartOptions, 'config'> = {}): Rig {
  const rig = {} as { fake: FakeOpenAI; gw: InProcessGateway };
  beforeAll(async () => {
    rig.fake = await startFakeOpenAI();
    rig.gw = await startInProcess({ ...options, config: config(rig.fake.url) });
  });
  afterAll(async () => {
    await rig.gw?.stop();
    await rig.fake?.close();
  });
  beforeEach(async () => {
    // Attempts an earlier test abandoned (timeouts, hedge losers) must have closed before counting starts.
    await eventually(() => rig.fake.openRequests === 0);
    rig.fake.reset();
  });
  return rig;
}

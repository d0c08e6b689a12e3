/**
 * The fixture most e2e suites use: a fault-injecting fake OpenAI upstream and the real daemon pointed
 * at it, started once per file, with the fake's rules and call log reset before each test.
 */
import { startFakeOpenAI, type FakeOpenAI } from '../../src/testing/fake-openai';
import { startDaemon, type Daemon, type StartOptions } from './daemon';
import { eventually } from '../helpers/client';

export interface Rig {
  readonly fake: FakeOpenAI;
  readonly gw: Daemon;
}

/**
 * Registers the jest hooks; the returned object is filled in by `beforeAll`.
 *
 * @example
 * const rig = gatewayWithFake((url) => `providers: { up: { api: openai, base_url: "${url}" } }\nmodels: ...`);
 * test('…', async () => { rig.fake.on('m', { status: 500 }); ... });
 */
export function gatewayWithFake(config: (fakeUrl: string) => string, options: Omit<StartOptions, 'config'> = {}): Rig {
  const rig = {} as { fake: FakeOpenAI; gw: Daemon };
  beforeAll(async () => {
    rig.fake = await startFakeOpenAI();
    rig.gw = await startDaemon({ ...options, config: config(rig.fake.url) });
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

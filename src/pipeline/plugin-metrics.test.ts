import { metricsText } from '../observability/metrics';
import { requestContext } from '../../test/helpers/plugin-harness';
import { pluginMetrics } from './plugin-metrics';
import { PluginRequestState } from './request-state';

describe('env.metrics', () => {
  it('serves a plugin counter, gauge and histogram at /metrics under the switchyard_ prefix', async () => {
    const metrics = pluginMetrics(new Set(['chat']));
    metrics.counter('test_hits_total', 'Hits.', ['result']).inc(2, { result: 'hit' });
    metrics.gauge('test_depth', 'Depth.').set(3);
    metrics.histogram('test_wait_seconds', 'Wait.', [0.1, 1], ['result']).observe(0.5, { result: 'admitted' });
    const text = await metricsText();
    expect(text).toMatch(/^switchyard_test_hits_total\{result="hit"\} 2$/m);
    expect(text).toMatch(/^switchyard_test_depth 3$/m);
    expect(text).toMatch(/^switchyard_test_wait_seconds_bucket\{result="admitted",le="1"\} 1$/m);
  });

  it('hands a reloaded plugin the same series, and refuses a clash', () => {
    const first = pluginMetrics(new Set()).counter('test_reloaded_total', 'Reloaded.', ['alias']);
    const again = pluginMetrics(new Set()).counter('test_reloaded_total', 'Reloaded.', ['alias']);
    expect(again).toBe(first);
    expect(() => pluginMetrics(new Set()).counter('test_reloaded_total', 'Reloaded.', ['provider'])).toThrow(/already registered/);
    expect(() => pluginMetrics(new Set()).gauge('test_reloaded_total', 'Reloaded.', ['alias'])).toThrow(/already registered/);
    expect(() => pluginMetrics(new Set()).counter('requests_total', 'Mine.')).toThrow(/gateway's own/);
    expect(() => pluginMetrics(new Set()).counter('Bad-Name', 'No.')).toThrow(/lower-case/);
  });

  it("labels a request by the config's alias names only, never by what a client invented", () => {
    const metrics = pluginMetrics(new Set(['chat']));
    expect(metrics.requestLabels(requestContext({ body: { model: 'chat' } }))).toEqual({ alias: 'chat', provider: 'none', model: 'none' });
    expect(metrics.requestLabels(requestContext({ body: { model: 'made-up-by-a-client' } }))).toEqual({ alias: 'unknown', provider: 'none', model: 'none' });
  });
});

describe('ctx.get / ctx.set / ctx.logField', () => {
  it('keeps per-request values and log fields, and removes a field set to undefined', () => {
    const state = new PluginRequestState();
    expect(state.get('cache')).toBeUndefined();
    state.set('cache', 'hit');
    expect(state.get('cache')).toBe('hit');
    expect(state.logFields).toBeUndefined();
    state.logField('cache', 'hit');
    state.logField('cost_usd', 0);
    expect(state.logFields).toEqual({ cache: 'hit', cost_usd: 0 });
    state.logField('cache', undefined);
    expect(state.logFields).toEqual({ cost_usd: 0 });
  });
});

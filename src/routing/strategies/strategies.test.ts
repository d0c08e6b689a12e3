import type { ResolvedTarget } from '../snapshot-types';
import type { GatewayConfig } from '../../config/types';
import { TargetStats } from '../target-stats';
import { leastBusyOrder } from './least-busy';
import { estimatedCost, lowestCostOrder } from './lowest-cost';
import { lowestLatencyOrder } from './lowest-latency';
import type { StrategyInput } from './types';
import { weightedOrder } from './weighted';

const t = (model: string, weight = 1): ResolvedTarget => ({ provider: 'p', model, weight });
const models = (targets: ResolvedTarget[]) => targets.map((x) => x.model);

function input(targets: ResolvedTarget[], extra: Partial<StrategyInput> = {}): StrategyInput {
  return {
    targets,
    body: { model: 'a', messages: [{ role: 'user', content: 'hi' }] },
    stats: new TargetStats(),
    config: { pricing: {} } as unknown as GatewayConfig,
    random: () => 0.5,
    ...extra,
  };
}

describe('strategies', () => {
  test('weighted draws every target once, in proportion to weight', () => {
    expect(models(weightedOrder([t('a', 3), t('b', 1)], () => 0.1))).toEqual(['a', 'b']);
    expect(models(weightedOrder([t('a', 3), t('b', 1)], () => 0.9))).toEqual(['b', 'a']);
  });

  test('lowest-latency tries unmeasured targets first, then the fastest, exploring now and then', () => {
    const stats = new TargetStats();
    stats.recordTtfb('p/slow', 900);
    expect(models(lowestLatencyOrder(input([t('slow'), t('fast')], { stats })))).toEqual(['fast', 'slow']);
    stats.recordTtfb('p/fast', 100);
    expect(models(lowestLatencyOrder(input([t('slow'), t('fast')], { stats, random: () => 0.5 })))).toEqual(['fast', 'slow']);
    // random() < EXPLORATION_RATE: weighted order, which with random() = 0.05 puts the first target first.
    expect(models(lowestLatencyOrder(input([t('slow'), t('fast')], { stats, random: () => 0.05 })))).toEqual(['slow', 'fast']);
  });

  test('the latency average decays toward recent samples, so a recovered target wins again', () => {
    const stats = new TargetStats();
    stats.recordTtfb('p/a', 2000);
    for (let i = 0; i < 10; i++) stats.recordTtfb('p/a', 100);
    stats.recordTtfb('p/b', 300);
    expect(models(lowestLatencyOrder(input([t('b'), t('a')], { stats })))).toEqual(['a', 'b']);
  });

  test('a target that fails fast does not look fast', () => {
    const stats = new TargetStats();
    stats.recordTtfb('p/flaky', 50);
    stats.recordTtfb('p/steady', 120);
    stats.recordFailure('p/flaky', 5);
    expect(models(lowestLatencyOrder(input([t('flaky'), t('steady')], { stats })))).toEqual(['steady', 'flaky']);
  });

  test('lowest-cost orders by estimated cost for this request; unpriced targets go last', () => {
    expect(models(lowestCostOrder(input([t('unknown-model'), t('gpt-4o'), t('gpt-4o-mini')])))).toEqual(['gpt-4o-mini', 'gpt-4o', 'unknown-model']);
    expect(estimatedCost({ input: 2, output: 10 }, { promptTokens: 1000, completionTokens: 100 })).toBe(3000);
    expect(estimatedCost(undefined, { promptTokens: 1, completionTokens: 1 })).toBe(Infinity);
  });

  test('lowest-cost weighs the completion budget: output-heavy requests prefer cheap output', () => {
    const config = { pricing: { 'cheap-in': { input: 0.1, output: 20 }, 'cheap-out': { input: 5, output: 1 } } } as unknown as GatewayConfig;
    const short = { model: 'a', messages: [{ role: 'user', content: 'x'.repeat(4000) }], max_tokens: 1 };
    const long = { model: 'a', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4000 };
    expect(models(lowestCostOrder(input([t('cheap-out'), t('cheap-in')], { config, body: short })))).toEqual(['cheap-in', 'cheap-out']);
    expect(models(lowestCostOrder(input([t('cheap-in'), t('cheap-out')], { config, body: long })))).toEqual(['cheap-out', 'cheap-in']);
  });

  test('least-busy puts the target with fewer requests in flight first', () => {
    const stats = new TargetStats();
    stats.begin('p/a');
    const done = stats.begin('p/a');
    stats.begin('p/b');
    expect(models(leastBusyOrder(input([t('a'), t('b')], { stats })))).toEqual(['b', 'a']);
    done();
    done(); // ending twice counts once
    expect(stats.inFlight('p/a')).toBe(1);
  });
});

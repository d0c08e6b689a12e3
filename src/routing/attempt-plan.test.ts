import { loadConfigText } from '../config/load';
import { buildSnapshot } from '../runtime/snapshot';
import type { RuntimeSnapshot } from './snapshot-types';
import { StateRegistry } from '../runtime/state-registry';
import { createLogger } from '../observability/logger';
import { AttemptPlan, type PlanOptions } from './attempt-plan';
import { routeFactsOf } from './rules';

const yaml = `
providers:
  m: { api: mock }
models:
  auto:
    route:
      - { name: tools, when: { has_tools: true }, to: premium }
      - to: cheap
    fallbacks: [last-resort]
  premium: { strategy: ordered, targets: [ { provider: m, model: p1 }, { provider: m, model: p2 } ], fallbacks: [cheap] }
  cheap: { targets: [ { provider: m, model: c1 } ], fallbacks: [premium], context_window_fallbacks: [long] }
  long: { targets: [ { provider: m, model: l1 } ] }
  last-resort: { targets: [ { provider: m, model: z } ] }
  spare: { targets: [ { provider: m, model: s } ] }
  strict: { targets: [ { provider: m, model: x } ], route: [ { to: cheap } ] }
`;

let snapshot: RuntimeSnapshot;
beforeAll(async () => {
  snapshot = await buildSnapshot(
    loadConfigText(yaml.replace(/\n {2}strict:.*\n/, '\n'), '/tmp/plan-test.yaml'),
    new StateRegistry(),
    createLogger({ silent: true }),
  );
});

function walk(alias: string, body: Record<string, unknown> = {}, extra: Partial<PlanOptions> = {}): { steps: string[]; rules: string[] } {
  const rules: string[] = [];
  const plan = new AttemptPlan(snapshot, snapshot.aliases.get(alias)!, {
    facts: () => routeFactsOf({ model: alias, messages: [{ role: 'user', content: 'hi' }], ...body }, {}),
    order: (a) => [...a.targets],
    onRule: (_a, r) => rules.push(r.name),
    ...extra,
  });
  const steps: string[] = [];
  for (let s = plan.next(); s; s = plan.next()) steps.push(`${s.alias.name}:${s.target.model}`);
  return { steps, rules };
}

describe('AttemptPlan', () => {
  test('targets, then fallbacks depth first, each alias once (cycles end)', () => {
    expect(walk('premium').steps).toEqual(['premium:p1', 'premium:p2', 'cheap:c1']);
  });

  test("a route alias resolves to its rule's alias, then its own fallbacks", () => {
    expect(walk('auto', { tools: [{ type: 'function', function: { name: 'f' } }] })).toEqual({
      steps: ['premium:p1', 'premium:p2', 'cheap:c1', 'last-resort:z'],
      rules: ['tools'],
    });
    expect(walk('auto')).toEqual({ steps: ['cheap:c1', 'premium:p1', 'premium:p2', 'last-resort:z'], rules: ['auto.route[1]'] });
  });

  test("the request's fallbacks replace the serving alias's fallbacks", () => {
    expect(walk('premium', {}, { requestFallbacks: ['spare'] }).steps).toEqual(['premium:p1', 'premium:p2', 'spare:s']);
  });

  test('a context-window overflow diverts the rest of the plan to context_window_fallbacks', () => {
    const plan = new AttemptPlan(snapshot, snapshot.aliases.get('cheap')!, { facts: () => routeFactsOf({}, {}), order: (a) => [...a.targets] });
    const first = plan.next()!;
    expect(plan.divertForContextWindow([first.alias])).toBe(true);
    expect(plan.next()?.target.model).toBe('l1');
    expect(plan.next()).toBeUndefined();
    expect(plan.divertForContextWindow([snapshot.aliases.get('spare')!])).toBe(false);
  });

  test('an alias with both targets and route is a config error', () => {
    expect(() => loadConfigText(yaml, '/tmp/plan-test.yaml')).toThrow(/models\.strict\.route: an alias has either "targets" or "route", not both/);
  });
});

/**
 * `env.metrics`: how a plugin registers Prometheus series in the registry GET /metrics serves, instead of reaching
 * for module singletons. Registrations are process-wide, like the registry: a reloaded plugin registering the
 * same name gets the same series back, so its counts survive the reload. Counters and histograms are the
 * gateway's hot metrics (a label set is looked up once, then updated with plain arithmetic).
 */
import client from 'prom-client';
import { HotCounter, HotHistogram } from '../observability/hot-metrics';
import { aliasLabel, registry } from '../observability/metrics';
import type { MetricLabels, PluginCounter, PluginGauge, PluginHistogram, PluginMetrics, RequestContext } from './types';

const PREFIX = 'switchyard_';
const NAME = /^[a-z_][a-z0-9_]*$/;

interface Registration {
  kind: 'counter' | 'gauge' | 'histogram';
  signature: string;
  handle: PluginCounter | PluginGauge | PluginHistogram;
}

/** Every plugin registration of this process, by full name. */
const registered = new Map<string, Registration>();

/** The child key of a label set: its values in label-name order (labels not named stay empty). */
function keyOf(labelNames: readonly string[], labels: MetricLabels | undefined): string {
  if (labelNames.length === 0 || !labels) return '';
  let key = labels[labelNames[0]] ?? '';
  for (let i = 1; i < labelNames.length; i++) key += '\u0000' + (labels[labelNames[i]] ?? '');
  return key;
}

function labelsOf(labelNames: readonly string[], labels: MetricLabels | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of labelNames) out[name] = labels?.[name] ?? '';
  return out;
}

function register<H extends Registration['handle']>(
  kind: Registration['kind'],
  name: string,
  help: string,
  labelNames: readonly string[],
  extra: string,
  make: (full: string) => H,
): H {
  if (!NAME.test(name)) throw new Error(`metric name "${name}" must be lower-case letters, digits and underscores`);
  for (const label of labelNames) if (!NAME.test(label) || label === 'le') throw new Error(`metric ${name}: label name "${label}" is not allowed`);
  const full = name.startsWith(PREFIX) ? name : PREFIX + name;
  const signature = `${kind}(${labelNames.join(',')})${extra}`;
  const known = registered.get(full);
  if (known) {
    if (known.signature !== signature) throw new Error(`metric ${full} is already registered as ${known.signature}`);
    return known.handle as H;
  }
  if (registry.getSingleMetric(full)) throw new Error(`metric ${full} is one of the gateway's own`);
  const handle = make(full);
  registered.set(full, { kind, signature, handle });
  return handle;
}

/**
 * The metrics facade of one plugin load. `knownAliases` are the config's alias names, for `requestLabels`.
 *
 * @example const metrics = pluginMetrics(new Set(Object.keys(config.models)));
 */
export function pluginMetrics(knownAliases: ReadonlySet<string>): PluginMetrics {
  return {
    counter(name, help, labelNames = []) {
      return register('counter', name, help, labelNames, '', (full) => {
        const family = new HotCounter(full, help);
        registry.registerMetric(family as unknown as client.Metric);
        return { inc: (by = 1, labels) => family.child(keyOf(labelNames, labels), () => labelsOf(labelNames, labels)).inc(by) };
      });
    },
    gauge(name, help, labelNames = []) {
      return register('gauge', name, help, labelNames, '', (full) => {
        const gauge = new client.Gauge({ name: full, help, labelNames: [...labelNames], registers: [registry] });
        return { set: (value, labels) => (labelNames.length ? gauge.set(labelsOf(labelNames, labels), value) : gauge.set(value)) };
      });
    },
    histogram(name, help, buckets, labelNames = []) {
      return register('histogram', name, help, labelNames, `[${buckets.join(',')}]`, (full) => {
        const family = new HotHistogram(full, help, buckets);
        registry.registerMetric(family as unknown as client.Metric);
        return { observe: (value, labels) => family.child(keyOf(labelNames, labels), () => labelsOf(labelNames, labels)).observe(value) };
      });
    },
    requestLabels(ctx: RequestContext) {
      return { alias: aliasLabel(ctx, knownAliases), provider: ctx.servedBy?.provider ?? 'none', model: ctx.servedBy?.model ?? 'none' };
    },
  };
}

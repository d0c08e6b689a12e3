/**
 * Counters and histograms for the per-request series, cheap enough to update several times on every request.
 *
 * Why not prom-client's own: its labelled metrics validate and hash the label set on every `inc`/`observe`,
 * even through a cached child, and a request updates about ten series (measured: metrics were ~6% of the CPU
 * of a proxied request). Here a child is looked up once per label set and then updated with plain arithmetic.
 * The metrics register in the same prom-client registry (they implement the `get()` it reads), so /metrics
 * stays one exposition with one format.
 */

/** Label names to values, as prom-client's registry prints them. */
type Labels = Record<string, string | number>;

/** One line of a metric's exposition, in the shape prom-client's registry formats. */
interface MetricValue {
  labels: Labels;
  value: number;
  metricName?: string;
}

/** What prom-client's Registry reads from a registered metric. */
export interface RegistrableMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  get(): Promise<{ name: string; help: string; type: string; values: MetricValue[]; aggregator: 'sum' }>;
  reset(): void;
}

/** A labelled family of children, created on first use of each label set. */
abstract class Family<C extends { labels: Labels }> implements RegistrableMetric {
  abstract readonly type: 'counter' | 'histogram';
  private readonly children = new Map<string, C>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /**
   * The child for one label set. `key` must identify the label values (callers join them with "\u0000");
   * `labels` is called only when the child is new.
   */
  child(key: string, labels: () => Labels): C {
    let child = this.children.get(key);
    if (!child) {
      child = this.create(labels());
      this.children.set(key, child);
    }
    return child;
  }

  protected abstract create(labels: Labels): C;
  protected abstract values(child: C): MetricValue[];

  async get() {
    const values: MetricValue[] = [];
    for (const child of this.children.values()) values.push(...this.values(child));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' as const };
  }

  reset(): void {
    this.children.clear();
  }
}

/** One label set of a counter. */
export class CounterChild {
  value = 0;
  constructor(readonly labels: Labels) {}

  /** @example child.inc(); child.inc(12) */
  inc(by = 1): void {
    this.value += by;
  }
}

/**
 * @example
 * const requests = new HotCounter('switchyard_requests_total', 'Requests.');
 * requests.child('chat\u0000200', () => ({ endpoint: 'chat', status: '200' })).inc();
 */
export class HotCounter extends Family<CounterChild> {
  readonly type = 'counter';

  protected create(labels: Labels): CounterChild {
    return new CounterChild(labels);
  }

  protected values(child: CounterChild): MetricValue[] {
    return [{ labels: child.labels, value: child.value }];
  }
}

/** One label set of a histogram: a count per bucket (not cumulative; the exposition sums them up). */
export class HistogramChild {
  sum = 0;
  count = 0;
  readonly counts: number[];

  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length).fill(0);
  }

  /** @example child.observe(0.012) // seconds */
  observe(value: number): void {
    if (!Number.isFinite(value)) return; // a metric is not worth an exception on the request path
    this.sum += value;
    this.count += 1;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        this.counts[i] += 1;
        return;
      }
    }
  }
}

/**
 * @example
 * const latency = new HotHistogram('switchyard_request_duration_seconds', 'Request time.', [0.01, 0.1, 1]);
 * latency.child('chat', () => ({ endpoint: 'chat' })).observe(0.042);
 */
export class HotHistogram extends Family<HistogramChild> {
  readonly type = 'histogram';

  constructor(
    name: string,
    help: string,
    private readonly bounds: readonly number[],
  ) {
    super(name, help);
  }

  protected create(labels: Labels): HistogramChild {
    return new HistogramChild(labels, this.bounds);
  }

  protected values(child: HistogramChild): MetricValue[] {
    const out: MetricValue[] = [];
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += child.counts[i];
      out.push({ labels: { ...child.labels, le: bound }, value: cumulative, metricName: `${this.name}_bucket` });
    });
    out.push({ labels: { ...child.labels, le: '+Inf' }, value: child.count, metricName: `${this.name}_bucket` });
    out.push({ labels: child.labels, value: child.sum, metricName: `${this.name}_sum` });
    out.push({ labels: child.labels, value: child.count, metricName: `${this.name}_count` });
    return out;
  }
}

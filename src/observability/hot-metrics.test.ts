import client from 'prom-client';
import { HotCounter, HotHistogram } from './hot-metrics';

/** Registers the metrics in a fresh prom-client registry and returns its text exposition. */
async function exposition(...metrics: (HotCounter | HotHistogram)[]): Promise<string> {
  const registry = new client.Registry();
  for (const m of metrics) registry.registerMetric(m as unknown as client.Metric);
  return registry.metrics();
}

describe('hot metrics', () => {
  it('counts per label set, in Prometheus text through prom-client’s registry', async () => {
    const requests = new HotCounter('t_requests_total', 'Requests.');
    const ok = requests.child('chat\u0000200', () => ({ endpoint: 'chat', status: '200' }));
    ok.inc();
    ok.inc(2);
    requests.child('chat\u0000200', () => ({ endpoint: 'never used', status: '0' })).inc();
    requests.child('chat\u0000500', () => ({ endpoint: 'chat', status: '500' })).inc();
    const text = await exposition(requests);
    expect(text).toContain('# TYPE t_requests_total counter');
    expect(text).toContain('t_requests_total{endpoint="chat",status="200"} 4');
    expect(text).toContain('t_requests_total{endpoint="chat",status="500"} 1');
    expect(text).not.toContain('never used');
  });

  it('writes cumulative buckets, +Inf, sum and count, and ignores values that are not numbers', async () => {
    const latency = new HotHistogram('t_latency_seconds', 'Latency.', [0.1, 1]);
    const child = latency.child('a', () => ({ alias: 'a"b' }));
    for (const v of [0.05, 0.1, 0.5, 3, Number.NaN, Number.POSITIVE_INFINITY]) child.observe(v);
    const text = await exposition(latency);
    expect(text).toContain('# TYPE t_latency_seconds histogram');
    expect(text).toContain('t_latency_seconds_bucket{alias="a\\"b",le="0.1"} 2');
    expect(text).toContain('t_latency_seconds_bucket{alias="a\\"b",le="1"} 3');
    expect(text).toContain('t_latency_seconds_bucket{alias="a\\"b",le="+Inf"} 4');
    expect(text).toContain('t_latency_seconds_sum{alias="a\\"b"} 3.65');
    expect(text).toContain('t_latency_seconds_count{alias="a\\"b"} 4');
  });

  it('forgets every series on reset', async () => {
    const c = new HotCounter('t_reset_total', 'Reset.');
    c.child('x', () => ({ k: 'x' })).inc();
    c.reset();
    expect(await exposition(c)).not.toContain('k="x"');
  });
});

/**
 * The Overview page: traffic, errors, latency, tokens and spend over the last hour, day or week, read from the
 * request log's rollups (every gateway process writing the same store, and what was recorded before a restart).
 */
import { useState } from 'preact/hooks';
import { Chart, Groups, fmt, usd } from '../components';
import { useLive, type Json } from '../live';

export function Overview() {
  const [range, setRange] = useState('hour');
  const { data, problem } = useLive('overview', { range });
  return (
    <section>
      <label>
        Range{' '}
        <select name="range" value={range} onChange={(e) => setRange((e.target as HTMLSelectElement).value)}>
          <option value="hour">last hour</option>
          <option value="day">last day</option>
          <option value="week">last week</option>
        </select>
      </label>
      {problem && <p class="bad">{problem}</p>}
      {data && (
        <>
          <div class="cards">
            <div class="card">
              <b>{data.totals.requests}</b> requests
            </div>
            <div class="card">
              <b>{fmt((data.totals.error_rate ?? 0) * 100)}%</b> errors
            </div>
            <div class="card">
              <b>
                {fmt(data.totals.p50_ms, 0)} / {fmt(data.totals.p95_ms, 0)} ms
              </b>{' '}
              p50 / p95
            </div>
            <div class="card">
              <b>
                {fmt(data.totals.ttfb_p50_ms, 0)} / {fmt(data.totals.ttfb_p95_ms, 0)} ms
              </b>{' '}
              TTFB p50 / p95
            </div>
            <div class="card">
              <b>{data.totals.tokens}</b> tokens
            </div>
            <div class="card">
              <b>{usd(data.totals.cost_usd)}</b> spend
            </div>
          </div>
          {(() => {
            const x = data.points.map((p: Json) => p.t / 1000);
            const col = (k: string) => data.points.map((p: Json) => p[k]);
            return (
              <div class="grid">
                <Chart title="Requests per second" x={x} series={[{ label: 'req/s', values: col('requests_per_s') }]} />
                <Chart title="Error rate" x={x} series={[{ label: 'errors', values: col('error_rate') }]} />
                <Chart
                  title="Latency (ms)"
                  x={x}
                  series={[
                    { label: 'p50', values: col('p50_ms') },
                    { label: 'p95', values: col('p95_ms') },
                    { label: 'TTFB p50', values: col('ttfb_p50_ms') },
                    { label: 'TTFB p95', values: col('ttfb_p95_ms') },
                  ]}
                />
                <Chart
                  title="Tokens per second and spend per hour"
                  x={x}
                  series={[
                    { label: 'tokens/s', values: col('tokens_per_s') },
                    { label: '$/h', values: col('spend_usd_per_hour') },
                  ]}
                />
              </div>
            );
          })()}
          <div class="grid">
            <Groups title="By alias" rows={data.by_alias} />
            <Groups title="By provider" rows={data.by_provider} />
          </div>
        </>
      )}
    </section>
  );
}

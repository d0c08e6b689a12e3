/** The Providers and targets page: health, cooldowns and latency of every provider and target. */
import { useRef } from 'preact/hooks';
import { Chart, fmt } from '../components';
import { useLive, type Json } from '../live';

export function Providers() {
  const { data } = useLive('providers', {});
  const history = useRef<{ t: number[]; byTarget: Map<string, (number | null)[]> }>({ t: [], byTarget: new Map() });
  if (data) {
    const h = history.current;
    h.t.push(Date.now() / 1000);
    for (const t of data.targets) {
      if (!h.byTarget.has(t.id)) h.byTarget.set(t.id, new Array(h.t.length - 1).fill(null));
    }
    for (const [id, values] of h.byTarget) values.push(data.targets.find((t: Json) => t.id === id)?.ttfb_ms ?? null);
    if (h.t.length > 360) {
      h.t.shift();
      for (const v of h.byTarget.values()) v.shift();
    }
  }
  if (!data) return <p>Loading…</p>;
  return (
    <section>
      <table data-table="providers">
        <caption>Providers</caption>
        <thead>
          <tr>
            <th>name</th>
            <th>api</th>
            <th>available</th>
            <th>cooldown</th>
          </tr>
        </thead>
        <tbody>
          {data.providers.map((p: Json) => (
            <tr key={p.name}>
              <td>{p.name}</td>
              <td>{p.api}</td>
              <td class={p.available ? 'ok' : 'bad'}>{p.available ? 'yes' : `no (missing ${p.missing_env.join(', ')})`}</td>
              <td>{p.cooldown ? `${p.cooldown.state}, ${p.cooldown.remaining_s}s left (${p.cooldown.reason})` : 'in service'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table data-table="targets">
        <caption>Targets</caption>
        <thead>
          <tr>
            <th>target</th>
            <th>aliases</th>
            <th>state</th>
            <th>time left</th>
            <th>reason</th>
            <th>TTFB ms</th>
            <th>samples</th>
            <th>in flight</th>
          </tr>
        </thead>
        <tbody>
          {data.targets.map((t: Json) => (
            <tr key={t.id}>
              <td>{t.id}</td>
              <td>{t.aliases.join(', ')}</td>
              <td class={t.state === 'in_service' ? 'ok' : 'bad'}>{t.state}</td>
              <td>{t.remaining_s ? `${t.remaining_s}s` : '—'}</td>
              <td>{t.reason ?? '—'}</td>
              <td>{fmt(t.ttfb_ms, 0)}</td>
              <td>{t.samples}</td>
              <td>{t.in_flight}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Chart
        title="Target TTFB (ms), since this page opened"
        x={history.current.t}
        series={[...history.current.byTarget].map(([label, values]) => ({ label, values }))}
      />
    </section>
  );
}

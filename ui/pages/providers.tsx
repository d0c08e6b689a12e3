/**
 * The Providers and targets page: health, cooldowns and latency of every provider and target, the last hour's
 * attempt failures by kind, the rate-limit headroom the upstreams reported, active health checks and the
 * quality estimates from feedback.
 */
import { useRef } from 'preact/hooks';
import { Chart, fmt } from '../components';
import { useLive, type Json } from '../live';

const BUDGETS = ['requests', 'tokens', 'input_tokens', 'output_tokens'];

function budgetCell(b: Json) {
  if (!b) return '—';
  const left = b.remaining === null ? '?' : String(b.remaining);
  const of = b.limit === null ? '' : ` / ${b.limit}`;
  const reset = b.reset_s === null ? '' : `, resets in ${fmt(b.reset_s, 1)}s`;
  const low = b.limit && b.remaining !== null && b.remaining / b.limit < 0.1;
  return <span class={low ? 'bad' : undefined}>{`${left}${of}${reset}`}</span>;
}

function healthCell(h: Json) {
  if (!h) return 'not configured';
  if (!h.last) return `${h.kind} every ${h.interval_s}s, pending`;
  const l = h.last;
  return (
    <span class={l.ok ? 'ok' : 'bad'}>
      {`${l.ok ? 'ok' : 'failed'} ${fmt(l.latency_ms, 0)} ms at ${new Date(l.checked_at).toLocaleTimeString()}`}
      {l.error ? ` (${l.error})` : ''}
    </span>
  );
}

function ErrorsTable(props: { rows: Json[] }) {
  return (
    <table data-table="errors">
      <caption>Errors by kind, last hour</caption>
      <thead>
        <tr>
          <th>target</th>
          <th>attempts</th>
          <th>failures</th>
          <th>by kind</th>
          <th>last error</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.length === 0 ? (
          <tr>
            <td colSpan={5}>No attempts in the last hour.</td>
          </tr>
        ) : (
          props.rows.map((e: Json) => (
            <tr key={e.target}>
              <td>{e.target}</td>
              <td>{e.attempts}</td>
              <td class={e.failures ? 'bad' : 'ok'}>{e.failures}</td>
              <td>
                {Object.entries(e.by_kind)
                  .map(([k, n]) => `${k}: ${String(n)}`)
                  .join(', ') || '—'}
              </td>
              <td>{e.last_error ? `${new Date(e.last_error.at).toLocaleTimeString()} ${e.last_error.kind}: ${e.last_error.message}` : '—'}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

function HeadroomTable(props: { rows: Json[] }) {
  return (
    <table data-table="rate-limits">
      <caption>Rate-limit headroom (remaining / limit, from the upstream's headers)</caption>
      <thead>
        <tr>
          <th>provider</th>
          <th>model</th>
          {BUDGETS.map((b) => (
            <th key={b}>{b.replace('_', ' ')}</th>
          ))}
          <th>seen</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.length === 0 ? (
          <tr>
            <td colSpan={BUDGETS.length + 3}>No upstream has sent rate-limit headers yet.</td>
          </tr>
        ) : (
          props.rows.map((r: Json) => (
            <tr key={`${r.provider}/${r.model}`}>
              <td>{r.provider}</td>
              <td>{r.model === '*' ? '(any)' : r.model}</td>
              {BUDGETS.map((b) => (
                <td key={b}>{budgetCell(r.budgets[b])}</td>
              ))}
              <td>{new Date(r.seen_at).toLocaleTimeString()}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

function QualityTable(props: { rows: Json[] | null }) {
  if (props.rows === null)
    return (
      <p data-table="quality">
        Quality feedback is off (no <code>feedback:</code> section in the config).
      </p>
    );
  return (
    <table data-table="quality">
      <caption>Quality estimates from feedback</caption>
      <thead>
        <tr>
          <th>alias</th>
          <th>target</th>
          <th>tier</th>
          <th>mean</th>
          <th>ratings</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.length === 0 ? (
          <tr>
            <td colSpan={5}>No ratings yet (POST /v1/feedback).</td>
          </tr>
        ) : (
          props.rows.map((q: Json) => (
            <tr key={`${q.alias}|${q.target}|${q.tier}`}>
              <td>{q.alias}</td>
              <td>{q.target}</td>
              <td>{q.tier === '*' ? 'all' : q.tier}</td>
              <td>{fmt(q.mean, 3)}</td>
              <td>{q.ratings}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

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
            <th>health check</th>
          </tr>
        </thead>
        <tbody>
          {data.providers.map((p: Json) => (
            <tr key={p.name}>
              <td>{p.name}</td>
              <td>{p.api}</td>
              <td class={p.available ? 'ok' : 'bad'}>{p.available ? 'yes' : `no (missing ${p.missing_env.join(', ')})`}</td>
              <td>{p.cooldown ? `${p.cooldown.state}, ${p.cooldown.remaining_s}s left (${p.cooldown.reason})` : 'in service'}</td>
              <td>{healthCell(p.health_check)}</td>
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
      <ErrorsTable rows={data.errors} />
      <HeadroomTable rows={data.rate_limits} />
      <QualityTable rows={data.quality} />
    </section>
  );
}

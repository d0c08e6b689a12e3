/**
 * The dashboard in the browser: Preact pages fed by one server-sent event stream per page (the server
 * throttles it), charts drawn with uPlot. Every URL is relative to /ui, so the app works under a path prefix.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const PAGES = ['overview', 'providers', 'spend', 'requests', 'config'] as const;
type Page = (typeof PAGES)[number];
const TITLES: Record<Page, string> = { overview: 'Overview', providers: 'Providers and targets', spend: 'Spend', requests: 'Requests', config: 'Config' };

function qs(params: Record<string, string>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '') u.set(k, v);
  const s = u.toString();
  return s ? `&${s}` : '';
}

/** The page's live data: one EventSource, reopened when the page or its query changes. */
function useLive(page: Page, params: Record<string, string>): { data: Json; problem?: string } {
  const [state, setState] = useState<{ data: Json; problem?: string }>({ data: undefined });
  const key = JSON.stringify(params);
  useEffect(() => {
    setState({ data: undefined });
    const es = new EventSource(`ui/api/events?page=${page}${qs(params)}`);
    es.addEventListener('update', (e) => setState({ data: JSON.parse((e as MessageEvent).data) }));
    es.addEventListener('problem', (e) => setState((s) => ({ ...s, problem: JSON.parse((e as MessageEvent).data).message })));
    es.onerror = () => {
      // A closed stream after logout or expiry: back to the login page.
      if (es.readyState === EventSource.CLOSED) location.reload();
    };
    return () => es.close();
  }, [page, key]);
  return state;
}

function Chart(props: { title: string; series: { label: string; values: (number | null)[] }[]; x: number[]; bars?: boolean; unit?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const width = Math.max(300, el.current!.clientWidth || 600);
    const colors = ['#2563eb', '#dc2626', '#16a34a', '#9333ea'];
    const opts: uPlot.Options = {
      title: props.title,
      width,
      height: 220,
      series: [
        {},
        ...props.series.map((s, i) => ({
          label: s.label,
          stroke: colors[i % colors.length],
          fill: props.bars ? colors[i % colors.length] + '66' : undefined,
          paths: props.bars ? uPlot.paths.bars!({ size: [0.6, 40] }) : undefined,
          spanGaps: true,
          points: { show: true, size: 5 },
        })),
      ],
      axes: [{}, { label: props.unit }],
      scales: { x: { time: true } },
    };
    const data = [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData;
    plot.current = new uPlot(opts, data, el.current!);
    return () => plot.current?.destroy();
  }, [props.title, props.series.length]);
  useEffect(() => {
    plot.current?.setData([props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData);
  });
  return <div class="chart" ref={el} data-chart={props.title} />;
}

const fmt = (n: number | null | undefined, digits = 1) => (n === null || n === undefined ? '—' : n.toFixed(digits));
const usd = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `$${n.toFixed(n < 1 ? 6 : 2)}`);

function Groups(props: { title: string; rows: Json[] }) {
  return (
    <table class="groups" data-table={props.title}>
      <caption>{props.title}</caption>
      <thead>
        <tr>
          <th>name</th>
          <th>requests</th>
          <th>errors</th>
          <th>error rate</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.name}>
            <td>{r.name}</td>
            <td>{r.requests}</td>
            <td>{r.errors}</td>
            <td>{fmt(r.error_rate * 100)}%</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Overview() {
  const [range, setRange] = useState('hour');
  const { data } = useLive('overview', { range });
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
              <b>{fmt(data.totals.ttfb_p50_ms, 0)} ms</b> TTFB p50
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

function Providers() {
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

function SpendTable(props: { title: string; rows: Json[] }) {
  return (
    <table data-table={`spend-${props.title}`}>
      <caption>By {props.title}</caption>
      <thead>
        <tr>
          <th>{props.title}</th>
          <th>requests</th>
          <th>input</th>
          <th>output</th>
          <th>cached</th>
          <th>cost</th>
          <th>unpriced</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={String(r.group)}>
            <td>{r.group ?? '(none)'}</td>
            <td>{r.requests}</td>
            <td>{r.input_tokens}</td>
            <td>{r.output_tokens}</td>
            <td>{r.cached_tokens}</td>
            <td>{usd(r.cost_usd)}</td>
            <td>{r.unpriced_requests}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Spend() {
  const [days, setDays] = useState('7');
  const [group, setGroup] = useState('key');
  const { data, problem } = useLive('spend', { days });
  return (
    <section>
      <label>
        Days{' '}
        <select name="days" value={days} onChange={(e) => setDays((e.target as HTMLSelectElement).value)}>
          <option value="1">1</option>
          <option value="7">7</option>
          <option value="30">30</option>
        </select>
      </label>{' '}
      <label>
        Group{' '}
        <select name="group" value={group} onChange={(e) => setGroup((e.target as HTMLSelectElement).value)}>
          <option value="key">key</option>
          <option value="alias">alias</option>
          <option value="model">model</option>
          <option value="provider">provider</option>
        </select>
      </label>{' '}
      <a class="button" href={`ui/api/spend.csv?group_by=${group}&days=${days}`} download="spend.csv">
        Export CSV
      </a>
      {problem && <p class="error">{problem}</p>}
      {data && !data.available && <p>No spend sink: add the cost-log plugin to proxy.yaml.</p>}
      {data?.available && (
        <>
          <Chart
            title="Spend per day (USD)"
            bars
            x={data.per_day.map((d: Json) => Date.parse(d.day) / 1000)}
            series={[{ label: 'USD', values: data.per_day.map((d: Json) => d.cost_usd) }]}
          />
          <SpendTable title={group} rows={data.by[group]} />
          <table data-table="budgets">
            <caption>Budgets</caption>
            <thead>
              <tr>
                <th>key</th>
                <th>period</th>
                <th>budget</th>
                <th>used</th>
                <th>left</th>
              </tr>
            </thead>
            <tbody>
              {data.budgets.map((b: Json) => (
                <tr key={b.key}>
                  <td>{b.key}</td>
                  <td>{b.period}</td>
                  <td>{usd(b.budget_usd)}</td>
                  <td>{usd(b.used_usd)}</td>
                  <td>{usd(b.left_usd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function Timeline(props: { attempts: Json[] }) {
  const end = Math.max(1, ...props.attempts.map((a) => (a.start_ms ?? 0) + a.latency_ms));
  const row = 26;
  return (
    <svg class="timeline" width="640" height={props.attempts.length * row + 24} data-chart="timeline">
      {props.attempts.map((a, i) => {
        const x = 150 + ((a.start_ms ?? 0) / end) * 470;
        const w = Math.max(2, (a.latency_ms / end) * 470);
        return (
          <g key={i}>
            <text x="0" y={i * row + 17}>
              {`${a.provider}/${a.model}`.slice(0, 22)}
            </text>
            <rect x={x} y={i * row + 4} width={w} height="18" class={a.ok ? 'ok' : 'bad'}>
              <title>{`${a.latency_ms} ms ${a.ok ? 'ok' : (a.reason ?? a.kind ?? a.status)}`}</title>
            </rect>
          </g>
        );
      })}
      <text x="150" y={props.attempts.length * row + 18}>
        0 ms
      </text>
      <text x="580" y={props.attempts.length * row + 18}>
        {fmt(end, 0)} ms
      </text>
    </svg>
  );
}

function Detail(props: { id: string; onClose: () => void }) {
  const [r, setR] = useState<Json>(undefined);
  useEffect(() => {
    fetch(`ui/api/request?id=${encodeURIComponent(props.id)}`)
      .then((res) => res.json())
      .then(setR, () => setR(null));
  }, [props.id]);
  if (!r) return <aside class="detail">Loading…</aside>;
  return (
    <aside class="detail" data-detail={r.id}>
      <button onClick={props.onClose}>Close</button>
      <h3>{r.id}</h3>
      <p>
        {new Date(r.time).toISOString()} · {r.endpoint} · key {r.key ?? '—'} · alias {r.alias ?? '—'} · status {r.status} · {r.latency_ms} ms
      </p>
      <Timeline attempts={r.attempts} />
      <table data-table="attempts">
        <thead>
          <tr>
            <th>#</th>
            <th>target</th>
            <th>status</th>
            <th>result</th>
            <th>start ms</th>
            <th>TTFB ms</th>
            <th>ms</th>
          </tr>
        </thead>
        <tbody>
          {r.attempts.map((a: Json, i: number) => (
            <tr key={i}>
              <td>{i + 1}</td>
              <td>
                {a.provider}/{a.model}
                {a.hedge ? ' (hedge)' : ''}
              </td>
              <td>{a.status ?? '—'}</td>
              <td class={a.ok ? 'ok' : 'bad'}>{a.ok ? 'ok' : `${a.kind ?? ''} ${a.reason ?? ''}`}</td>
              <td>{fmt(a.start_ms)}</td>
              <td>{fmt(a.ttfb_ms)}</td>
              <td>{a.latency_ms}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.content && (
        <>
          <h4>Request</h4>
          <pre>{r.content.request}</pre>
          <h4>Answer</h4>
          <pre>{r.content.response ?? ''}</pre>
        </>
      )}
    </aside>
  );
}

function Requests() {
  const [filter, setFilter] = useState({ alias: '', provider: '', key: '', status: '', q: '' });
  const [open, setOpen] = useState<string | undefined>(undefined);
  const { data } = useLive('requests', filter);
  const set = (k: string) => (e: Event) => setFilter({ ...filter, [k]: (e.target as HTMLInputElement).value });
  return (
    <section>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <input name="alias" placeholder="alias" value={filter.alias} onInput={set('alias')} />
        <input name="provider" placeholder="provider" value={filter.provider} onInput={set('provider')} />
        <input name="key" placeholder="key name" value={filter.key} onInput={set('key')} />
        <select name="status" value={filter.status} onChange={set('status')}>
          <option value="">any status</option>
          <option value="ok">ok</option>
          <option value="error">errors</option>
        </select>
        <input name="q" placeholder="request id" value={filter.q} onInput={set('q')} />
      </form>
      {data && (
        <table data-table="requests">
          <thead>
            <tr>
              <th>time</th>
              <th>id</th>
              <th>key</th>
              <th>alias</th>
              <th>served by</th>
              <th>attempts</th>
              <th>status</th>
              <th>tokens</th>
              <th>cost</th>
              <th>ms</th>
              <th>cache</th>
            </tr>
          </thead>
          <tbody>
            {data.data.map((r: Json) => (
              <tr key={r.id} class="clickable" onClick={() => setOpen(r.id)}>
                <td>{new Date(r.time).toLocaleTimeString()}</td>
                <td>{r.id}</td>
                <td>{r.key ?? '—'}</td>
                <td>{r.alias ?? '—'}</td>
                <td>{r.provider ? `${r.provider}/${r.model}` : '—'}</td>
                <td>{r.attempts.length}</td>
                <td class={r.status < 400 ? 'ok' : 'bad'}>{r.status}</td>
                <td>{(r.prompt_tokens ?? 0) + (r.completion_tokens ?? 0)}</td>
                <td>{usd(r.cost_usd)}</td>
                <td>{r.latency_ms}</td>
                <td>{r.cache ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && <Detail id={open} onClose={() => setOpen(undefined)} />}
    </section>
  );
}

function Config() {
  const { data } = useLive('config', {});
  if (!data) return <p>Loading…</p>;
  const r = data.last_reload;
  return (
    <section>
      <dl>
        <dt>File</dt>
        <dd>{data.file}</dd>
        <dt>Hash</dt>
        <dd data-field="hash">{data.hash}</dd>
        <dt>Loaded</dt>
        <dd>{data.loaded_at}</dd>
        <dt>Last reload</dt>
        <dd class={r.ok ? 'ok' : 'bad'} data-field="last-reload">
          {r.ok ? `ok at ${r.at}` : `rejected at ${r.at}: ${r.error}`}
        </dd>
      </dl>
      <pre data-field="config">{JSON.stringify(data.config, null, 2)}</pre>
    </section>
  );
}

function pageOfHash(): Page {
  const h = location.hash.slice(1) as Page;
  return PAGES.includes(h) ? h : 'overview';
}

function App() {
  const [page, setPage] = useState<Page>(pageOfHash());
  useEffect(() => {
    const on = () => setPage(pageOfHash());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return (
    <>
      <header>
        <b>Switchyard</b>
        <nav>
          {PAGES.map((p) => (
            <a key={p} href={`#${p}`} class={p === page ? 'active' : ''}>
              {TITLES[p]}
            </a>
          ))}
        </nav>
        <form method="post" action="ui/logout">
          <button type="submit">Log out</button>
        </form>
      </header>
      <main>
        <h2>{TITLES[page]}</h2>
        {page === 'overview' && <Overview />}
        {page === 'providers' && <Providers />}
        {page === 'spend' && <Spend />}
        {page === 'requests' && <Requests />}
        {page === 'config' && <Config />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);

/**
 * The Requests page: the request log newest first, filterable, paged to older requests (a keyset cursor, so a
 * page costs the same however deep), with every attempt of one request on a timeline.
 */
import { useEffect, useState } from 'preact/hooks';
import { fmt, usd } from '../components';
import { useLive, type Json } from '../live';

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

const NEWEST = { before: '', before_id: '' };

export function Requests() {
  const [filter, setFilter] = useState({ alias: '', provider: '', key: '', status: '', q: '' });
  // Where the shown page starts: empty for the newest (live), else the cursor of the previous page's last row.
  const [pages, setPages] = useState<{ before: string; before_id: string }[]>([]);
  const [open, setOpen] = useState<string | undefined>(undefined);
  const page = pages[pages.length - 1] ?? NEWEST;
  const { data, problem } = useLive('requests', { ...filter, ...page });
  const set = (k: string) => (e: Event) => {
    setPages([]);
    setFilter({ ...filter, [k]: (e.target as HTMLInputElement).value });
  };
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
          <option value="429">429</option>
          <option value="500">500</option>
          <option value="502">502</option>
          <option value="503">503</option>
        </select>
        <input name="q" placeholder="request id" value={filter.q} onInput={set('q')} />
        <button type="button" name="newer" disabled={pages.length === 0} onClick={() => setPages(pages.slice(0, -1))}>
          Newer
        </button>
        <button
          type="button"
          name="older"
          disabled={!data?.next}
          onClick={() => setPages([...pages, { before: String(data.next.before), before_id: data.next.before_id }])}
        >
          Older
        </button>
      </form>
      {problem && <p class="bad">{problem}</p>}
      {data?.searched_since && (
        <p class="note" data-note="searched-since">
          Searched ids back to {new Date(data.searched_since).toLocaleString()}; Older searches the day before.
        </p>
      )}
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
                <td title={new Date(r.time).toISOString()}>{new Date(r.time).toLocaleString()}</td>
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

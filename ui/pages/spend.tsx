/** The Spend page: totals by key, alias, model, provider and day, budgets, CSV export. */
import { useState } from 'preact/hooks';
import { Chart, usd } from '../components';
import { useLive, type Json } from '../live';

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

export function Spend() {
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

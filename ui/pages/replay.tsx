/**
 * The Replay page: "what would this have cost?". A candidate config (prefilled with the running one, secrets
 * redacted) is posted with a window; the gateway routes the recorded requests through it, calling no provider,
 * and answers per alias and in total with the assumptions the figures rest on.
 */
import { useEffect, useState } from 'preact/hooks';
import { fmt, usd } from '../components';
import type { Json } from '../live';

function cost(value: number | null, unpriced: number) {
  if (value === null) return `unpriced (${fmt(unpriced, 1)})`;
  return unpriced > 0 ? `${usd(value)} + ${fmt(unpriced, 1)} unpriced` : usd(value);
}

function signedUsd(value: number | null) {
  if (value === null) return '—';
  // A word joiner keeps the sign on the number's line.
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}\u2060${usd(Math.abs(value))}`;
}

function shares(record: Record<string, number>) {
  const entries = Object.entries(record);
  return entries.length ? entries.map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', ') : '—';
}

function Row(props: { name: string; g: Json }) {
  const { g } = props;
  return (
    <tr data-alias={props.name}>
      <td>{props.name}</td>
      <td>{g.requests}</td>
      <td>{cost(g.actual.cost_usd, g.actual.unpriced)}</td>
      <td>{cost(g.candidate.cost_usd, g.candidate.unpriced)}</td>
      <td class={g.diff.cost_usd < 0 ? 'ok' : g.diff.cost_usd > 0 ? 'bad' : ''}>{signedUsd(g.diff.cost_usd)}</td>
      <td>{fmt(g.actual.latency_ms, 0)} ms</td>
      <td>{fmt(g.candidate.latency_ms, 0)} ms</td>
      <td>{fmt(g.actual.failed, 1)}</td>
      <td>{fmt(g.candidate.failed, 1)}</td>
      <td>{shares(g.candidate.served_by)}</td>
      <td>{shares(g.candidate.attempt_failures)}</td>
    </tr>
  );
}

function Report(props: { report: Json }) {
  const r = props.report;
  return (
    <>
      <p data-field="replay-summary">
        {r.records} recorded request(s) from {r.window.since} to {r.window.until}, under {r.candidate.file} ({r.candidate.hash}); no provider was called.
      </p>
      <table data-table="replay">
        <caption>Per alias: what happened, and what the candidate would have done</caption>
        <thead>
          <tr>
            <th>alias</th>
            <th>requests</th>
            <th>cost (actual)</th>
            <th>cost (candidate)</th>
            <th>difference</th>
            <th>latency (actual)</th>
            <th>latency (candidate)</th>
            <th>failed (actual)</th>
            <th>failed (candidate)</th>
            <th>served by (candidate)</th>
            <th>failed tries (candidate)</th>
          </tr>
        </thead>
        <tbody>
          {r.aliases.map((a: Json) => (
            <Row key={a.alias} name={a.alias} g={a} />
          ))}
        </tbody>
        <tfoot>
          <Row name="total" g={r.total} />
        </tfoot>
      </table>
      <h3>Targets</h3>
      <table data-table="replay-targets">
        <thead>
          <tr>
            <th>target</th>
            <th>observed</th>
            <th>tries</th>
            <th>answered</th>
            <th>latency</th>
            <th>failures</th>
          </tr>
        </thead>
        <tbody>
          {r.targets.map((t: Json) => (
            <tr key={t.target}>
              <td>{t.target}</td>
              <td>{t.observed ? 'yes' : 'no (assumed)'}</td>
              <td>{t.tries}</td>
              <td>{fmt(t.success_rate * 100)}%</td>
              <td>{fmt(t.latency_ms, 0)} ms</td>
              <td>
                {Object.entries(t.failures as Record<string, number>)
                  .map(([label, p]) => `${label} ${fmt(p * 100)}%`)
                  .join(', ') || '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Assumptions</h3>
      <ul data-list="assumptions">
        {r.assumptions.map((a: string) => (
          <li key={a}>{a}</li>
        ))}
      </ul>
    </>
  );
}

/** How often the page reads a running job's progress: one small GET, only while a job runs. */
const FOLLOW_MS = 500;

/** A running job's progress in words: pass 1 counts the window, pass 2 knows the total. */
function Progress({ job }: { job: Json }) {
  if (job.total === null)
    return <p data-field="replay-progress">Pass 1 of 2: learning how each target behaved — {job.done.toLocaleString('en')} records read…</p>;
  return (
    <p data-field="replay-progress">
      <progress value={job.done} max={job.total} /> Pass 2 of 2: {Math.max(0, job.done - job.total / 2).toLocaleString('en')} of{' '}
      {(job.total / 2).toLocaleString('en')} records replayed
    </p>
  );
}

export function Replay() {
  const [config, setConfig] = useState('');
  const [since, setSince] = useState('7d');
  const [until, setUntil] = useState('');
  const [report, setReport] = useState<Json>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [job, setJob] = useState<Json>(undefined);
  const running = job?.state === 'running';
  // Follows the gateway's replay job until it ends; also picks up one already running or done (a reload).
  const follow = async () => {
    for (;;) {
      const res = await fetch('ui/api/replay/job');
      if (res.status === 401) return location.reload();
      const body = (await res.json()) as Json;
      setJob(body);
      if (body.state === 'done') setReport(body.report);
      if (body.state === 'failed') setProblem(body.error.message);
      if (body.state !== 'running') return;
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_MS));
    }
  };
  useEffect(() => {
    void fetch('ui/api/replay').then(async (res) => {
      if (res.status === 401) return location.reload();
      const body = (await res.json()) as Json;
      setConfig(body.config);
      setSince(body.since);
    });
    void follow();
  }, []);
  const run = async () => {
    setProblem(undefined);
    const q = new URLSearchParams({ since, ...(until ? { until } : {}) });
    const res = await fetch(`ui/api/replay?${q.toString()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config }),
    });
    if (res.status === 401) return location.reload();
    const body = (await res.json()) as Json;
    if (!res.ok) {
      setProblem(body.error?.message ?? `HTTP ${res.status}`);
      // 409: another page's replay runs; follow it rather than show a stale report.
      if (res.status === 409) void follow();
      return;
    }
    setReport(undefined);
    setJob({ state: 'running', done: 0, total: null });
    await follow();
  };
  return (
    <section>
      <p>Paste or edit a candidate config: the recorded traffic is routed through it (rules, strategies, fallbacks, prices) without calling any provider.</p>
      <textarea name="candidate" rows={18} cols={100} spellcheck={false} value={config} onInput={(e) => setConfig((e.target as HTMLTextAreaElement).value)} />
      <div>
        <label>
          Since <input name="since" value={since} size={12} onInput={(e) => setSince((e.target as HTMLInputElement).value)} />
        </label>{' '}
        <label>
          Until <input name="until" value={until} size={12} placeholder="now" onInput={(e) => setUntil((e.target as HTMLInputElement).value)} />
        </label>{' '}
        <button type="button" name="run" disabled={running || config === ''} onClick={() => void run()}>
          {running ? 'Running…' : 'Run'}
        </button>
      </div>
      {running && <Progress job={job} />}
      {problem && (
        <p class="bad" data-field="replay-problem">
          {problem}
        </p>
      )}
      {!running && report && report.records === 0 && <p data-field="replay-empty">No request was recorded in this window: nothing to replay.</p>}
      {!running && report && report.records > 0 && <Report report={report} />}
    </section>
  );
}

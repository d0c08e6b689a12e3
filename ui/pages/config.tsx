/** The Config page: the running config (secrets redacted), its hash, and the last reload. */
import { useLive } from '../live';

export function Config() {
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

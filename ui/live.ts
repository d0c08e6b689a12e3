/** The data feed every page reads: one server-sent event stream per page, reopened when its query changes. */
import { useEffect, useState } from 'preact/hooks';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function qs(params: Record<string, string>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '') u.set(k, v);
  const s = u.toString();
  return s ? `&${s}` : '';
}

/** The page's live data: one EventSource, reopened when the page or its query changes. */
export function useLive(page: string, params: Record<string, string>): { data: Json; problem?: string } {
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

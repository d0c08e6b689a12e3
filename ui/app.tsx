/**
 * The dashboard in the browser: Preact pages fed by one server-sent event stream per page (the server
 * throttles it), charts drawn with uPlot. Every URL is relative to /ui, so the app works under a path prefix.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Config } from './pages/config';
import { Overview } from './pages/overview';
import { Providers } from './pages/providers';
import { Replay } from './pages/replay';
import { Requests } from './pages/requests';
import { Spend } from './pages/spend';

const PAGES = ['overview', 'providers', 'spend', 'requests', 'config', 'replay'] as const;
type Page = (typeof PAGES)[number];
const TITLES: Record<Page, string> = {
  overview: 'Overview',
  providers: 'Providers and targets',
  spend: 'Spend',
  requests: 'Requests',
  config: 'Config',
  replay: 'Replay',
};

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
        {page === 'replay' && <Replay />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);

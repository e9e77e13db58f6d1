import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { session, UNAUTHORIZED_EVENT } from './api';
import { Link, navigate, useLocation } from './lib';
import { Login } from './pages/login';
import { People } from './pages/people';
import { Person } from './pages/person';
import { Segments } from './pages/segments';
import { SegmentPage } from './pages/segment';
import { ActivityPage } from './pages/activity';
import { Messages } from './pages/messages';
import { Settings } from './pages/settings';
import './styles.css';

const NAV = [
  { href: '/people', label: 'People' },
  { href: '/segments', label: 'Segments' },
  { href: '/activity', label: 'Activity' },
  { href: '/messages', label: 'Messages' },
  { href: '/settings', label: 'Settings' },
];

function route(path: string) {
  const p = path.split('?')[0]!.replace(/\/+$/, '') || '/';
  let m: RegExpExecArray | null;
  if (p === '/' || p === '/people') return <People />;
  if ((m = /^\/people\/([^/]+)$/.exec(p))) return <Person cioId={decodeURIComponent(m[1]!)} />;
  if (p === '/segments') return <Segments />;
  if (p === '/segments/new') return <SegmentPage id={null} />;
  if ((m = /^\/segments\/(\d+)$/.exec(p))) return <SegmentPage id={Number(m[1])} />;
  if (p === '/activity') return <ActivityPage />;
  if (p === '/messages') return <Messages />;
  if (p === '/settings') return <Settings />;
  return (
    <div>
      <h1 tabIndex={-1}>Not found</h1>
      <p>
        There is no page at <code>{p}</code>. <Link href="/people">Go to People</Link>.
      </p>
    </div>
  );
}

function App() {
  const path = useLocation();
  const [key, setKey] = useState(session.key);
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    const onUnauthorized = () => {
      session.clear();
      setExpired(true);
      setKey(null);
    };
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, []);

  useEffect(() => {
    const section = NAV.find((n) => path.startsWith(n.href))?.label ?? 'People';
    document.title = `${section} · Roster`;
  }, [path]);

  if (!key)
    return (
      <Login
        expired={expired}
        onSignedIn={(k) => {
          session.set(k);
          setExpired(false);
          setKey(k);
        }}
      />
    );

  const active = (href: string) =>
    path === href ||
    path.startsWith(`${href}/`) ||
    path.startsWith(`${href}?`) ||
    (href === '/people' && (path === '/' || path.startsWith('/?')));
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/people" class="brand" aria-label="Roster home">
          <span class="logo" aria-hidden="true">
            R
          </span>
          Roster
        </Link>
        <nav class="main" aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={active(n.href) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <button
          type="button"
          class="signout"
          onClick={() => {
            session.clear();
            setKey(null);
            navigate('/people', true);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" key={path.split('?')[0]}>
        {route(path)}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);

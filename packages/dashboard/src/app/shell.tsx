import { Link } from '../components/link';
import { MainNav } from './main-nav';
import { route } from './routes';

/** The signed-in frame: skip link, brand, sections, sign out, and the page. */
export function Shell({ path, onSignOut }: { path: string; onSignOut: () => void }) {
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
        <MainNav path={path} />
        <button type="button" class="signout" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" key={path.split('?')[0]}>
        {route(path)}
      </main>
    </div>
  );
}

import type { ComponentChildren } from 'preact';
import { LazyPage, type PageLoader } from './lazy-page';

/**
 * The pages, each loaded on first visit: the first screen needs only the shell and its own page.
 * This is the only module that knows every page (the lint rules keep it so).
 */
const people: PageLoader<object> = () => import('../people/people-page').then((m) => m.PeoplePage);
const person: PageLoader<{ cioId: string }> = () => import('../person/person-page').then((m) => m.PersonPage);
const objects: PageLoader<object> = () => import('../objects/objects-page').then((m) => m.ObjectsPage);
const object: PageLoader<{ typeId: string; objectId: string }> = () =>
  import('../object/object-page').then((m) => m.ObjectPage);
const segments: PageLoader<object> = () => import('../segments/segments-page').then((m) => m.SegmentsPage);
const segment: PageLoader<{ id: number | null }> = () =>
  import('../segments/segment-page').then((m) => m.SegmentPage);
const activity: PageLoader<object> = () => import('../activity/activity-page').then((m) => m.ActivityPage);
const messages: PageLoader<object> = () => import('../messages/messages-page').then((m) => m.MessagesPage);
const webhooks: PageLoader<object> = () => import('../webhooks/webhooks-page').then((m) => m.WebhooksPage);
const webhook: PageLoader<{ id: number }> = () =>
  import('../webhooks/webhook-page').then((m) => m.WebhookPage);
const settings: PageLoader<object> = () => import('../settings/settings-page').then((m) => m.SettingsPage);
const notFound: PageLoader<{ path: string }> = () =>
  import('../not-found/not-found-page').then((m) => m.NotFoundPage);

/** The main navigation, in order. */
export const NAV: ReadonlyArray<{ href: string; label: string }> = [
  { href: '/people', label: 'People' },
  { href: '/objects', label: 'Objects' },
  { href: '/segments', label: 'Segments' },
  { href: '/activity', label: 'Activity' },
  { href: '/messages', label: 'Messages' },
  { href: '/webhooks', label: 'Webhooks' },
  { href: '/settings', label: 'Settings' },
];

/** The page for a path. */
export function route(path: string): ComponentChildren {
  const p = path.split('?')[0]!.replace(/\/+$/, '') || '/';
  let m: RegExpExecArray | null;
  if (p === '/' || p === '/people') return <LazyPage load={people} props={{}} />;
  if ((m = /^\/people\/([^/]+)$/.exec(p)))
    return <LazyPage load={person} props={{ cioId: decodeURIComponent(m[1]!) }} />;
  if (p === '/objects') return <LazyPage load={objects} props={{}} />;
  if ((m = /^\/objects\/([^/]+)\/([^/]+)$/.exec(p)))
    return (
      <LazyPage
        load={object}
        props={{ typeId: decodeURIComponent(m[1]!), objectId: decodeURIComponent(m[2]!) }}
      />
    );
  if (p === '/segments') return <LazyPage load={segments} props={{}} />;
  if (p === '/segments/new') return <LazyPage load={segment} props={{ id: null }} />;
  if ((m = /^\/segments\/(\d+)$/.exec(p))) return <LazyPage load={segment} props={{ id: Number(m[1]) }} />;
  if (p === '/activity') return <LazyPage load={activity} props={{}} />;
  if (p === '/messages') return <LazyPage load={messages} props={{}} />;
  if (p === '/webhooks') return <LazyPage load={webhooks} props={{}} />;
  if ((m = /^\/webhooks\/(\d+)$/.exec(p))) return <LazyPage load={webhook} props={{ id: Number(m[1]) }} />;
  if (p === '/settings') return <LazyPage load={settings} props={{}} />;
  return <LazyPage load={notFound} props={{ path: p }} />;
}

/** Whether a nav entry is the current section. */
export function isActive(href: string, path: string): boolean {
  return (
    path === href ||
    path.startsWith(`${href}/`) ||
    path.startsWith(`${href}?`) ||
    (href === '/people' && (path === '/' || path.startsWith('/?')))
  );
}

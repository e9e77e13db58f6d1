import { Link } from '../components/link';
import { PageTitle } from '../components/page-title';

export function NotFoundPage({ path }: { path: string }) {
  return (
    <section>
      <PageTitle tab={['Not found']}>Not found</PageTitle>
      <p>
        There is no page at <code>{path}</code>. <Link href="/people">Go to People</Link>.
      </p>
    </section>
  );
}

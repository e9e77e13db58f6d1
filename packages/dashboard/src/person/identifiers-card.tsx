import type { AppCustomer } from '@roster/protocol';

export function IdentifiersCard({ c }: { c: AppCustomer }) {
  const ids = c.identifiers;
  return (
    <section class="card" aria-labelledby="h-ids">
      <h2 id="h-ids">Identifiers</h2>
      <dl class="kv" data-testid="identifiers">
        <dt>id</dt>
        <dd>{ids.id ?? <span class="muted">—</span>}</dd>
        <dt>email</dt>
        <dd>{ids.email ?? <span class="muted">—</span>}</dd>
        <dt>cio_id</dt>
        <dd>
          <code>{ids.cio_id}</code>
        </dd>
      </dl>
    </section>
  );
}

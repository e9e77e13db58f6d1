import type { AppCustomer } from '@roster/protocol';
import { AttributesTable } from '../components/attributes-table';
import { Empty } from '../components/empty';

const HIDDEN = new Set(['id', 'email', 'cio_id']);

/** Custom attributes with when each last changed (a card per attribute on a phone). */
export function AttributesCard({ c }: { c: AppCustomer }) {
  const names = Object.keys(c.attributes)
    .filter((k) => !HIDDEN.has(k))
    .sort();
  return (
    <section class="card" aria-labelledby="h-attrs">
      <h2 id="h-attrs">Attributes ({names.length})</h2>
      {names.length === 0 ? (
        <Empty>No attributes yet.</Empty>
      ) : (
        <AttributesTable names={names} attributes={c.attributes} timestamps={c.timestamps} />
      )}
    </section>
  );
}

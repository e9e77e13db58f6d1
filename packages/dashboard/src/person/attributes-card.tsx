import type { AppCustomer } from '@roster/protocol';
import { AttrValue } from '../components/attr-value';
import { Empty } from '../components/empty';
import { TimeAgo } from '../components/time-ago';

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
        <div class="table-wrap">
          <table class="attrs cards" data-testid="attributes">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Value</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {names.map((k) => (
                <tr key={k}>
                  <th scope="row">
                    <code>{k}</code>
                  </th>
                  <td data-label="Value">
                    <AttrValue value={c.attributes[k]!} />
                  </td>
                  <td class="nowrap" data-label="Updated">
                    <TimeAgo unix={c.timestamps?.[k]} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

import type { AppCustomer, AppIdentifiers } from '@roster/protocol';
import { Link } from '../components/link';
import { personLabel } from '../models/format';
import { COLUMN_LABELS } from './columns';
import { PeopleCell } from './people-cell';

/** A page of people with the chosen columns; under 600px each row becomes a card. */
export function PeopleTable({
  people,
  profiles,
  columns,
  page,
}: {
  people: AppIdentifiers[];
  profiles: Map<string, AppCustomer>;
  columns: string[];
  page: number;
}) {
  return (
    <div class="table-wrap">
      <table class="people cards" data-testid="people-table">
        <caption class="sr-only">People, page {page}</caption>
        <thead>
          <tr>
            <th scope="col">Person</th>
            {columns.map((c) => (
              <th scope="col" key={c}>
                {COLUMN_LABELS[c] ?? c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {people.map((ids) => (
            <tr key={ids.cio_id}>
              <th scope="row">
                <Link href={`/people/${encodeURIComponent(ids.cio_id)}`}>{personLabel(ids)}</Link>
              </th>
              {columns.map((col) => (
                <td key={col} data-label={COLUMN_LABELS[col] ?? col}>
                  <PeopleCell col={col} ids={ids} customer={profiles.get(ids.cio_id)} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import type { AppCustomer, AppIdentifiers } from '@roster/protocol';
import { CardTable } from '../components/card-table';
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
    <CardTable
      testId="people-table"
      kind="people"
      caption={`People, page ${page}`}
      columns={[{ label: 'Person' }, ...columns.map((c) => ({ label: COLUMN_LABELS[c] ?? c }))]}
    >
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
    </CardTable>
  );
}

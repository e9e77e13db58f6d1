import { AttrValue } from './attr-value';
import { TimeAgo } from './time-ago';
import { CardTable } from './card-table';

/** Attributes with when each last changed (a card per attribute on a phone): a person's or an object's. */
export function AttributesTable({
  names,
  attributes,
  timestamps,
}: {
  names: string[];
  attributes: Readonly<Record<string, string>>;
  timestamps: Readonly<Record<string, number>> | undefined;
}) {
  return (
    <CardTable
      testId="attributes"
      kind="attrs"
      columns={[{ label: 'Name' }, { label: 'Value' }, { label: 'Updated' }]}
    >
      {names.map((k) => (
        <tr key={k}>
          <th scope="row">
            <code>{k}</code>
          </th>
          <td data-label="Value">
            <AttrValue value={attributes[k]!} />
          </td>
          <td class="nowrap" data-label="Updated">
            <TimeAgo unix={timestamps?.[k]} />
          </td>
        </tr>
      ))}
    </CardTable>
  );
}

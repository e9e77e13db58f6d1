import { AttrValue } from './attr-value';
import { TimeAgo } from './time-ago';

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
                <AttrValue value={attributes[k]!} />
              </td>
              <td class="nowrap" data-label="Updated">
                <TimeAgo unix={timestamps?.[k]} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

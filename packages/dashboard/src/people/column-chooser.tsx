import { useState } from 'preact/hooks';
import { BUILT_IN_COLUMNS, COLUMN_LABELS } from './columns';

/** Which columns the People list shows: built-in ones, attributes seen on the page, or any name. */
export function ColumnChooser({
  columns,
  setColumns,
  attributeNames,
}: {
  columns: string[];
  setColumns: (c: string[]) => void;
  attributeNames: string[];
}) {
  const [extra, setExtra] = useState('');
  const all = [...new Set([...BUILT_IN_COLUMNS, ...attributeNames, ...columns])];
  const toggle = (c: string, on: boolean) =>
    setColumns(on ? all.filter((x) => x === c || columns.includes(x)) : columns.filter((x) => x !== c));
  return (
    <details class="columns">
      <summary>Columns ({columns.length})</summary>
      <fieldset>
        <legend class="sr-only">Columns to show</legend>
        <ul>
          {all.map((c) => (
            <li key={c}>
              <label class="check">
                <input
                  type="checkbox"
                  checked={columns.includes(c)}
                  onChange={(e) => toggle(c, e.currentTarget.checked)}
                />
                {COLUMN_LABELS[c] ?? c}
              </label>
            </li>
          ))}
        </ul>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            const name = extra.trim();
            if (name && !columns.includes(name)) setColumns([...columns, name]);
            setExtra('');
          }}
        >
          <label for="extra-col" class="sr-only">
            Attribute to add as a column
          </label>
          <input
            id="extra-col"
            placeholder="attribute name"
            value={extra}
            onInput={(e) => setExtra(e.currentTarget.value)}
          />
          <button type="submit" class="small">
            Add
          </button>
        </form>
      </fieldset>
    </details>
  );
}

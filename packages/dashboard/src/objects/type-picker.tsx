import type { ObjectType } from '@roster/protocol';
import { num } from '../models/format';

/** Which object type the list shows, with how many objects each has. */
export function TypePicker({
  types,
  value,
  onChange,
}: {
  types: ObjectType[];
  value: string;
  onChange: (typeId: string) => void;
}) {
  return (
    <label class="inline type-picker">
      Object type{' '}
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {types.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
            {t.count === undefined ? '' : ` (${num(t.count)})`}
          </option>
        ))}
      </select>
    </label>
  );
}

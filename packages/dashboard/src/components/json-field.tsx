import { parseJsonObject } from '../models/json-object';

/**
 * A labelled box for a JSON object (event data, trigger data), saying when the text is not one yet.
 * `hint` explains which Liquid variables it fills.
 */
export function JsonField({
  id,
  label,
  hint,
  value,
  onInput,
  placeholder,
}: {
  id: string;
  label: string;
  hint: string;
  value: string;
  onInput: (text: string) => void;
  placeholder: string;
}) {
  const parsed = parseJsonObject(value);
  const describedBy = `${id}-hint${parsed.ok ? '' : ` ${id}-error`}`;
  return (
    <div class="stack">
      <label for={id}>{label}</label>
      <textarea
        id={id}
        rows={2}
        spellcheck={false}
        placeholder={placeholder}
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
        aria-invalid={parsed.ok ? undefined : 'true'}
        aria-describedby={describedBy}
      />
      <p class="hint" id={`${id}-hint`}>
        {hint}
      </p>
      {parsed.ok ? null : (
        <p class="field-error" id={`${id}-error`}>
          {parsed.error}
        </p>
      )}
    </div>
  );
}

/** A form field's problem, in plain words, under the field. */
export function FieldError({ id, text }: { id: string; text: string | undefined }) {
  if (!text) return null;
  return (
    <p class="field-error" id={id}>
      {text}
    </p>
  );
}
